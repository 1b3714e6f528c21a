"""Screenshots and Chrome-trace export: deterministic SVGs, and traces that follow the Trace Event Format."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from gilviz.chrome_trace import to_chrome_trace
from gilviz.states import STATES
from gilviz.trace import read_trace

from conftest import gilviz

TRACES = Path(__file__).resolve().parents[2] / "assets" / "traces"


@pytest.mark.parametrize("name", ["threads-cpu", "procs-cpu", "race-lock-on", "queue", "pools-process"])
def test_chrome_trace_follows_the_trace_event_format(name):
    doc = json.loads(json.dumps(to_chrome_trace(read_trace(str(TRACES / (name + ".jsonl.gz"))))))
    events = doc["traceEvents"]
    assert events and doc["displayTimeUnit"] == "ms"
    slices = defaultdict(list)
    last_ts: dict = {}
    for e in events:
        for key in ("name", "ph", "ts", "pid", "tid"):
            assert key in e, (key, e)
        assert e["ph"] in ("X", "C", "M") and isinstance(e["pid"], int) and isinstance(e["tid"], int)
        track = (e["pid"], e["tid"], e["ph"] == "C" and e["name"])
        assert e["ts"] >= last_ts.get(track, float("-inf")), "timestamps go backwards on a track"
        last_ts[track] = e["ts"]
        if e["ph"] == "X":
            assert e["dur"] >= 0
            slices[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
        if e["ph"] == "C":
            assert all(isinstance(v, (int, float)) for v in e["args"].values())
    for spans in slices.values():  # slices on one track nest or follow each other, never cross
        spans.sort()
        for (_a0, a1), (b0, b1) in zip(spans, spans[1:]):
            assert b0 >= a1 - 1e-6 or b1 <= a1 + 1e-6
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert "runs" in names and any(n.startswith(("worker-", "producer", "pool-", "MainThread")) for n in names)
    states = {e["name"] for e in events if e.get("cat") == "state"}
    assert states and states <= set(STATES)


def test_threads_cpu_trace_shows_gil_waits_and_runs():
    doc = to_chrome_trace(read_trace(str(TRACES / "threads-cpu.jsonl.gz")))
    workers = {e["tid"] for e in doc["traceEvents"] if e["ph"] == "M" and e["args"]["name"].startswith("worker-")}
    shares = [e["args"].get("gil_wait", 0) for e in doc["traceEvents"] if e.get("cat") == "state" and e["tid"] in workers]
    assert max(shares) > 0.3  # the workers wait for the GIL about half the time


def test_export_and_screenshot_from_the_command_line(tmp_path):
    trace = str(TRACES / "race-lock-off.jsonl.gz")
    out = gilviz("export", trace, "-o", str(tmp_path / "race.trace.json"))
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "race.trace.json").read_text())["traceEvents"]
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for target in (first, second):
        out = gilviz("screenshot", trace, "--at", "0.3", "--size", "100x30", "--theme", "light", "-o", str(target))
        assert out.returncode == 0, out.stderr
    assert first.read_text() == second.read_text()  # same trace, same moment: the same SVG
    assert "lost" in first.read_text() and first.read_text().startswith("<svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.svg", "b.svg", "race.trace.json"]  # no temporary left


def test_screenshot_to_a_png_file_writes_a_png(tmp_path):
    trace = str(TRACES / "race-lock-off.jsonl.gz")
    for name in ("a.png", "b.PNG"):
        out = gilviz("screenshot", trace, "--at", "0.3", "--size", "100x30", "-o", str(tmp_path / name))
        assert out.returncode == 0, out.stderr
        assert name in out.stdout
    first = (tmp_path / "a.png").read_bytes()
    assert first.startswith(b"\x89PNG\r\n\x1a\n") and first == (tmp_path / "b.PNG").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.PNG"]  # no temporary left


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["screenshot", "race", "--size", "12", "-o", "x.svg"], "COLSxROWS"),
        (["screenshot", "race", "--size", "20x5", "-o", "x.svg"], "from 60x16"),
        (["screenshot", "race", "--at", "soon", "-o", "x.svg"], "a number of seconds"),
        (["screenshot", "rac", "-o", "x.svg"], "did you mean 'race'"),
        (["screenshot", "race", "-o", "/nonexistent/x.svg"], "no such directory"),
        (["screenshot", "race", "-o", "x.jpg"], ".svg or .png"),
        (["screenshot", "race", "-o", "screenshot"], ".svg or .png"),
        (["--screenshot-format", "jpg"], "svg, png"),
        (["export", str(TRACES / "queue.jsonl.gz"), "-o", "/nonexistent/q.json"], "no such directory"),
        (["replay", str(TRACES / "queue.jsonl.gz"), "--speed", "0"], "0.05 to 100"),
        (["--theme", "sepia"], "dark, light"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_output_options_are_one_line_and_exit_2(args, says):
    out = gilviz(*args)
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and says in out.stderr and "Traceback" not in out.stderr
