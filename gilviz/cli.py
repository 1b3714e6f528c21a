"""The command line (layer: CLI): the one place where user input becomes errors and exit codes.

Bad input prints one line to stderr (what is wrong, and a hint) and exits with 2; never
a traceback. Commands: the dashboard (no command), ``list``, ``run``, ``bench``,
``record``, ``replay``, ``screenshot`` and ``export``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from typing import Callable, NoReturn

from gilviz import __version__
from gilviz.lab.scenarios import BY_KEY, EXECUTORS, KEYS, MAX_TASKS, MAX_WORKERS, SCENARIOS, SIZES

EXIT_USAGE = 2
SCREENSHOT_FORMATS = ("svg", "png")  # gilviz.ui.screenshot.FORMATS, without importing the UI


class UsageError(Exception):
    """Bad input: the message is one line that says what is wrong and what to do."""


class Terminated(KeyboardInterrupt):
    """SIGTERM: stops a command the way ctrl+c does (its lab ended, its recording closed), then exit 143."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def _stop_at_once(signum: int, frame: object) -> None:
    """Around a headless picture (nothing written yet, nothing to close): one line and out, at once."""
    os.write(2, b"gilviz: stopped by a signal before the picture was written\n")
    os._exit(128 + signum)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("%s (see %s --help)" % (message, self.prog))


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
        type=choice("--start-method", ("fork", "spawn", "forkserver")),
        default=None,
        help="multiprocessing start method (default: the interpreter's)",
    )
    p.add_argument(
        "--switch-interval",
        type=number_in(*SWITCH_INTERVAL_MS, "a number of milliseconds"),
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


def build_parser() -> Parser:
    parser = Parser(prog="gilviz", description="See how Python runs concurrent code: threads, processes, pools, the GIL.")
    parser.add_argument("--version", action="version", version="gilviz " + __version__)
    parser.add_argument("--scenario", default=SCENARIOS[0].key, help="the scenario the dashboard starts on")
    add_lab_options(parser)
    add_theme_option(parser)
    parser.add_argument("--record", metavar="PATH", help="record every run of the session to this trace file")
    parser.add_argument("--screenshot-dir", default=".", metavar="DIR", help="where the s key saves screenshots (default: here)")
    parser.add_argument(
        "--screenshot-format",
        type=choice("--screenshot-format", SCREENSHOT_FORMATS),
        default="svg",
        help="what the s key saves: svg (default) or png",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("list", help="scenario keys and their lessons").add_argument("--json", action="store_true")

    run = commands.add_parser("run", help="run one scenario without the dashboard and print what was measured")
    run.add_argument("scenario", help="a key from `gilviz list`")
    add_lab_options(run)
    run.add_argument("--json", action="store_true", help="print one JSON document")
    run.add_argument(
        "--repeats",
        type=repeats_count,
        default=1,
        metavar="N",
        help="run it N times (1-50), each after a baseline run of its own; report the median and range",
    )
    add_variant_options(run)

    record = commands.add_parser("record", help="run one scenario (after its baseline) and record it to a trace file")
    record.add_argument("scenario", help="a key from `gilviz list`")
    record.add_argument("-o", "--output", required=True, metavar="PATH", help="the trace file to write (JSON lines)")
    add_lab_options(record)
    add_variant_options(record)

    replay = commands.add_parser("replay", help="show a recorded trace in the dashboard, as it ran")
    replay.add_argument("trace", metavar="TRACE", help="a file written by `gilviz record` or `gilviz --record`")
    replay.add_argument("--at", type=seconds, default=None, metavar="SECONDS", help="show the moment this far in, frozen")
    replay.add_argument("--speed", type=speed_factor, default=1.0, help="playback speed factor (default 1)")
    add_theme_option(replay)

    shot = commands.add_parser("screenshot", help="write an SVG or PNG of the dashboard at a moment of a run or a trace")
    shot.add_argument("source", metavar="KEY|TRACE", help="a scenario key (run it now) or a trace file (replay it)")
    shot.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write: .svg or .png")
    shot.add_argument("--at", type=seconds, default=None, metavar="SECONDS", help="seconds into the trace (default: its end)")
    shot.add_argument("--size", dest="terminal", type=terminal_size, default=(120, 36), metavar="COLSxROWS")
    shot.add_argument("--footer", action="store_true", help="keep the footer of keys (a still has none: nothing to press)")
    shot.add_argument(
        "--compare",
        metavar='"KEY [OPTIONS]"',
        default=None,
        help='run this too, and draw it under the first on one time scale (e.g. --compare "procs-cpu" or "race --lock")',
    )
    shot.add_argument("--present", action="store_true", help="presenter mode: header, lanes, meters and the one figure")
    shot.add_argument(
        "--work-size",
        dest="size",
        type=choice("--work-size", tuple(SIZES)),
        default="demo",
        help="how much the runs do: tiny, demo (default) or seed (--size is the picture's)",
    )
    add_theme_option(shot)
    add_lab_options(shot, size=False)
    add_variant_options(shot)

    watch = commands.add_parser(
        "watch",
        help="watch any program: each thread's state from the kernel (gilviz watch -- python app.py)",
        description="Start PROGRAM (or attach to --pid) and show what each of its threads and child processes "
        "does: running, waiting for the GIL, for a core, on a lock, on I/O. With --json, print one JSON document "
        "when it ends and exit with its exit status.",
    )
    watch.add_argument("--pid", type=positive_int, default=None, help="attach to this running process instead (q detaches)")
    watch.add_argument("--json", action="store_true", help="no dashboard: print one JSON document when the program ends")
    watch.add_argument("--log", metavar="PATH", default=None, help="dashboard: where the program's output goes")
    watch.add_argument("--record", metavar="PATH", help="record the watch to this trace file")
    watch.add_argument(
        "--interval",
        type=number_in(*INTERVAL_MS, "a number of milliseconds"),
        default=None,
        metavar="MS",
        help="the sampler's tick while threads change, in ms (default 10; like top -d, larger costs less)",
    )
    add_theme_option(watch)
    watch.add_argument("program", nargs=argparse.REMAINDER, metavar="-- PROGRAM [ARGS ...]", help="the program to start")

    export = commands.add_parser("export", help="convert a trace to Chrome trace JSON (Perfetto, chrome://tracing)")
    export.add_argument("trace", metavar="TRACE", help="a file written by `gilviz record` or `gilviz --record`")
    export.add_argument("-o", "--output", required=True, metavar="PATH", help="the .json file to write")

    bench = commands.add_parser("bench", help="the textbook's claims and the observer's overhead, measured side by side")
    add_lab_options(bench)
    bench.add_argument("--json", action="store_true", help="print one JSON document")
    bench.add_argument(
        "--repeats",
        type=repeats_count,
        default=None,
        metavar="N",
        help="watched/unwatched pairs for the overhead, 1-50 (default 9), and runs of each speed-up row (default 3)",
    )
    bench.add_argument(
        "--soak", type=minutes, default=None, metavar="MINUTES", help="instead: the dashboard, headless, switching scenarios"
    )
    return parser


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
    if getattr(args, "lock", None) is not None and scenario != "race":
        raise UsageError("--lock is for the race scenario; %s has no lock to turn on (drop --lock, or run race)" % scenario)
    if getattr(args, "executor", None) is not None and scenario != "pools":
        raise UsageError("--executor is for the pools scenario; %s runs no executor (drop --executor, or run pools)" % scenario)
    executor = getattr(args, "executor", None) or "thread"
    no_threads = not info.threads_side_by_side or (scenario == "pools" and executor == "process")
    if getattr(args, "switch_interval", None) is not None and no_threads:
        which = "pools with --executor process" if scenario == "pools" else scenario
        takers = ", ".join(s.key for s in SCENARIOS if s.threads_side_by_side)
        where = "start the dashboard on one of them with --scenario: " if args.command is None else "use it with "
        raise UsageError(
            "--switch-interval sets how often threads of one interpreter take turns, and %s runs no threads "
            "side by side (%s%s)" % (which, where, takers)
        )
    if scenario == "start-methods" and args.start_method is not None:
        raise UsageError("start-methods times fork, spawn and forkserver itself (drop --start-method)")


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


def list_entry(s, cores: int, gil_enabled: bool) -> dict:
    """One scenario for `gilviz list --json`, with its theory on this machine and interpreter."""
    from gilviz.figures import expected

    figure = expected(s.key, workers=s.workers, cores=cores, gil_enabled=gil_enabled)
    return {
        "key": s.key,
        "title": s.title,
        "summary": s.summary,
        "lesson": s.lesson,
        "workers": s.workers,
        "max_workers": s.max_workers,
        "workers_are": s.workers_are,
        "baseline": s.baseline,
        "theory": {  # on this machine (its cores) and gilviz's own interpreter
            "kind": s.theory,
            "figure": figure.name,
            "value": figure.theory,
            "unit": figure.unit,
            "says": figure.says,
            "cores": cores,
            "gil_enabled": gil_enabled,
        },
        "switch_interval": s.threads_side_by_side,
        "code": s.code,
    }


def cmd_list(args: argparse.Namespace) -> int:
    if args.json:
        from gilviz.lab.scenarios import usable_cores

        cores = usable_cores()
        gil_enabled = bool(getattr(sys, "_is_gil_enabled", lambda: True)())
        print(json.dumps([list_entry(s, cores, gil_enabled) for s in SCENARIOS], indent=2))
        return 0
    width = max(len(k) for k in KEYS)
    title_width = max(len(s.title) for s in SCENARIOS)
    for i, s in enumerate(SCENARIOS, 1):
        print("%2d  %-*s  %-*s  %s" % (i, width, s.key, title_width, s.title, s.summary))
    return 0


def _interruptible(work, *args, keep_result: bool = False, **kwargs):
    """Run ``work`` with a cancel event that ctrl+c sets, so the lab is always ended cleanly.

    ``keep_result``: after ctrl+c, return what ``work`` returned once cancelled (a watched
    program stopped or let go still has its figures), rather than raising KeyboardInterrupt.
    """
    cancel = threading.Event()
    box: dict = {}

    finished = threading.Event()  # not Thread.join: a join interrupted by ctrl+c can return early after it

    def target() -> None:
        try:
            box["value"] = work(*args, cancel=cancel, **kwargs)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            finished.set()

    thread = threading.Thread(target=target, name="gilviz-run")
    thread.start()
    try:
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        cancel.set()
        while not finished.wait(0.1):
            pass
        if not (keep_result and "value" in box):
            raise
    if "error" in box:
        raise box["error"]
    return box["value"]


def cmd_run(args: argparse.Namespace) -> int:
    from gilviz.measure import Session
    from gilviz.report import to_json, to_text

    config = run_config(args, scenario_key(args.scenario))
    session = Session()
    report = _interruptible(lambda cancel: session.repeat(config, args.repeats, cancel=cancel))
    print(json.dumps(to_json(report), indent=2) if args.json else to_text(report))
    return 1 if report.result.get("failed") or report.result.get("error") else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from gilviz.bench import format_bench, run_bench

    if args.soak is not None:
        from gilviz.ui.soak import format_soak, soak

        log = (lambda _: None) if args.json else (lambda line: print(line, file=sys.stderr))
        figures = soak(args.soak, size=args.size, progress=log)
        print(json.dumps(figures, indent=2) if args.json else format_soak(figures))
        return 0 if figures["strays_after_quit"] == 0 else 1
    config = run_config(args, "threads-cpu")
    progress = (lambda _: None) if args.json else (lambda line: print("  " + line, file=sys.stderr))
    doc = run_bench(config, repeats=args.repeats, progress=progress)
    from gilviz.ui.cost import dashboard_cpu  # the UI layer: the engine's bench cannot draw a dashboard itself

    progress("the dashboard's own CPU, threads-cpu with 4 workers at the seed size, at 120x36")
    board = replace(config, scenario="threads-cpu", workers=4, iterations=None, size="seed")  # long enough to watch
    doc["dashboard"] = dashboard_cpu(board, seconds=5.0)
    doc["dashboard"]["target"], doc["dashboard"]["limit"] = 0.03, 0.05
    from gilviz import parked
    from gilviz.ui.cost import watched_dashboard_cpu

    doc["parked"] = parked.sampler_rows(progress)  # a server: 256 and 1,024 parked threads, one bursty, two CPU
    progress("the dashboard's own CPU watching 260 lanes (256 parked threads), at 120x36")
    doc["dashboard_many"] = watched_dashboard_cpu(parked.command(256, seconds=12.0), seconds=5.0)
    doc["dashboard_many"]["target"] = 0.05
    print(json.dumps(doc, indent=2) if args.json else format_bench(doc))
    return 0


def cannot_write(path: str, reason: str) -> UsageError:
    return UsageError("cannot write %s: %s (pick a directory that exists and that you can write to)" % (path, reason))


def open_trace_writer(path: str):
    from gilviz.trace import TraceWriter

    check_writable(path)
    try:
        return TraceWriter(path)
    except OSError as exc:
        raise cannot_write(path, exc.strerror or str(exc)) from None


def load_trace(path: str):
    from gilviz.trace import TraceError, read_trace

    try:
        trace = read_trace(path)
    except TraceError as exc:
        raise UsageError("%s (make a trace with `gilviz record KEY -o FILE`)" % exc) from None
    if not trace.runs:
        raise UsageError("%s has no recorded run (make one with `gilviz record KEY -o FILE`)" % path)
    return trace


def record_run(config, path: str, *also):
    """Run ``config`` (after its baseline), then each of ``also``, into one trace at ``path``, closed however it ends."""
    from gilviz.measure import Session

    writer = open_trace_writer(path)
    try:
        session = Session(recorder=writer)
        report = None
        for each in (config, *also):
            report = _interruptible(lambda cancel, each=each: session.run(each, cancel=cancel))
        return report
    finally:
        writer.close()


def compared_config(spec: str, first):
    """``--compare "KEY [OPTIONS]"``: the second run, with the first's interpreter, size and start method by default."""
    import shlex

    words = shlex.split(spec)
    if not words:
        raise UsageError('--compare needs a scenario, e.g. --compare "procs-cpu" (see gilviz list)')
    p = Parser(prog="--compare", add_help=False)
    p.add_argument("--workers", type=workers_count)
    add_variant_options(p)
    p.add_argument("--switch-interval", type=number_in(*SWITCH_INTERVAL_MS, "a number of milliseconds"), default=None)
    options = p.parse_args(words[1:])
    key = scenario_key(words[0])
    options.command, options.start_method, options.python, options.size = "screenshot", first.start_method, None, first.size
    check_options(key, options)
    return replace(
        first,
        scenario=key,
        workers=options.workers,
        lock=bool(options.lock),
        executor=options.executor or "thread",
        switch_interval_ms=options.switch_interval,
        iterations=None,
    )


def cmd_record(args: argparse.Namespace) -> int:
    import os

    from gilviz.report import to_text

    report = record_run(run_config(args, scenario_key(args.scenario)), args.output)
    print(to_text(report))
    if report.result.get("errors"):  # the recording stopped early (a full disk): said in one line, no file to name
        print("gilviz: %s" % "; ".join(report.result["errors"]), file=sys.stderr)
        return 1
    size_kb = os.path.getsize(args.output) // 1024
    print("\nrecorded to %s (%d KB); `gilviz replay %s` shows it" % (args.output, size_kb, args.output))
    return 1 if report.result.get("failed") or report.result.get("error") else 0


def need_terminal(instead: str) -> None:
    """The dashboard draws on a terminal: without one (a pipe, a cron job, TERM=dumb), say so rather than hang.

    Textual reads keys from stdin and draws on stderr, so those two must be a terminal; and stdout too:
    `gilviz | cat` or `gilviz > file` asks for text, which `gilviz run` gives, not a dashboard.
    """
    if sys.stdin.isatty() and not sys.stdout.isatty():
        raise UsageError("stdout is not a terminal (a pipe or a file), so there is no dashboard to show; use %s" % instead)
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()) or os.environ.get("TERM") == "dumb":
        raise UsageError("the dashboard needs a terminal, and this is not one; without one, use %s" % instead)


def cmd_replay(args: argparse.Namespace) -> int:
    from gilviz.ui.app import replay_app

    trace = load_trace(args.trace)
    check_moment(args.at, trace)
    check_screenshot_dir(args.screenshot_dir)
    need_terminal("`gilviz screenshot %s -o shot.svg` or `gilviz export`" % args.trace)
    replay_app(
        trace,
        at=args.at,
        speed=args.speed,
        theme=args.theme,
        screenshot_dir=args.screenshot_dir,
        screenshot_format=args.screenshot_format,
    ).run()
    return 0


def write_output(path: str, data: str | bytes) -> None:
    from gilviz.files import write_atomically

    try:
        write_atomically(path, data)
    except OSError as exc:
        raise cannot_write(path, exc.strerror or str(exc)) from None


def check_writable(path: str, source: str | None = None) -> None:
    """Fail before any work when the output's directory is missing or not writable, when the output
    is there and not a regular file (a device, a pipe, a directory: a rename would replace it), or
    when it is the file ``source`` being read (it would be lost)."""
    import stat

    from gilviz.outside import visible

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        reason = "no such directory" if not os.path.isdir(directory) else "the directory is not writable"
        raise cannot_write(visible(path), reason)
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        what = "a directory, a device or a pipe"
        raise UsageError("cannot write %s: it is not a regular file but %s (pick a file name)" % (visible(path), what))
    if source is not None and os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source):
        raise UsageError("%s is the file being read: writing it would destroy it (pick another output file)" % visible(path))


