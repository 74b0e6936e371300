"""What the command modules share: consoles safe for untrusted text, the error guard, the progress line.

:class:`SafeConsole` shows names from data or parameter files literally; :func:`_guard` turns mrmkit's own
errors into one line on standard error and the contract's exit code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from mrmkit.errors import MrmkitError, one_line, printable, terminating
from mrmkit.registry import workbooks

#: The registered workbooks, for the CLI help (:mod:`mrmkit.registry`).
WORKBOOK_NAMES = ", ".join(workbooks.names())
TRUSTED_HELP = (
    "A file of the public keys you trust (one 'mrmkit-ed25519 ...' line or PEM block each); default "
    "$MRMKIT_TRUSTED_KEYS. A package not signed by one of them is untrusted, and said so."
)


class SafeConsole(Console):
    """A console for text that may carry names from data or parameter files.

    Rich markup (``[bold]``, ``[link=...]``), emoji codes and highlighting are off for every print, and
    control characters in text (ESC sequences, carriage returns, bells) are shown as escapes, so a name can
    neither style, hide, link nor rewrite what the terminal shows. Styled output is built as ``Text``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        for option in ("markup", "emoji", "highlight"):
            kwargs[option] = False
        if all(isinstance(o, (str, Text)) for o in objects):
            kwargs.setdefault("soft_wrap", True)  # a message is one line however narrow the terminal
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **kwargs)


def table_console(min_width: int) -> SafeConsole:
    """A console wide enough for a table of full values (a pipe or a file gets the full width too)."""
    return SafeConsole(width=max(min_width, out.width))


def cell(value: Any) -> Text:
    """A table cell shown literally: rich tables would otherwise read markup in plain strings."""
    return Text(printable("" if value is None else value))


err = SafeConsole(stderr=True)
out = SafeConsole()


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn mrmkit's own errors into one line on stderr and the contract's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MrmkitError as exc:
            err.print(Text("error: ", style="bold red") + Text(one_line(exc)), soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing was published for the run in progress.")
            raise typer.Exit(130) from None
        except Exception:
            if not terminating():  # a bug of mrmkit's: the traceback is wanted
                raise
            err.print("interrupted; nothing was published for the run in progress.")
            raise typer.Exit(130) from None

    return wrapper


def _progress() -> tuple[Callable[[str], None], Callable[[], None]]:
    """A spinner on a terminal, plain lines otherwise."""
    if err.is_terminal:
        status = err.status("starting")
        status.start()
        return (lambda message: status.update(message)), status.stop
    return (lambda message: err.print(f"mrmkit: {message}", highlight=False)), (lambda: None)
