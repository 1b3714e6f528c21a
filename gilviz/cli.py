"""The command line (layer: CLI): the one place where user input becomes errors and exit codes.

Bad input prints one line to stderr (what is wrong, and a hint) and exits with 2; never
a traceback. Commands: the dashboard (no command), ``list``, ``run``, ``bench``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import threading
from typing import Callable, NoReturn

from gilviz import __version__
from gilviz.lab.scenarios import BY_KEY, EXECUTORS, KEYS, MAX_WORKERS, SCENARIOS, SIZES

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input: the message is one line that says what is wrong and what to do."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("%s (see %s --help)" % (message, self.prog))


def workers_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number from 1 to %d, not %r" % (MAX_WORKERS, text)) from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError("a whole number from 1 to %d, not %d" % (MAX_WORKERS, value))
    return value


def scenario_key(text: str) -> str:
    if text in BY_KEY:
        return text
    close = difflib.get_close_matches(text, KEYS, n=1, cutoff=0.5)
    hint = "did you mean %r? " % close[0] if close else ""
    raise UsageError("unknown scenario %r; %s(one of: %s)" % (text, hint, ", ".join(KEYS)))


def choice(name: str, options: tuple[str, ...]) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text not in options:
            close = difflib.get_close_matches(text, options, n=1, cutoff=0.5)
            hint = "did you mean %r? " % close[0] if close else ""
            raise argparse.ArgumentTypeError("%r is not one of %s; %s" % (text, ", ".join(options), hint or "pick one"))
        return text

    return check


def add_lab_options(p: argparse.ArgumentParser) -> None:
    """What a run needs: workers, size, interpreter, start method (the dashboard, run and bench)."""
    p.add_argument("--workers", type=workers_count, help="workers (threads or processes); default: the scenario's own")
    p.add_argument(
        "--size",
        type=choice("--size", tuple(SIZES)),
        default="demo",
        help="tiny, demo (default, ~2-4 s) or seed (the textbook's own numbers)",
    )
    p.add_argument("--python", default=None, metavar="PATH", help="run the lab under this interpreter (CPython >= 3.9)")
    p.add_argument(
        "--start-method",
        type=choice("--start-method", ("fork", "spawn", "forkserver")),
        default=None,
        help="multiprocessing start method (default: the interpreter's)",
    )


def build_parser() -> Parser:
    parser = Parser(prog="gilviz", description="See how Python runs concurrent code: threads, processes, pools, the GIL.")
    parser.add_argument("--version", action="version", version="gilviz " + __version__)
    parser.add_argument("--scenario", default=SCENARIOS[0].key, help="the scenario the dashboard starts on")
    add_lab_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("list", help="scenario keys and their lessons").add_argument("--json", action="store_true")

    run = commands.add_parser("run", help="run one scenario without the dashboard and print what was measured")
    run.add_argument("scenario", help="a key from `gilviz list`")
    add_lab_options(run)
    run.add_argument("--json", action="store_true", help="print one JSON document")
    run.add_argument(
        "--lock", action=argparse.BooleanOptionalAction, default=False, help="race: protect the counter with a threading.Lock"
    )
    run.add_argument("--executor", type=choice("--executor", EXECUTORS), default="thread", help="pools: thread or process")

    bench = commands.add_parser("bench", help="the textbook's claims and the observer's overhead, measured side by side")
    add_lab_options(bench)
    bench.add_argument("--json", action="store_true", help="print one JSON document")
    bench.add_argument("--repeats", type=int, default=3, help="watched/unwatched pairs for the overhead (default 3)")
    return parser


def run_config(args: argparse.Namespace, scenario: str):
    from gilviz.interpreter import InterpreterError, check_python
    from gilviz.measure import RunConfig

    python = sys.executable
    if args.python is not None:
        try:
            python = check_python(args.python)
        except InterpreterError as exc:
            raise UsageError("%s (try the path of a python3.9+ executable)" % exc) from None
    return RunConfig(
        scenario,
        workers=args.workers,
        size=args.size,
        lock=getattr(args, "lock", False),
        executor=getattr(args, "executor", "thread"),
        python=python,
        start_method=args.start_method,
    )


def cmd_list(args: argparse.Namespace) -> int:
    if args.json:
        doc = [
            {"key": s.key, "title": s.title, "summary": s.summary, "lesson": s.lesson, "workers": s.workers, "code": s.code}
            for s in SCENARIOS
        ]
        print(json.dumps(doc, indent=2))
        return 0
    width = max(len(k) for k in KEYS)
    for i, s in enumerate(SCENARIOS, 1):
        print("%d  %-*s  %-32s %s" % (i, width, s.key, s.title, s.summary))
    return 0


def _interruptible(work, *args, **kwargs):
    """Run ``work`` with a cancel event that ctrl+c sets, so the lab is always ended cleanly."""
    cancel = threading.Event()
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = work(*args, cancel=cancel, **kwargs)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="gilviz-run")
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        cancel.set()
        thread.join()
        raise
    if "error" in box:
        raise box["error"]
    return box["value"]


def cmd_run(args: argparse.Namespace) -> int:
    from gilviz.measure import Session
    from gilviz.report import to_json, to_text

    config = run_config(args, scenario_key(args.scenario))
    session = Session()
    report = _interruptible(lambda cancel: session.run(config, cancel=cancel))
    print(json.dumps(to_json(report), indent=2) if args.json else to_text(report))
    return 1 if report.result.get("failed") or report.result.get("error") else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from gilviz.bench import format_bench, run_bench

    if not 1 <= args.repeats <= 50:
        raise UsageError("--repeats takes a whole number from 1 to 50, not %d" % args.repeats)
    config = run_config(args, "threads-cpu")
    progress = (lambda _: None) if args.json else (lambda label: print("  measuring " + label + " …", file=sys.stderr))
    doc = run_bench(config, repeats=args.repeats, progress=progress)
    print(json.dumps(doc, indent=2) if args.json else format_bench(doc))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from gilviz.ui.app import GilvizApp

    GilvizApp(run_config(args, scenario_key(args.scenario))).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    from gilviz.labproc import LabError

    try:
        args = build_parser().parse_args(argv)
        handler = {"list": cmd_list, "run": cmd_run, "bench": cmd_bench}.get(args.command, cmd_dashboard)
        return handler(args)
    except UsageError as exc:
        print("gilviz: %s" % exc, file=sys.stderr)
        return EXIT_USAGE
    except LabError as exc:
        print("gilviz: the lab failed: %s" % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gilviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
