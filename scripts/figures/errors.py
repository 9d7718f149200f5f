"""Errors a user can act on, and the exit codes the CLI maps them to.

Every error carries one message that says what went wrong, where (file, row or offset) and how
to fix it. The CLI prints it on one line to stderr without a traceback (unless --debug). Validation reports
are the exception: one line per problem. Warnings (`InputWarning`) are input read with a caveat
or skipped; the CLI prints each on one line and goes on.
"""

from __future__ import annotations

# Exit codes, documented in the README and in `figures --help`.
EXIT_OK = 0
EXIT_INVALID = 1  # the package was written or read but does not validate
EXIT_INPUT = 2  # bad input or usage: nothing was written
EXIT_INTERNAL = 3  # an unexpected error (a bug): nothing was written
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


class InputWarning(UserWarning):
    """Input that was read with a caveat (a detected encoding) or skipped (an empty article).

    The CLI prints each on one line of stderr, prefixed `figures COMMAND: warning:`.
    """
