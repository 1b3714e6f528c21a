"""The command line's option values and the option groups several commands share, each defined once.

The value types (``workers_count``, ``number_in``, ``terminal_size``, ...) turn text into values or
say, in one line, what was expected; ``run_config`` turns a command's options into a ``RunConfig``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Callable

from gilviz.cli.errors import UsageError
from gilviz.formats import DEFAULT_SCREENSHOT, SCREENSHOT_FORMATS, SCREENSHOTS, names
from gilviz.lab.scenarios import BY_KEY, EXECUTORS, KEYS, MAX_TASKS, MAX_WORKERS, SCENARIOS, SIZES, START_METHODS

WORKERS_RANGE = "a whole number from 1 to %d (asyncio: tasks, up to %d)" % (MAX_WORKERS, MAX_TASKS)
SWITCH_INTERVAL_MS = (0.1, 1000.0)


def workers_count(text: str) -> int:
    """--workers as a number; whether the scenario takes that many is checked in run_config."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%s, not %r" % (WORKERS_RANGE, text)) from None
    if not 1 <= value <= max(s.max_workers for s in SCENARIOS):
        raise argparse.ArgumentTypeError("%s, not %d" % (WORKERS_RANGE, value))
    return value


def scenario_key(text: str) -> str:
    if text in BY_KEY:
        return text
    close = difflib.get_close_matches(text, KEYS, n=1, cutoff=0.5)
    hint = "did you mean %r? " % close[0] if close else ""
    raise UsageError("unknown scenario %r; %sone of: %s" % (text, hint, ", ".join(KEYS)))


def choice(name: str, options: tuple[str, ...]) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text not in options:
            close = difflib.get_close_matches(text, options, n=1, cutoff=0.5)
            hint = "did you mean %r? " % close[0] if close else ""
            raise argparse.ArgumentTypeError("%r is not one of %s; %s" % (text, ", ".join(options), hint or "pick one"))
        return text

    return check


def number_in(low: float, high: float, what: str) -> Callable[[str], float]:
    """An argparse type: a number from ``low`` to ``high`` (``what`` names it in the message)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%s, not %r" % (what, text)) from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError("%s from %g to %g, not %s" % (what, low, high, text))
        return value

    return parse


seconds = number_in(0, 1e6, "a number of seconds")
INTERVAL_MS = (1, 10_000)  # watch --interval: the sampler's tick, in ms
speed_factor = number_in(0.05, 100, "a speed factor such as 0.5 or 2")
minutes = number_in(0.1, 600, "a number of minutes")
switch_interval_ms = number_in(*SWITCH_INTERVAL_MS, "a number of milliseconds")


REPEATS = (1, 50)


def repeats_count(text: str) -> int:
    """--repeats: a whole number from 1 to 50."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number from %d to %d, not %r" % (*REPEATS, text)) from None
    if not REPEATS[0] <= value <= REPEATS[1]:
        raise argparse.ArgumentTypeError("a whole number from %d to %d, not %d (try 5)" % (*REPEATS, value))
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a process id (a whole number), not %r" % text) from None
    if value < 1:
        raise argparse.ArgumentTypeError("a process id is 1 or more, not %d" % value)
    return value


def terminal_size(text: str) -> tuple[int, int]:
    cols, sep, rows = text.lower().partition("x")
    try:
        size = (int(cols), int(rows))
    except ValueError:
        raise argparse.ArgumentTypeError("COLSxROWS such as 120x36, not %r" % text) from None
    if not (sep and 60 <= size[0] <= 400 and 16 <= size[1] <= 200):
        raise argparse.ArgumentTypeError("COLSxROWS from 60x16 to 400x200, not %r" % text)
    return size


def add_lab_options(p: argparse.ArgumentParser, *, size: bool = True) -> None:
    """What a run needs: workers, size, interpreter, start method (the dashboard, run, record, bench)."""
    p.add_argument("--workers", type=workers_count, help="workers (threads or processes); default: the scenario's own")
    if size:  # `screenshot --size` is the terminal's size; its runs are demo-sized
        p.add_argument(
            "--size",
            type=choice("--size", tuple(SIZES)),
            default="demo",
            help="tiny, demo (default, ~2-4 s) or seed (the textbook's own numbers)",
        )
    p.add_argument("--python", default=None, metavar="PATH", help="run the lab under this interpreter (CPython >= 3.9)")
    p.add_argument(
        "--start-method",
        type=choice("--start-method", START_METHODS),
        default=None,
        help="multiprocessing start method (default: the interpreter's)",
    )
    p.add_argument(
        "--switch-interval",
        type=switch_interval_ms,
        default=None,
        metavar="MS",
        help="sys.setswitchinterval for the run, in ms (slow motion: 50); thread scenarios only",
    )


