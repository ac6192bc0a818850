"""Hints that name a command to run next, printed so that the command is never split.

Rich wraps a long line at spaces, which cut commands in the middle ("`mediamon --config
mediamon.toml db` / `upgrade`", #18). A hint is its message, wrapped as prose, then each
command on its own indented line that rich never wraps (``soft_wrap``): it reaches the
terminal, or the pipe, whole, ready to copy.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def print_hint(console: Console, message: str | Text, *commands: str, whole: bool = False) -> None:
    """``message`` (a ``Text`` keeps its styles; a string is printed literally), then each
    command on a line of its own, indented by two spaces and never wrapped. ``whole``: the
    message is not wrapped either (it carries an address or a password to copy)."""
    text = message if isinstance(message, Text) else Text(message)
    console.print(text, soft_wrap=whole)
    for command in commands:
        console.print(Text(f"  {command}"), soft_wrap=True, highlight=False)
