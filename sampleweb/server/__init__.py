"""The HTTP side of the sample web: a small asyncio server, request and response values, the
host router and the in-process API."""
