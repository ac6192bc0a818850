"""Scale-out mode (#19): runs for one host group each, carried by Dramatiq on Redis.

The composition root of the queue: the broker (``broker``), the message format
(``messages``), the host groups of due work (``groups``), the actors that execute a message
through the one child runner (``actors``), enqueueing and waiting (``enqueue``) and what
``status`` shows of the fleet (``fleet``). Nothing here is built at import time: a process
that never configured ``[queue]`` never touches Redis.
"""
