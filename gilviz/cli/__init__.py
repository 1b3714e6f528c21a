"""The command line: the one place where user input becomes errors and exit codes.

Bad input prints one line to stderr (what is wrong, and a hint) and exits with 2; never
a traceback. Commands: the dashboard (no command), ``list``, ``run``, ``bench``,
``record``, ``replay``, ``screenshot``, ``watch`` and ``export``, one module each; the
options they share are defined once in ``options``; ``main`` turns every error into its
exit code.
"""

from __future__ import annotations

import signal
import sys
import threading

from gilviz import __version__
from gilviz.cli import bench, dashboard, export, listing, record, replay, run, screenshot, watch
from gilviz.cli.errors import EXIT_USAGE, Parser, ProgramNotRunnable, Terminated, UsageError
from gilviz.cli.options import SCREENSHOT_FORMATS

__all__ = ["SCREENSHOT_FORMATS", "UsageError", "build_parser", "main"]

COMMANDS = (listing, run, record, replay, screenshot, watch, export, bench)  # in `gilviz --help`'s order


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def build_parser() -> Parser:
    parser = Parser(prog="gilviz", description="See how Python runs concurrent code: threads, processes, pools, the GIL.")
    parser.add_argument("--version", action="version", version="gilviz " + __version__)
    dashboard.add_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for each in COMMANDS:
        each.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from gilviz.labproc import LabError
    from gilviz.outside import visible

    on_term = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        args = build_parser().parse_args(argv)
        handlers = {each.NAME: each.command for each in COMMANDS}
        handler = handlers.get(args.command, dashboard.command)
        return handler(args)
    except UsageError as exc:
        print("gilviz: %s" % exc, file=sys.stderr)
        return EXIT_USAGE
    except ProgramNotRunnable as exc:
        print("gilviz: %s" % visible(exc), file=sys.stderr)  # a program's name, its output: outside text
        return exc.exit_code
    except LabError as exc:
        print("gilviz: the lab failed: %s" % visible(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print("gilviz: %s" % ("stopped (SIGTERM)" if terminated else "interrupted"), file=sys.stderr)
        return 143 if terminated else 130
    except BrokenPipeError:
        return 0
    finally:
        if on_term is not None:
            signal.signal(signal.SIGTERM, on_term)
