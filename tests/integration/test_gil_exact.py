"""The GIL read from memory, measured on real programs under each interpreter this machine has.

Each program is watched (``gilviz watch --json``) or run in the lab (``gilviz run --json``)
and the figures are checked against what the GIL must do: two CPU threads share it and
hand it over about every switch interval; threads hashing large buffers let it go; a thread
that sleeps in a ``ctypes.PyDLL`` call keeps it while blocked, and the thread beside it
waits. Interpreters that are missing are skipped with the reason. The machine may be busy:
the bounds are the issue's, wide enough for a loaded 2-core machine, never loosened for it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import gilviz, pyenv_python

TRACES = Path(__file__).resolve().parents[2] / "assets" / "traces"

FT_PYTHON = os.environ.get("GILVIZ_FT_PYTHON")
DEBIAN = "/usr/bin/python3"
INTERPRETERS = {
    "3.9": pyenv_python("3.9"),
    "3.11-project": sys.executable,
    "3.12": pyenv_python("3.12"),
    "3.13": pyenv_python("3.13"),
    "debian": DEBIAN if os.path.exists(DEBIAN) else None,
}


def interpreter(key: str) -> str:
    python = INTERPRETERS[key]
    if python is None:
        pytest.skip("no %s interpreter on this machine" % key)
    return python


EACH = pytest.mark.parametrize("key", sorted(INTERPRETERS))

TWO_SPINNERS = """
import sys, threading, time
if len(sys.argv) > 1:
    sys.setswitchinterval(float(sys.argv[1]))
# 5 s: the holder is a sample (about 20 reads a second here), and each share's error is sqrt(p(1-p)/n): ~0.05
# for 100 reads (2.5 s gave ~40 reads and one thread once read 0.23 against the 0.25 asked); start-up and exit
# are inside the window too, and weigh little
end = time.monotonic() + 5.0
def spin():
    while time.monotonic() < end:
        pass
ts = [threading.Thread(target=spin) for _ in range(2)]
[t.start() for t in ts]
[t.join() for t in ts]
"""
HASHERS = """
import hashlib, threading, time
buf = b"x" * (64 << 20)
end = time.monotonic() + 2.5
def work():
    while time.monotonic() < end:
        hashlib.sha256(buf).digest()
ts = [threading.Thread(target=work) for _ in range(2)]
[t.start() for t in ts]
[t.join() for t in ts]
"""
BLOCKED_HOLDER = """
import ctypes, threading, time
libc = ctypes.PyDLL(None)  # PyDLL: the call keeps the GIL
end = time.monotonic() + 5.0  # the holder is a sample: enough reads (see TWO_SPINNERS)
def blocker():
    while time.monotonic() < end:
        libc.usleep(20000)
def spinner():
    while time.monotonic() < end:
        pass
ts = [threading.Thread(target=blocker), threading.Thread(target=spinner)]
[t.start() for t in ts]
[t.join() for t in ts]
"""


def watch(tmp_path, python: str, program: str, *args: str, env: dict | None = None) -> dict:
    script = tmp_path / "program.py"
    script.write_text(program)
    out = gilviz("watch", "--json", "--", python, str(script), *args, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def workers(doc: dict) -> list[dict]:
    """The lanes of the program's own threads (not its main thread, which only joins them)."""
    lanes = [lane for lane in doc["lanes"] if lane["kind"] == "thread" and lane["tid"] != lane["pid"]]
    assert len(lanes) == 2, doc["lanes"]
    return lanes


def gil_of(doc: dict) -> dict:
    (state,) = [g for g in doc["gil_state"] if g["pid"] == doc["pid"]]
    assert state["readable"], state["detail"]
    return state


@EACH
def test_two_cpu_threads_each_hold_the_gil_and_hand_it_over_every_few_ms(key, tmp_path):
    doc = watch(tmp_path, interpreter(key), TWO_SPINNERS)
    for lane in workers(doc):
        assert lane["gil"]["held"] >= 0.25, lane
        assert lane["gil"]["held_blocked"] <= 0.05, lane
    state = gil_of(doc)
    assert state["interval_s"] == 0.005
    assert 40 <= state["handoffs_per_s"] <= 320, state  # fewer on a busy machine: a holder off its core hands none


@EACH
def test_a_50_ms_switch_interval_hands_it_over_ten_times_less_often(key, tmp_path):
    doc = watch(tmp_path, interpreter(key), TWO_SPINNERS, "0.05")
    state = gil_of(doc)
    assert state["interval_s"] == 0.05
    assert 5 <= state["handoffs_per_s"] <= 35, state


@EACH
def test_threads_hashing_large_buffers_run_without_the_gil(key, tmp_path):
    doc = watch(tmp_path, interpreter(key), HASHERS)
    gil_of(doc)
    for lane in workers(doc):
        assert lane["gil"]["held"] <= 0.15, lane
        shares = lane["shares"]  # not waiting for the GIL: on a core, or (a busy machine) waiting for one
        assert shares["running"] + shares["core_wait"] >= 0.5 and shares["gil_wait"] <= 0.15, lane


