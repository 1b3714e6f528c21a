"""A made-up trace of a thread-per-request server, written in the trace format (for the table view's tests).

Deterministic: no clock, no /proc, no randomness. One process: its main thread (in
``poll``), eight long-lived threads each with a wait of its own (one hogs a core, one
starves for the GIL, one waits on a lock, ...), one whose name carries an escape
sequence, and ``requests`` short-lived threads, one started every 20 ms, each living
150 ms; as the watch list does, an ended thread is read as ended for one second more,
then no more.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from gilviz.states import DONE, GIL_WAIT, IO, LOCK_WAIT, N_STATES, RUNNING

PID = 4000
STEP_NS = 50_000_000
START_NS = 200_000_000
LINGER_NS = 1_000_000_000

# name, (state, share) pairs over each interval, the system call of its wait
LONG_LIVED = [
    ("hog", [(RUNNING, 0.9), (GIL_WAIT, 0.1)], "futex"),
    ("gil-starved", [(RUNNING, 0.15), (GIL_WAIT, 0.85)], "futex"),
    ("db-lock", [(RUNNING, 0.05), (LOCK_WAIT, 0.95)], "futex"),
    ("logger", [(RUNNING, 0.02), (IO, 0.98)], "write"),
    ("pool-1", [(LOCK_WAIT, 1.0)], "futex"),
    ("pool-2", [(LOCK_WAIT, 1.0)], "futex"),
    ("pool-3", [(RUNNING, 0.1), (LOCK_WAIT, 0.9)], "futex"),
    ("evil\x1b[2Jname", [(IO, 1.0)], "read"),
]


def _times(parts, dt_s: float) -> list[float]:
    times = [0.0] * N_STATES
    for state, share in parts:
        times[state] += round(share * dt_s, 6)
    return times


def write_server_trace(path: Path, *, requests: int = 490, seconds: float = 10.0, parked: int = 0) -> Path:
    """Write the trace to ``path`` (gzip-compressed) and return it. ``parked``: that many more
    long-lived threads, each parked on a lock (``worker-N``, tids from PID + 10,000)."""
    end_ns = START_NS + int(seconds * 1e9)
    events: list[dict] = []
    lanes = [("server.py", PID, 1, [(RUNNING, 0.05), (IO, 0.95)], "poll", START_NS, end_ns)]
    for i, (name, parts, wait) in enumerate(LONG_LIVED):
        lanes.append((name, PID + 1 + i, 2, parts, wait, START_NS, end_ns))
    for i in range(parked):
        share = (i % 10) / 100  # 0-9 % running, so that sorting has something to do
        parts = [(RUNNING, share), (LOCK_WAIT, 1 - share)]
        lanes.append(("worker-%d" % (i + 1), PID + 10_000 + i, 2, parts, "futex", START_NS, end_ns))
    for i in range(requests):
        born = START_NS + 100_000_000 + i * 20_000_000
        if born + 150_000_000 > end_ns:
            break
        lanes.append(("req-%d" % (i + 1), PID + 100 + i, 2, [(RUNNING, 0.3), (IO, 0.7)], "recvfrom", born, born + 150_000_000))
    for slot, (name, tid, role, parts, wait, born, died) in enumerate(lanes):
        lane = {"ev": "lane", "t": born, "slot": slot, "pid": PID, "tid": tid, "kind": 1, "role": role, "phase": 0}
        lane.update(done=0, total=0, count=0, name=name, note="", born=born)
        events.append(lane)
        t = born
        last = min(end_ns, died + LINGER_NS)
        while t < last:
            t1 = min(last, (t // STEP_NS + 1) * STEP_NS)
            dt = (t1 - t) / 1e9
            if t >= died:
                events.append({"ev": "iv", "t": t1, "slot": slot, "t0": t, "t1": t1, "times": _times([(DONE, 1.0)], dt)})
            else:
                events.append({"ev": "iv", "t": t1, "slot": slot, "t0": t, "t1": t1, "times": _times(parts, dt), "wait": wait})
            t = t1
    for k in range(int(seconds)):
        events.append({"ev": "cpu", "t": START_NS + (k + 1) * 1_000_000_000, "percents": [95.0, 40.0]})
    events.sort(key=lambda e: e["t"])  # stable: a lane comes before its first interval
    python = {"implementation": "cpython", "version": "3.12.1", "executable": "/usr/bin/python3.12"}
    python.update(free_threaded_build=False, gil_enabled=True, switch_interval_s=0.005)
    config = {"watch": {"command": ["python3", "server.py"], "pid": None}}
    lines = [
        {"format": "gilviz-trace", "version": 2, "gilviz": "0.1.0", "recorded_at": "2026-12-01T10:00:00Z"},
        {"ev": "run", "t": 0, "config": config, "as_baseline": False, "python": python, "cores": 2, "bin_s": 0.05},
        {"ev": "window", "t": START_NS, "start": START_NS, "end": 0},
        {"ev": "gil", "t": START_NS, "pid": PID, "detail": "GIL = a futex in libpython3.12.so's static data", "known": True},
        *events,
        {"ev": "window", "t": end_ns, "start": START_NS, "end": end_ns},
    ]
    result = {"pid": PID, "wall_s": seconds, "t_start_ns": START_NS, "t_end_ns": end_ns, "exit_code": 0, "signal": None}
    result.update(cancelled=False, event="result")
    lines.append({"ev": "end", "t": end_ns + 1, "result": result, "core_busy": [0.95, 0.4], "watched": True})
    path.write_bytes(gzip.compress(("\n".join(json.dumps(line) for line in lines) + "\n").encode()))
    return path