def add_variant_options(p: argparse.ArgumentParser) -> None:
    """The race's lock and the pools' executor (run and record)."""
    p.add_argument(
        "--lock", action=argparse.BooleanOptionalAction, default=None, help="race: protect the counter with a threading.Lock"
    )
    p.add_argument("--executor", type=choice("--executor", EXECUTORS), default=None, help="pools: thread or process")


def add_theme_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--theme", type=choice("--theme", ("dark", "light")), default="dark", help="dark (default) or light")


def add_screenshot_options(p: argparse.ArgumentParser) -> None:
    """Where the dashboard's s key saves, and as what (the dashboard's own options; replay and watch read them)."""
    p.add_argument("--screenshot-dir", default=".", metavar="DIR", help="where the s key saves screenshots (default: here)")
    p.add_argument(
        "--screenshot-format",
        type=choice("--screenshot-format", SCREENSHOT_FORMATS),
        default=DEFAULT_SCREENSHOT,
        help="what the s key saves: %s" % names(SCREENSHOTS, DEFAULT_SCREENSHOT),
    )


def add_json_option(p: argparse.ArgumentParser, text: str | None = "print one JSON document") -> None:
    p.add_argument("--json", action="store_true", help=text)


def add_record_option(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--record", metavar="PATH", help=text)


def add_output_option(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("-o", "--output", required=True, metavar="PATH", help=text)


def add_repeats_option(p: argparse.ArgumentParser, default: int | None, text: str) -> None:
    p.add_argument("--repeats", type=repeats_count, default=default, metavar="N", help=text)


def add_at_option(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--at", type=seconds, default=None, metavar="SECONDS", help=text)


def add_scenario_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="a key from `gilviz list`")


def add_trace_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("trace", metavar="TRACE", help="a file written by `gilviz record` or `gilviz --record`")


def check_options(scenario: str, args: argparse.Namespace) -> None:
    """What a scenario cannot take: too many workers, a switch interval without threads, a start method it sets itself."""
    info = BY_KEY[scenario]
    if args.workers is not None and args.workers > info.max_workers:
        if info.max_workers == 1:
            raise UsageError(
                "argument --workers: %s runs 1 (%s), not %d; drop --workers (--size sets how much it does)"
                % (scenario, info.workers_are, args.workers)
            )
        raise UsageError(
            "argument --workers: %s takes 1 to %d %s, not %d (try --workers %d)"
            % (scenario, info.max_workers, info.workers_are, args.workers, info.max_workers)
        )
    for other in SCENARIOS:  # a variant's option (--lock, --executor) on a lesson without that variant
        option = other.variant_option
        if option is not None and getattr(args, option, None) is not None and option != info.variant_option:
            raise UsageError(other.variant_misuse % scenario)
    executor = getattr(args, "executor", None) or "thread"
    if getattr(args, "switch_interval", None) is not None and not info.runs_threads_side_by_side(executor):
        which = scenario + (" with %s %s" % (info.variant_flag, executor) if info.variant_option == "executor" else "")
        takers = ", ".join(s.key for s in SCENARIOS if s.threads_side_by_side)
        where = "start the dashboard on one of them with --scenario: " if args.command is None else "use it with "
        raise UsageError(
            "--switch-interval sets how often threads of one interpreter take turns, and %s runs no threads "
            "side by side (%s%s)" % (which, where, takers)
        )
    if info.times_start_methods and args.start_method is not None:
        raise UsageError("%s times fork, spawn and forkserver itself (drop --start-method)" % scenario)


def run_config(args: argparse.Namespace, scenario: str):
    from gilviz.interpreter import InterpreterError, check_python
    from gilviz.model import RunConfig

    check_options(scenario, args)
    python = sys.executable
    if args.python is not None:
        try:
            python = check_python(args.python)
        except InterpreterError as exc:
            raise UsageError("%s (try the path of a python3.9+ executable)" % exc) from None
    return RunConfig(
        scenario,
        workers=args.workers,
        size=getattr(args, "size", "demo"),
        lock=bool(getattr(args, "lock", None)),
        executor=getattr(args, "executor", None) or "thread",
        python=python,
        start_method=args.start_method,
        switch_interval_ms=getattr(args, "switch_interval", None),
    )