@EACH
def test_a_thread_blocked_in_a_call_that_keeps_the_gil_is_caught_holding_it(key, tmp_path):
    doc = watch(tmp_path, interpreter(key), BLOCKED_HOLDER)
    gil_of(doc)
    blocker, spinner = sorted(workers(doc), key=lambda lane: -lane["waits"].get("clock_nanosleep", 0.0))
    assert blocker["gil"]["held_blocked"] >= 0.4, blocker
    assert spinner["shares"]["gil_wait"] >= 0.3, spinner
    assert spinner["gil"]["held_blocked"] <= 0.05, spinner


FT = pytest.mark.skipif(not FT_PYTHON, reason="set GILVIZ_FT_PYTHON to a free-threaded python to run these")


@FT
def test_free_threaded_without_a_gil_has_no_holder_and_no_handoffs(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_GIL"}
    doc = watch(tmp_path, str(FT_PYTHON), TWO_SPINNERS, env=env)
    (state,) = doc["gil_state"]
    assert not state["readable"] and "GIL disabled" in state["detail"]
    assert state["handoffs"] is None and state["held"] is None
    assert all(lane["gil"] is None and lane["shares"]["gil_wait"] == 0 for lane in doc["lanes"])


@FT
def test_free_threaded_with_the_gil_re_enabled_counts_handoffs_and_gil_waits(tmp_path):
    doc = watch(tmp_path, str(FT_PYTHON), TWO_SPINNERS, env=dict(os.environ, PYTHON_GIL="1"))
    state = gil_of(doc)
    assert "GIL re-enabled" in state["detail"]
    assert 40 <= state["handoffs_per_s"] <= 320, state  # fewer on a busy machine: a holder off its core hands none
    for lane in workers(doc):
        assert lane["gil"]["held"] >= 0.25, lane
        assert lane["shares"]["gil_wait"] > 0.05, lane


def lab(*args: str) -> dict:
    out = gilviz("run", *args, "--json", timeout=180)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def lab_gil(doc: dict) -> tuple[list[dict], dict]:
    (state,) = doc["gil_state"]
    assert state["readable"], state["detail"]
    return [lane for lane in doc["lanes"] if lane["name"].startswith("worker")], state


def test_the_lab_reads_the_same_figures_threads_cpu():
    lanes, state = lab_gil(lab("threads-cpu", "--workers", "2"))
    assert all(lane["gil"]["held"] >= 0.25 for lane in lanes), lanes
    assert 40 <= state["handoffs_per_s"] <= 320, state  # fewer on a busy machine: a holder off its core hands none


def test_the_lab_reads_the_same_figures_threads_cpu_in_slow_motion():
    lanes, state = lab_gil(lab("threads-cpu", "--workers", "2", "--switch-interval", "50"))
    assert state["interval_s"] == 0.05
    assert 5 <= state["handoffs_per_s"] <= 35, state


def test_the_lab_reads_the_same_figures_c_threads():
    lanes, state = lab_gil(lab("c-threads", "--workers", "2"))
    assert all(lane["gil"]["held"] <= 0.15 and lane["shares"]["running"] > 0 for lane in lanes), lanes


def test_a_recording_carries_the_gil_into_replay_and_the_chrome_trace(tmp_path):
    from gilviz.chrome_trace import to_chrome_trace
    from gilviz.gil_json import gil_state
    from gilviz.trace import VERSION, frames, read_trace

    path = tmp_path / "run.jsonl"
    out = gilviz("record", "threads-cpu", "--workers", "2", "--size", "tiny", "-o", str(path), timeout=180)
    assert out.returncode == 0, out.stderr
    trace = read_trace(str(path))
    assert trace.header["version"] == VERSION == 3
    (report,) = [f.report for f in frames(trace) if f.kind == "finished" and f.report and not f.run.start.get("as_baseline")]
    (state,) = [g for g in gil_state(report.snapshot) if g["readable"]]
    assert state["handoffs"] > 0
    events = to_chrome_trace(trace)["traceEvents"]
    holders = [e for e in events if e.get("cat") == "gil"]
    assert {e["name"] for e in holders} <= {"worker-1", "worker-2", "MainThread", "a thread that is not a lane"}
    # the hand-offs are counted exactly (above); the holder is sampled at the sampler's ticks, and a busy machine
    # gives a short run few of them: a worker is seen holding it, and only one thread holds it at a time
    assert {"worker-1", "worker-2"} & {e["name"] for e in holders}
    spans = sorted((e["ts"], e["ts"] + e["dur"]) for e in holders if e["pid"] == state["pid"])
    assert all(b0 >= a1 - 1e-6 for (_, a1), (b0, _) in zip(spans, spans[1:]))  # one holder at a time


def test_a_version_2_trace_replays_with_the_gil_unread():
    from gilviz.gil_json import gil_state, lane_gil
    from gilviz.trace import frames, read_trace

    trace = read_trace(str(TRACES / "threads-cpu.jsonl.gz"))
    assert trace.header["version"] == 2
    reports = [f.report for f in frames(trace) if f.kind == "finished" and f.report]
    assert reports and all(gil_state(r.snapshot) == [] for r in reports)
    assert all(lane_gil(lane) is None for r in reports for lane in r.lanes)
