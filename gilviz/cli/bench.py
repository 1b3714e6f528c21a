"""``gilviz bench``: the textbook's claims and the observer's overhead, measured side by side (or ``--soak``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from gilviz.cli.options import add_json_option, add_lab_options, add_repeats_option, minutes, run_config

NAME = "bench"


def add_parser(commands) -> None:
    bench = commands.add_parser(NAME, help="the textbook's claims and the observer's overhead, measured side by side")
    add_lab_options(bench)
    add_json_option(bench)
    add_repeats_option(
        bench,
        None,
        "watched/unwatched pairs for the overhead, 1-50 (default 9), and runs of each speed-up row (default 3)",
    )
    bench.add_argument(
        "--many-threads",
        action="store_true",
        help="instead: only the rows of many threads (the sampler with 256 and 1,024 parked threads, the dashboard "
        "watching 260 lanes), each run --repeats times (default 3), interleaved: medians and every run",
    )
    bench.add_argument(
        "--soak", type=minutes, default=None, metavar="MINUTES", help="instead: the dashboard, headless, switching scenarios"
    )


def soak_command(args: argparse.Namespace) -> int:
    from gilviz.ui.soak import format_soak, soak

    log = (lambda _: None) if args.json else (lambda line: print(line, file=sys.stderr))
    figures = soak(args.soak, size=args.size, progress=log)
    print(json.dumps(figures, indent=2) if args.json else format_soak(figures))
    return 0 if figures["strays_after_quit"] == 0 else 1


def many_threads_command(args: argparse.Namespace) -> int:
    from gilviz import parked
    from gilviz.bench import format_many
    from gilviz.ui.cost import watched_dashboard_cpu

    progress = (lambda _: None) if args.json else (lambda line: print("  " + line, file=sys.stderr))
    doc = parked.many_thread_rows(
        args.repeats or 3,
        progress,
        lambda: watched_dashboard_cpu(
            parked.command(parked.DASHBOARD_PARKED, parked.DASHBOARD_RUN_S), seconds=parked.DASHBOARD_SECONDS
        ),
    )
    print(json.dumps(doc, indent=2) if args.json else format_many(doc))
    return 0


def command(args: argparse.Namespace) -> int:
    from gilviz.bench import OVERHEAD_SCENARIO, format_bench, run_bench

    if args.soak is not None:
        return soak_command(args)
    if args.many_threads:
        return many_threads_command(args)
    config = run_config(args, OVERHEAD_SCENARIO)
    progress = (lambda _: None) if args.json else (lambda line: print("  " + line, file=sys.stderr))
    doc = run_bench(config, repeats=args.repeats, progress=progress)
    from gilviz.ui.cost import dashboard_cpu  # the UI layer: the engine's bench cannot draw a dashboard itself

    progress("the dashboard's own CPU, threads-cpu with 4 workers at the seed size, at 120x36")
    board = replace(config, scenario=OVERHEAD_SCENARIO, workers=4, iterations=None, size="seed")  # long enough to watch
    doc["dashboard"] = dashboard_cpu(board, seconds=5.0)
    doc["dashboard"]["target"], doc["dashboard"]["limit"] = 0.03, 0.05
    from gilviz import parked
    from gilviz.ui.cost import watched_dashboard_cpu

    doc["parked"] = parked.sampler_rows(progress)  # a server: 256 and 1,024 parked threads, one bursty, two CPU
    progress("the dashboard's own CPU watching 260 lanes (256 parked threads), at 120x36")
    doc["dashboard_many"] = watched_dashboard_cpu(
        parked.command(parked.DASHBOARD_PARKED, parked.DASHBOARD_RUN_S), seconds=parked.DASHBOARD_SECONDS
    )
    doc["dashboard_many"]["target"] = parked.DASHBOARD_TARGET
    print(json.dumps(doc, indent=2) if args.json else format_bench(doc))
    return 0
