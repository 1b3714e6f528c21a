"""``gilviz`` with no command: the dashboard on a scenario (the top level's own options, and the command).

The UI is imported only here, inside the command, so the other commands never load textual.
"""

from __future__ import annotations

import argparse
import sys

from gilviz.cli.options import (
    add_lab_options,
    add_record_option,
    add_screenshot_options,
    add_theme_option,
    run_config,
    scenario_key,
)
from gilviz.cli.shared import check_screenshot_dir, need_terminal, open_trace_writer
from gilviz.lab.scenarios import SCENARIOS


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default=SCENARIOS[0].key, help="the scenario the dashboard starts on")
    add_lab_options(parser)
    add_theme_option(parser)
    add_record_option(parser, "record every run of the session to this trace file")
    add_screenshot_options(parser)


def command(args: argparse.Namespace) -> int:
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