def screenshot_format(path: str) -> str:
    """svg or png, from the output's extension."""
    import os

    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in SCREENSHOT_FORMATS:
        raise UsageError("cannot tell the format of %s: a screenshot is .svg or .png (end the file name in .png or .svg)" % path)
    return extension


def cmd_screenshot(args: argparse.Namespace) -> int:
    import os
    import tempfile

    from gilviz.ui.screenshot import render

    fmt = screenshot_format(args.output)
    check_writable(args.output, args.source)
    pin = None
    looks_like_a_path = os.sep in args.source or args.source.endswith((".jsonl", ".gz", ".json"))
    if args.source in BY_KEY or not (os.path.exists(args.source) or looks_like_a_path):
        config = run_config(args, scenario_key(args.source))
        also = [compared_config(args.compare, config)] if args.compare else []
        pin = config if also else None
        with tempfile.TemporaryDirectory(prefix="gilviz-") as tmp:
            path = os.path.join(tmp, "run.jsonl")
            record_run(config, path, *also)
            trace = load_trace(path)
        live = True
    else:
        if args.compare:
            raise UsageError(
                "--compare runs scenarios: give a scenario KEY first, not a trace (gilviz screenshot KEY --compare KEY2)"
            )
        trace = load_trace(args.source)
        check_moment(args.at, trace)
        live = False
    at = trace.after_end_s if args.at is None else args.at
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = [signal.signal(sig, _stop_at_once) for sig in stops]  # the headless app's loop may be busy drawing
    try:
        picture = render(
            trace, at, size=args.terminal, theme=args.theme, fmt=fmt, live=live, footer=args.footer, pin=pin, present=args.present
        )
    finally:
        for sig, handler in zip(stops, previous):
            signal.signal(sig, handler)
    write_output(args.output, picture)
    print("wrote %s (%s at %.1f s, %dx%d, %s theme)" % (args.output, args.source, at, *args.terminal, args.theme))
    return 0


