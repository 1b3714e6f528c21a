"""``gilviz export TRACE -o FILE``: a trace as Chrome trace JSON (Perfetto, chrome://tracing)."""

from __future__ import annotations

import argparse
import json

from gilviz.cli.options import add_output_option, add_trace_argument
from gilviz.cli.shared import check_writable, load_trace, write_output

NAME = "export"


def add_parser(commands) -> None:
    export = commands.add_parser(NAME, help="convert a trace to Chrome trace JSON (Perfetto, chrome://tracing)")
    add_trace_argument(export)
    add_output_option(export, "the .json file to write")


def command(args: argparse.Namespace) -> int:
    from gilviz.chrome_trace import to_chrome_trace

    check_writable(args.output, args.trace)
    trace = load_trace(args.trace)
    doc = to_chrome_trace(trace)
    write_output(args.output, json.dumps(doc))
    print("wrote %s (%d events); open it in https://ui.perfetto.dev or chrome://tracing" % (args.output, len(doc["traceEvents"])))
    return 0
