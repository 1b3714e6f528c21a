"""``gilviz list``: the scenarios' keys and lessons, as text or (``--json``) with each one's theory here."""

from __future__ import annotations

import argparse
import json
import sys

from gilviz.cli.options import add_json_option
from gilviz.lab.scenarios import KEYS, SCENARIOS

NAME = "list"


def add_parser(commands) -> None:
    add_json_option(commands.add_parser(NAME, help="scenario keys and their lessons"), None)


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


def command(args: argparse.Namespace) -> int:
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
