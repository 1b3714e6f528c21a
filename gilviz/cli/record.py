"""``gilviz record KEY -o FILE``: one scenario, after its baseline, recorded to a trace file."""

from __future__ import annotations

import argparse
import os
import sys

from gilviz.cli.options import (
    add_lab_options,
    add_output_option,
    add_scenario_argument,
    add_variant_options,
    run_config,
    scenario_key,
)
from gilviz.cli.shared import record_run

NAME = "record"


def add_parser(commands) -> None:
    record = commands.add_parser(NAME, help="run one scenario (after its baseline) and record it to a trace file")
    add_scenario_argument(record)
    add_output_option(record, "the trace file to write (JSON lines)")
    add_lab_options(record)
    add_variant_options(record)


def command(args: argparse.Namespace) -> int:
    from gilviz.report import to_text

    report = record_run(run_config(args, scenario_key(args.scenario)), args.output)
    print(to_text(report))
    if report.result.get("errors"):  # the recording stopped early (a full disk): said in one line, no file to name
        print("gilviz: %s" % "; ".join(report.result["errors"]), file=sys.stderr)
        return 1
    size_kb = os.path.getsize(args.output) // 1024
    print("\nrecorded to %s (%d KB); `gilviz replay %s` shows it" % (args.output, size_kb, args.output))
    return 1 if report.result.get("failed") or report.result.get("error") else 0
