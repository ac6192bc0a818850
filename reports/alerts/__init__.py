"""Instant alerts (#21): rules in the config, an outbox in storage, channels through Apprise.

- ``policy``    pure: which rule a find matches, backfill, quiet hours, backoff, message text;
- ``channels``  one message through a rule's Apprise URLs or the SMTP email channel;
- ``sender``    one pass of the sender: expand outbox events, claim, send, retry, summarise.
"""