def check_moment(at: float | None, trace) -> None:
    """``--at`` must fall inside the trace (a moment after its end would show a screen that never was)."""
    if at is not None and at > trace.after_end_s:
        raise UsageError(
            "--at %g is past the end of %s: it is %.1f s long (pick --at from 0 to %.1f)"
            % (at, trace.path, trace.duration_s, trace.duration_s)
        )


def check_screenshot_dir(path: str) -> None:
    """The s key saves there: a missing or read-only directory is said now, not when s is pressed."""
    if not os.path.isdir(path):
        raise UsageError("--screenshot-dir %s: no such directory (make it, or pick one that exists)" % path)
    if not os.access(path, os.W_OK):
        raise UsageError("--screenshot-dir %s: not writable (pick a directory you can write to)" % path)


def cmd_export(args: argparse.Namespace) -> int:
    from gilviz.chrome_trace import to_chrome_trace

    check_writable(args.output, args.trace)
    trace = load_trace(args.trace)
    doc = to_chrome_trace(trace)
    write_output(args.output, json.dumps(doc))
    print("wrote %s (%d events); open it in https://ui.perfetto.dev or chrome://tracing" % (args.output, len(doc["traceEvents"])))
    return 0


def watch_config(args: argparse.Namespace, output: str | None):
    """The program to watch, checked before anything starts (exit 127 / 126 as a shell would)."""
    import os
    import shutil

    from gilviz.model import WatchConfig

    program = list(args.program)
    if program[:1] == ["--"]:
        program = program[1:]
    if args.pid is not None:
        if program:
            raise UsageError("give a PROGRAM or --pid, not both (see gilviz watch --help)")
        return WatchConfig(pid=args.pid)
    if not program:
        raise UsageError("what should gilviz watch? e.g. gilviz watch -- python app.py, or gilviz watch --pid PID")
    name = program[0]
    found = name if os.sep in name else shutil.which(name)
    if found is None or not os.path.exists(found):
        raise ProgramNotRunnable("cannot find %s (is it on PATH?)" % name, 127)
    if os.path.isdir(found) or not os.access(found, os.X_OK):
        raise ProgramNotRunnable("cannot run %s: it is not an executable file" % name, 126)
    return WatchConfig(tuple(program), output=output)


