"""Errors a user can act on, and the exit codes the CLI maps them to.

Every error carries one message that says what went wrong, where (file, row or offset) and how
to fix it. The CLI prints it on one line to stderr without a traceback (unless --debug).
"""

from __future__ import annotations

# Exit codes, documented in the README and in `figures --help`.
EXIT_OK = 0
EXIT_INVALID = 1  # the package was written or read but does not validate
EXIT_INPUT = 2  # bad input or usage: nothing was written
EXIT_INTERRUPTED = 130


class FiguresError(Exception):
    """An error meant for the user: one message, one exit code."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(FiguresError):
    """The input (a file, a corpus row, a header) cannot be read as a document."""


class PackageInvalid(FiguresError):
    """A package was produced or read but fails validation."""

    exit_code = EXIT_INVALID
