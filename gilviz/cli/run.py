"""``gilviz run KEY``: one scenario (N times with ``--repeats``) without the dashboard, its report printed."""

from __future__ import annotations

import argparse
import json

from gilviz.cli.options import (
    add_json_option,
    add_lab_options,
    add_repeats_option,
    add_scenario_argument,
    add_variant_options,
    run_config,
    scenario_key,
)
from gilviz.cli.shared import _interruptible

NAME = "run"


def add_parser(commands) -> None:
    run = commands.add_parser(NAME, help="run one scenario without the dashboard and print what was measured")
    add_scenario_argument(run)
    add_lab_options(run)
    add_json_option(run)
    add_repeats_option(run, 1, "run it N times (1-50), each after a baseline run of its own; report the median and range")
    add_variant_options(run)


def command(args: argparse.Namespace) -> int:
    from gilviz.measure import Session
    from gilviz.report import to_json, to_text

    config = run_config(args, scenario_key(args.scenario))
    session = Session()
    report = _interruptible(lambda cancel: session.repeat(config, args.repeats, cancel=cancel))
    print(json.dumps(to_json(report), indent=2) if args.json else to_text(report))
    return 1 if report.result.get("failed") or report.result.get("error") else 0
