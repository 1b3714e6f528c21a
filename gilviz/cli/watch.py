"""``gilviz watch -- PROGRAM`` (or ``--pid``): any program's threads, from the kernel, in the dashboard or as JSON.

A program that cannot start exits 127 or 126, as a shell would; with ``--json``, gilviz exits with
the watched program's own status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace

from gilviz.cli.errors import ProgramNotRunnable, UsageError
from gilviz.cli.options import INTERVAL_MS, add_json_option, add_record_option, add_theme_option, number_in, positive_int
from gilviz.cli.shared import (
    _interruptible,
    check_screenshot_dir,
    check_writable,
    need_terminal,
    open_trace_writer,
    terminations_interrupt,
)

NAME = "watch"


def add_parser(commands) -> None:
    watch = commands.add_parser(
        NAME,
        help="watch any program: each thread's state from the kernel (gilviz watch -- python app.py)",
        description="Start PROGRAM (or attach to --pid) and show what each of its threads and child processes "
        "does: running, waiting for the GIL, for a core, on a lock, on I/O. With --json, print one JSON document "
        "when it ends and exit with its exit status.",
    )
    watch.add_argument("--pid", type=positive_int, default=None, help="attach to this running process instead (q detaches)")
    add_json_option(watch, "no dashboard: print one JSON document when the program ends")
    watch.add_argument("--log", metavar="PATH", default=None, help="dashboard: where the program's output goes")
    add_record_option(watch, "record the watch to this trace file")
    watch.add_argument(
        "--interval",
        type=number_in(*INTERVAL_MS, "a number of milliseconds"),
        default=None,
        metavar="MS",
        help="the sampler's tick while threads change, in ms (default 10; like top -d, larger costs less)",
    )
    add_theme_option(watch)
    watch.add_argument("program", nargs=argparse.REMAINDER, metavar="-- PROGRAM [ARGS ...]", help="the program to start")


def watch_config(args: argparse.Namespace, output: str | None):
    """The program to watch, checked before anything starts (exit 127 / 126 as a shell would)."""
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


def output_log(args: argparse.Namespace) -> str:
    """Where a watched program's output goes in the dashboard: --log, or a new file in the temp directory."""
    import tempfile

    if args.log:
        check_writable(args.log)
        return os.path.abspath(args.log)
    fd, path = tempfile.mkstemp(prefix="gilviz-watch-%s-" % time.strftime("%Y%m%d-%H%M%S"), suffix=".log")
    os.close(fd)
    return path


def check_dashboard(args: argparse.Namespace) -> None:
    """Before the dashboard starts: a program to watch (or a process to attach to), a screenshot directory, a terminal."""
    from gilviz.watch import WatchError

    watch_config(args, output=None)  # refuse a missing program before anything else
    if args.pid is not None:
        from gilviz.watch import check_attachable

        try:
            check_attachable(args.pid)  # said in one line now, not in a dashboard that has nothing to show
        except WatchError as exc:
            raise UsageError(str(exc)) from None
    check_screenshot_dir(args.screenshot_dir)
    need_terminal("`gilviz watch --json -- PROGRAM`")


def command(args: argparse.Namespace) -> int:
    from gilviz.report import to_json
    from gilviz.watch import WatchError, watch_program

    if not args.json:
        check_dashboard(args)
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
