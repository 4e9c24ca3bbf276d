"""Errors a user can cause. The CLI prints these as ``Error: ...`` and exits non-zero.

Anything that is not a :class:`NewsletterError` is a bug in newsletter and may show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, pointing at the spot: ``file:line:col: field: message``."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self._where()}: {self.message}"

    def as_warning(self) -> str:
        """The problem as a warning: ``file:line:col: field: warning: message``."""
        return f"{self._where()}: warning: {self.message}"

    def _where(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}" if self.field else where


class NewsletterError(Exception):
    """Base of every error a user can cause; never raised itself.

    The message speaks to a caller of the library (``config_path=``); ``cli`` is the same said to a user of
    the command line (``--config``), when the two differ."""

    def __init__(self, message: str, cli: str | None = None):
        super().__init__(message)
        self.cli = cli

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (str(self), self.cli))  # survives the trip back from a worker process

    def cli_message(self) -> str:
        return self.cli or str(self)


class InputError(NewsletterError):
    """An input file (issue, authors registry, config) is unreadable or invalid.

    Carries every problem found in the file, so the user can fix them all in one round.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.problems,))  # survives the trip back from a worker process


class ConfigNotFound(NewsletterError):
    """No config file was given and none was found beside the issue."""


class TemplateError(NewsletterError):
    """A template could not be rendered, or the MJML it produced did not compile."""


class OutputError(NewsletterError):
    """An output file could not be written; nothing of the failing issue was left behind."""


class ArgumentError(NewsletterError):
    """A function of the library was called with a wrong value (an unknown platform, a width out of range):
    the message names the argument, the value, and what is allowed."""


class SystemFailure(NewsletterError):
    """The machine refused what building an issue needed: memory, stack depth for deeply nested input, or a
    file operation. The message names the issue; nothing of it was written."""


class BrowserMissing(NewsletterError):
    """Screenshots need Playwright for Python and a Chromium executable, and one of them is missing."""


class SendError(NewsletterError):
    """A test send failed: no sender configured, a bad address, or the SMTP server refused or was unreachable."""


class ProjectError(NewsletterError):
    """``init`` would overwrite files, or ``new`` found no project or an issue already there."""


class SnapshotError(NewsletterError):
    """A snapshot is missing (run with --update), or a stored one cannot be read."""


class PluginError(NewsletterError):
    """A plugin could not be found, imported or set up, or it added something that is not allowed."""
