"""The command line's errors: what each means, and the exit code it becomes in ``gilviz.cli.main``.

Bad input is a ``UsageError``: one line (what is wrong, and a hint), exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input: the message is one line that says what is wrong and what to do."""


class Terminated(KeyboardInterrupt):
    """SIGTERM: stops a command the way ctrl+c does (its lab ended, its recording closed), then exit 143."""


class ProgramNotRunnable(Exception):
    """The program to watch cannot be started: exit with ``exit_code``, as a shell would."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("%s (see %s --help)" % (message, self.prog))


def cannot_write(path: str, reason: str) -> UsageError:
    return UsageError("cannot write %s: %s (pick a directory that exists and that you can write to)" % (path, reason))
