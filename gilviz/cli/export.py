"""``gilviz export TRACE -o FILE [--format NAME]``: a trace in another format (``gilviz.formats.EXPORTS``).

The formats, the choices of ``--format`` and its help are the table's rows: Chrome trace
JSON (Perfetto, chrome://tracing) by default.
"""

from __future__ import annotations

import argparse

from gilviz.cli.options import add_output_option, add_trace_argument, choice
from gilviz.cli.shared import check_writable, load_trace, write_output
from gilviz.formats import DEFAULT_EXPORT, EXPORTS

NAME = "export"


def add_parser(commands) -> None:
    default = EXPORTS[DEFAULT_EXPORT]
    export = commands.add_parser(NAME, help="convert a trace to %s, or another --format" % default.what)
    add_trace_argument(export)
    add_output_option(export, "the file to write (%s: a %s file)" % (default.name, default.suffix))
    export.add_argument(
        "--format",
        dest="export_format",
        type=choice("--format", tuple(EXPORTS)),
        default=DEFAULT_EXPORT,
        metavar="NAME",
        help="; ".join("%s: %s" % (f.name, f.what) for f in EXPORTS.values()) + " (default: %s)" % DEFAULT_EXPORT,
    )


def command(args: argparse.Namespace) -> int:
    check_writable(args.output, args.trace)
    trace = load_trace(args.trace)
    text, said = EXPORTS[args.export_format].convert(trace)
    write_output(args.output, text)
    print("wrote %s %s" % (args.output, said))
    return 0
