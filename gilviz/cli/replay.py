"""``gilviz replay TRACE``: a recorded trace in the dashboard, as it ran (or frozen ``--at`` a moment)."""

from __future__ import annotations

import argparse

from gilviz.cli.options import add_at_option, add_theme_option, add_trace_argument, speed_factor
from gilviz.cli.shared import check_moment, check_screenshot_dir, load_trace, need_terminal

NAME = "replay"


def add_parser(commands) -> None:
    replay = commands.add_parser(NAME, help="show a recorded trace in the dashboard, as it ran")
    add_trace_argument(replay)
    add_at_option(replay, "show the moment this far in, frozen")
    replay.add_argument("--speed", type=speed_factor, default=1.0, help="playback speed factor (default 1)")
    add_theme_option(replay)


def command(args: argparse.Namespace) -> int:
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
