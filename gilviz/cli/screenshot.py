"""``gilviz screenshot KEY|TRACE -o FILE``: an SVG or PNG of the dashboard at a moment of a run or a trace.

With ``--compare "KEY [OPTIONS]"``, a second run is drawn under the first on one time scale.
"""

from __future__ import annotations

import argparse
import os
import signal
from dataclasses import replace

from gilviz.cli.errors import Parser, UsageError
from gilviz.cli.options import (
    add_at_option,
    add_lab_options,
    add_output_option,
    add_theme_option,
    add_variant_options,
    check_options,
    choice,
    run_config,
    scenario_key,
    switch_interval_ms,
    terminal_size,
    workers_count,
)
from gilviz.cli.shared import check_moment, check_writable, load_trace, record_run, write_output
from gilviz.formats import SCREENSHOTS, screenshot_format_of
from gilviz.lab.scenarios import BY_KEY, SIZES

NAME = "screenshot"


def add_parser(commands) -> None:
    shot = commands.add_parser(NAME, help="write an SVG or PNG of the dashboard at a moment of a run or a trace")
    shot.add_argument("source", metavar="KEY|TRACE", help="a scenario key (run it now) or a trace file (replay it)")
    add_output_option(shot, "the file to write: %s" % " or ".join(p.suffix for p in SCREENSHOTS.values()))
    add_at_option(shot, "seconds into the trace (default: its end)")
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


def _stop_at_once(signum: int, frame: object) -> None:
    """Around a headless picture (nothing written yet, nothing to close): one line and out, at once."""
    os.write(2, b"gilviz: stopped by a signal before the picture was written\n")
    os._exit(128 + signum)


def compared_config(spec: str, first):
    """``--compare "KEY [OPTIONS]"``: the second run, with the first's interpreter, size and start method by default."""
    import shlex

    words = shlex.split(spec)
    if not words:
        raise UsageError('--compare needs a scenario, e.g. --compare "procs-cpu" (see gilviz list)')
    p = Parser(prog="--compare", add_help=False)
    p.add_argument("--workers", type=workers_count)
    add_variant_options(p)
    p.add_argument("--switch-interval", type=switch_interval_ms, default=None)
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


def screenshot_format(path: str) -> str:
    """svg or png, from the output's extension (``gilviz.formats.SCREENSHOTS``)."""
    fmt = screenshot_format_of(path)
    if fmt is None:
        suffixes = " or ".join(p.suffix for p in SCREENSHOTS.values())
        raise UsageError(
            "cannot tell the format of %s: a screenshot is %s (end the file name in %s)" % (path, suffixes, suffixes)
        )
    return fmt


def the_trace(args: argparse.Namespace):
    """The trace to draw, and whether it was run just now: a scenario key is run (with ``--compare``), a file read."""
    import tempfile

    looks_like_a_path = os.sep in args.source or args.source.endswith((".jsonl", ".gz", ".json"))
    if args.source in BY_KEY or not (os.path.exists(args.source) or looks_like_a_path):
        config = run_config(args, scenario_key(args.source))
        also = [compared_config(args.compare, config)] if args.compare else []
        with tempfile.TemporaryDirectory(prefix="gilviz-") as tmp:
            path = os.path.join(tmp, "run.jsonl")
            record_run(config, path, *also)
            return load_trace(path), True, config if also else None
    if args.compare:
        raise UsageError(
            "--compare runs scenarios: give a scenario KEY first, not a trace (gilviz screenshot KEY --compare KEY2)"
        )
    trace = load_trace(args.source)
    check_moment(args.at, trace)
    return trace, False, None


def command(args: argparse.Namespace) -> int:
    from gilviz.ui.screenshot import render

    fmt = screenshot_format(args.output)
    check_writable(args.output, args.source)
    trace, live, pin = the_trace(args)
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
