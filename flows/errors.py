"""The one family of user errors: a problem the user can act on, told in one line.

In: nothing. Out: `NewsEventsError` and its subclasses, raised wherever such a
problem is found in `flows/`; `USER_ERRORS`, the family together with the
one-line errors of the lower layers (which cannot import `flows/`): the
warehouse's `WarehouseError`, the dictionaries' `DictionaryError`. The CLI
catches `USER_ERRORS` in one place (`flows/cli.py`, `_App.invoke`) and prints
`newsevents: <message>` with the error's exit status; nothing else turns an
error into output, and no traceback reaches the user.
"""

from __future__ import annotations

from transforms.lexicon import DictionaryError
from warehouse.connect import WarehouseError


class NewsEventsError(Exception):
    """A one-line reason a command cannot go on; `code` is the exit status (2: the input or setting is wrong)."""

    code = 2

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class SettingsError(NewsEventsError):
    """A setting, flag or path given to a command is wrong."""


class InputError(NewsEventsError, ValueError):
    """A PATH given on the command line that does not exist or cannot be read as an input."""


class RunError(NewsEventsError):
    """A problem that stops a run (the warehouse, a failed table-level expectation)."""


class ServeError(NewsEventsError):
    """A reason `serve` cannot start or go on."""


class Interrupted(NewsEventsError):
    """The user stopped the command (Ctrl-C); whole documents loaded so far are kept."""

    code = 130


USER_ERRORS: tuple[type[Exception], ...] = (NewsEventsError, WarehouseError, DictionaryError)


def exit_code(exc: BaseException) -> int:
    """The exit status for a user error: its own, or 2."""
    return getattr(exc, "code", 2) if isinstance(exc, NewsEventsError) else 2