class ProgramNotRunnable(Exception):
    """The program to watch cannot be started: exit with ``exit_code``, as a shell would."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def output_log(args: argparse.Namespace) -> str:
    """Where a watched program's output goes in the dashboard: --log, or a new file in the temp directory."""
    import tempfile

    if args.log:
        check_writable(args.log)
        return os.path.abspath(args.log)
    fd, path = tempfile.mkstemp(prefix="gilviz-watch-%s-" % time.strftime("%Y%m%d-%H%M%S"), suffix=".log")
    os.close(fd)
    return path


def cmd_watch(args: argparse.Namespace) -> int:
    from gilviz.report import to_json
    from gilviz.watch import WatchError, watch_program

    if not args.json:
        watch_config(args, output=None)  # refuse a missing program before anything else
        if args.pid is not None:
            from gilviz.watch import check_attachable

            try:
                check_attachable(args.pid)  # said in one line now, not in a dashboard that has nothing to show
            except WatchError as exc:
                raise UsageError(str(exc)) from None
        check_screenshot_dir(args.screenshot_dir)
        need_terminal("`gilviz watch --json -- PROGRAM`")
    config = watch_config(args, output=None if args.json or args.pid else output_log(args))
    if args.pid is not None:
        from gilviz.watch import owner_note

        note = owner_note(args.pid)
        if note:
            print("gilviz: %s" % note, file=sys.stderr)
    if args.interval is not None:
        config = replace(config, interval_s=args.interval / 1000)
    writer = open_trace_writer(args.record) if args.record else None
    try:
        if not args.json:
            return watch_dashboard(args, config, writer)
        try:
            with terminations_interrupt():  # SIGTERM and SIGHUP stop the watch as ctrl+c does: the document still comes
                report = _interruptible(lambda cancel: watch_program(config, cancel=cancel, recorder=writer), keep_result=True)
        except WatchError as exc:
            raise ProgramNotRunnable(str(exc), exc.exit_code) from None
    finally:
        if writer is not None:
            writer.close()
            if writer.error:
                print("gilviz: %s" % writer.error, file=sys.stderr)
    print(json.dumps(to_json(report), indent=2))
    left = report.result.get("left_behind") or []
    if left:
        from gilviz.outside import visible

        named = ", ".join("%s (%s)" % (p.get("pid"), visible(p.get("name", "?"), 64)) for p in left[:10])
        print("gilviz: the program left %d processes running: %s; they end with the watch" % (len(left), named), file=sys.stderr)
    code = report.result.get("exit_code")
    return code if isinstance(code, int) else 0


