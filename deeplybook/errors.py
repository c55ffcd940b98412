"""The exceptions deeplybook raises on purpose; anything else escaping is a bug."""

from __future__ import annotations


class DeeplybookError(Exception):
    """Base of every error the library raises deliberately.

    The message is one line that names the file (when there is one) and what is
    wrong with it, fit to print to a user as it is.
    """

    def __init__(self, message: str, path: object | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path is not None else message)


class ReadError(DeeplybookError):
    """An input file could not be read into articles."""


class ConfigError(DeeplybookError):
    """An edition file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], path: object | None = None) -> None:
        self.problems = list(problems)
        summary = "; ".join(self.problems)
        super().__init__(summary, path)


class ThemeError(DeeplybookError):
    """A theme is missing, malformed, or its ``extends`` chain is broken."""


class WriteError(DeeplybookError):
    """A book could not be written."""
