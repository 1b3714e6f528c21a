"""A trace's format: its name and version, a lane's fields, and a run's config as JSON and back (no textual).

``gilviz.trace`` describes the format line by line; ``trace_writer`` writes it,
``trace_migrate`` reads the older versions as this one, ``trace_schema`` checks each line.
"""

from __future__ import annotations

from gilviz.lab.scenarios import BY_KEY, EXECUTORS, SIZES
from gilviz.model import RunConfig, WatchConfig

FORMAT = "gilviz-trace"
VERSION = 3  # what is written; trace_migrate reads versions 1 and 2 as this one
SLOT_FIELDS = ("slot", "pid", "tid", "kind", "role", "phase", "done", "total", "count", "name", "note")  # a lane event's


def config_to_dict(config: RunConfig | WatchConfig) -> dict:
    if isinstance(config, WatchConfig):
        return {"watch": {"command": list(config.command), "pid": config.pid}}
    d = {
        "scenario": config.scenario,
        "workers": config.worker_count,
        "size": config.size,
        "lock": config.lock,
        "executor": config.executor,
        "python": config.python,
        "start_method": config.start_method,
    }
    if config.switch_interval_ms is not None:  # optional: only when the run set one
        d["switch_interval_ms"] = config.switch_interval_ms
    if config.iterations is not None:  # optional: a baseline sized to its run (oversubscribed)
        d["iterations"] = config.iterations
    return d


def config_from_dict(d: dict) -> RunConfig | WatchConfig:
    """The inverse of ``config_to_dict``; ValueError when a value is not one gilviz knows."""
    if "watch" in d:
        w = d["watch"]
        command, pid = w.get("command") or [], w.get("pid")
        if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
            raise ValueError("a watched command must be a list of strings")
        if pid is not None and (not isinstance(pid, int) or pid < 1):
            raise ValueError("a watched pid must be a positive whole number")
        return WatchConfig(tuple(command), pid)
    if d.get("scenario") not in BY_KEY:
        raise ValueError("unknown scenario %r" % d.get("scenario"))
    if d.get("size") not in SIZES or d.get("executor", "thread") not in EXECUTORS:
        raise ValueError("unknown size or executor")
    workers = d.get("workers")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError("workers must be a positive whole number")
    return RunConfig(
        d["scenario"],
        workers=workers,
        size=d["size"],
        lock=bool(d.get("lock", False)),
        executor=d.get("executor", "thread"),
        python=str(d.get("python", "")),
        start_method=d.get("start_method"),
        switch_interval_ms=None if d.get("switch_interval_ms") is None else float(d["switch_interval_ms"]),
        iterations=d["iterations"] if isinstance(d.get("iterations"), int) and d["iterations"] > 0 else None,
    )