class terminations_interrupt:  # noqa: N801 (used as a `with` statement, like contextlib's)
    """While inside: SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, as ctrl+c does."""

    def __enter__(self) -> None:
        import signal

        def interrupt(signum, frame):
            raise KeyboardInterrupt

        self.saved = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def __exit__(self, *exc_info) -> None:
        import signal

        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


def watch_dashboard(args: argparse.Namespace, config, writer) -> int:
    """The dashboard on a watched program; exits with the program's status once it has ended."""
    from gilviz.sources.watch import WatchSource
    from gilviz.ui.app import GilvizApp

    app = GilvizApp(
        WatchSource(config, recorder=writer),
        theme=args.theme,
        screenshot_dir=args.screenshot_dir,
        screenshot_format=args.screenshot_format,
    )
    code = app.run()
    if config.output:
        print("gilviz: the program's output is in %s" % config.output, file=sys.stderr)
    return code if isinstance(code, int) else 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from gilviz.measure import Session
    from gilviz.ui.app import scenario_app

    config = run_config(args, scenario_key(args.scenario))
    check_screenshot_dir(args.screenshot_dir)
    need_terminal("`gilviz run %s`" % config.scenario)
    writer = open_trace_writer(args.record) if args.record else None
    try:
        scenario_app(
            config,
            session=Session(recorder=writer),
            theme=args.theme,
            screenshot_dir=args.screenshot_dir,
            screenshot_format=args.screenshot_format,
        ).run()
    finally:
        if writer is not None:
            writer.close()
            print("gilviz: %s" % writer.error if writer.error else "recorded to %s" % args.record, file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    from gilviz.labproc import LabError
    from gilviz.outside import visible

    on_term = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        args = build_parser().parse_args(argv)
        commands = {
            "list": cmd_list,
            "run": cmd_run,
            "bench": cmd_bench,
            "record": cmd_record,
            "replay": cmd_replay,
            "screenshot": cmd_screenshot,
            "export": cmd_export,
            "watch": cmd_watch,
        }
        handler = commands.get(args.command, cmd_dashboard)
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
