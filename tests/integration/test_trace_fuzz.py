"""Hostile trace files: each is one line and exit 2 within seconds (or reads fine), never a traceback or a hang.

A corpus of mutations of real recorded traces (every field of every record kind, and every
figure of each scenario's result, swapped for another type; NaN and infinities, huge and
negative numbers, cuts at many offsets, corrupt gzip, deep nesting) goes through
``gilviz.cli.main`` in this process, the function the command line calls; the cases the
issue measured go through the real command line.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gilviz import cli
from gilviz.trace import TraceError, frames_until, read_trace

from conftest import ROOT, gilviz

SOURCE = ROOT / "assets" / "traces" / "seq-io.jsonl.gz"  # a real recording: one run, every record kind but "denied"
SWAPS = ("x", None, [], {}, True, -1, 2**62, 1e300, 0.5)
NESTED = ("config", "python", "result", "machine", "host")
SECONDS = 10


def good_lines() -> list[str]:
    return gzip.decompress(SOURCE.read_bytes()).decode().splitlines(keepends=True)


def with_line(lines: list[str], i: int, doc: dict) -> bytes:
    return "".join(lines[:i] + [json.dumps(doc) + "\n"] + lines[i + 1 :]).encode()


def field_swaps() -> dict[str, bytes]:
    """The first line of each record kind (and the header), each field and each nested field swapped for each of SWAPS."""
    lines, corpus, seen = good_lines(), {}, set()
    for i, line in enumerate(lines):
        doc = json.loads(line)
        kind = doc.get("ev", "header")
        if kind in seen:
            continue
        seen.add(kind)
        for key, value in doc.items():
            for swap in SWAPS:
                corpus["%s.%s=%r" % (kind, key, swap)] = with_line(lines, i, {**doc, key: swap})
            if key in NESTED and isinstance(value, dict):
                for inner in value:
                    for swap in SWAPS:
                        changed = {**doc, key: {**value, inner: swap}}
                        corpus["%s.%s.%s=%r" % (kind, key, inner, swap)] = with_line(lines, i, changed)
    return corpus


def result_swaps() -> dict[str, bytes]:
    """Each figure of each scenario's result (the race's counts, the queue's, the convoy's, ...) swapped for each of SWAPS."""
    corpus = {}
    for key in ("race-lock-off", "queue", "convoy", "asyncio", "start-methods"):
        lines = gzip.decompress((SOURCE.parent / (key + ".jsonl.gz")).read_bytes()).decode().splitlines(keepends=True)
        i = max(n for n, line in enumerate(lines) if '"ev":"end"' in line)
        end = json.loads(lines[i])
        result = end["result"]
        name, figures = next((k, v) for k, v in result.items() if isinstance(v, dict))
        for figure in figures:
            for swap in SWAPS:
                changed = {**end, "result": {**result, name: {**figures, figure: swap}}}
                corpus["%s.%s=%r" % (name, figure, swap)] = with_line(lines, i, changed)
    return corpus


def text_mutations() -> dict[str, bytes]:
    """Mutations JSON cannot carry as values: NaN and infinities, cuts, corrupt gzip, deep nesting."""
    lines = good_lines()
    whole = "".join(lines).encode()
    packed = gzip.compress(whole)
    iv = next(i for i, line in enumerate(lines) if '"ev":"iv"' in line)
    corpus = {}
    for word in ("NaN", "Infinity", "-Infinity", "1e999", "-0.0", "9" * 5000):
        corpus["times[3]=%s" % word[:12]] = with_raw(lines, iv, lines[iv].replace('"times":[0,', '"times":[%s,' % word, 1))
    for cut in range(1, len(whole), max(1, len(whole) // 40)):
        corpus["cut at %d" % cut] = whole[:cut]
    for cut in range(10, len(packed), max(1, len(packed) // 12)):
        corpus["gzip cut at %d" % cut] = packed[:cut]
        flipped = bytearray(packed)
        flipped[cut] ^= 0xFF
        corpus["gzip byte %d flipped" % cut] = bytes(flipped)
    corpus["100,000 brackets"] = with_raw(lines, iv, "[" * 100_000 + "]" * 100_000 + "\n")
    corpus["deep in a string is fine"] = with_raw(lines, iv, lines[iv].replace('"wait":"', '"wait":"' + "[" * 500, 1))
    corpus["deep object"] = with_raw(lines, iv, lines[iv][:-2] + ',"x":' + '{"a":' * 40 + "1" + "}" * 40 + "}\n")
    corpus["a 2 MB line"] = with_raw(lines, iv, '{"ev":"iv","wait":"%s"}\n' % ("a" * (2 << 20)))
    return corpus


def with_raw(lines: list[str], i: int, raw: str) -> bytes:
    return "".join(lines[:i] + [raw] + lines[i + 1 :]).encode()


def through_the_command_line(path: Path, out: Path, capsys) -> tuple[int, str, float]:
    start = time.monotonic()
    code = cli.main(["export", str(path), "-o", str(out)])
    return code, capsys.readouterr().err, time.monotonic() - start


@pytest.mark.parametrize("corpus", [field_swaps, result_swaps, text_mutations])
def test_every_mutation_is_read_or_refused_in_one_line(corpus, tmp_path, capsys):
    cases = corpus()
    assert len(cases) > 50
    refused = 0
    for name, content in cases.items():
        path = tmp_path / ("case.jsonl.gz" if content[:2] == b"\x1f\x8b" else "case.jsonl")
        path.write_bytes(content)
        code, err, took = through_the_command_line(path, tmp_path / "out.json", capsys)
        assert code in (0, 2), (name, err)
        assert took < SECONDS, (name, took)
        if code == 2:
            refused += 1
            assert len(err.strip().splitlines()) == 1 and err.startswith("gilviz: "), (name, err)
            assert "\x1b" not in err
    assert refused > len(cases) // 2  # most mutations break the trace; each that does was said in one line


def write_trace(path: Path, mutate) -> Path:
    """The source trace with one line changed: ``mutate(lines)`` edits the list of decoded records in place."""
    docs = [json.loads(line) for line in good_lines()]
    mutate(docs)
    path.write_text("".join(json.dumps(d, separators=(",", ":")) + "\n" for d in docs))
    return path


def first(docs: list[dict], kind: str) -> dict:
    return next(d for d in docs if d.get("ev") == kind)


def huge_interval(docs):
    iv = first(docs, "iv")
    iv["t1"] = iv["t0"] + 2**62


def undeclared_slot(docs):
    first(docs, "iv")["slot"] = 7


MEASURED = {
    "NaN in times": (lambda docs: first(docs, "iv")["times"].__setitem__(0, float("nan")), "not JSON"),
    "an interval of 2^62 ns": (huge_interval, "'t1'"),
    "an iv for an undeclared slot": (undeclared_slot, "slot 7, which no lane event declared"),
    "host: []": (lambda docs: docs[0].__setitem__("host", []), "'host'"),
    "cores: 10^9": (lambda docs: first(docs, "run").__setitem__("cores", 10**9), "'cores'"),
}


@pytest.mark.parametrize("command", ["export", "screenshot"])
@pytest.mark.parametrize("case", list(MEASURED))
def test_the_measured_hostile_traces_are_one_line_and_exit_2(case, command, tmp_path):
    mutate, says = MEASURED[case]
    path = write_trace(tmp_path / "bad.jsonl", mutate)
    start = time.monotonic()
    out = gilviz(command, str(path), "-o", str(tmp_path / ("out.json" if command == "export" else "out.svg")), timeout=30)
    assert time.monotonic() - start < SECONDS
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    line = out.stderr.strip()
    assert len(line.splitlines()) == 1 and "bad.jsonl, line " in line and says in line, line


def test_deep_nesting_a_corrupt_gzip_and_dev_zero_are_one_line(tmp_path):
    lines = good_lines()
    deep = tmp_path / "deep.jsonl"
    deep.write_text(lines[0] + "[" * 100_000 + "]" * 100_000 + "\n")
    packed = bytearray(gzip.compress("".join(lines).encode()))
    packed[len(packed) // 2] ^= 0xFF  # inside the deflate stream: zlib.error, not a short file
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(bytes(packed))
    for target, says in ((deep, "line 2: nested deeper than 32"), (corrupt, "corrupt"), ("/dev/zero", "not a regular file")):
        start = time.monotonic()
        out = gilviz("export", str(target), "-o", str(tmp_path / "out.json"), timeout=30)
        assert time.monotonic() - start < SECONDS
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and says in out.stderr, out.stderr


def test_a_gzip_bomb_and_a_fifo_are_refused_at_once(tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as f:
        f.write(good_lines()[0].encode())
        block = b'{"ev":"denied","t":0}\n' * 50_000
        for _ in range(70):  # ~77 MB once decompressed
            f.write(block)
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)  # nothing ever writes it: opening it to read would wait for ever
    for target, says in ((bomb, "decompresses to more than"), (fifo, "not a regular file")):
        start = time.monotonic()
        out = gilviz("export", str(target), "-o", str(tmp_path / "out.json"), timeout=30)
        assert time.monotonic() - start < SECONDS
        assert out.returncode == 2 and says in out.stderr, out.stderr


@pytest.mark.parametrize("command", ["export", "screenshot"])
def test_writing_over_the_trace_being_read_is_refused(command, tmp_path):
    path = tmp_path / ("run.svg" if command == "screenshot" else "run.json")
    path.write_bytes(gzip.decompress(SOURCE.read_bytes()))
    before = path.read_bytes()
    out = gilviz(command, str(path), "-o", str(path))
    assert out.returncode == 2 and "the file being read" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def many_lanes(path: Path, lanes: int = 368, seconds: int = 60) -> Path:
    """One process, ``lanes`` threads, each one interval over the whole run (the 105 KB trace of the issue)."""
    docs = [json.loads(line) for line in good_lines()]
    run, end = first(docs, "run"), first(docs, "end")
    t, span = run["t"], seconds * 10**9
    out = [docs[0], run, {"ev": "window", "t": t + 1, "start": t + 1, "end": 0}]
    for slot in range(lanes):
        out.append(
            {"ev": "lane", "t": t + 2, "slot": slot, "pid": 1000, "tid": 1000 + slot, "kind": 1, "role": 1 if slot == 0 else 2}
            | {"phase": 1, "done": 0, "total": 0, "count": 0, "name": "thread %d" % slot, "note": ""}
        )
    for slot in range(lanes):
        times = [seconds / 2, seconds / 2] + [0] * 10
        out.append({"ev": "iv", "t": t + 3 + span, "slot": slot, "t0": t + 3, "t1": t + 3 + span, "times": times})
    out += [{"ev": "window", "t": t + 4 + span, "start": t + 1, "end": t + 4 + span}, {**end, "t": t + 5 + span}]
    path.write_text("".join(json.dumps(d, separators=(",", ":")) + "\n" for d in out))
    return path


def test_a_moment_of_a_368_lane_trace_makes_one_snapshot_and_a_screenshot_in_seconds(tmp_path):
    path = many_lanes(tmp_path / "lanes.jsonl")
    trace = read_trace(str(path))
    shown = frames_until(trace, trace.after_end_s)
    assert sum(f.kind == "snapshot" for f in shown) <= 1  # not one per 100 ms of the minute, each copying 368 lanes
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = gilviz("screenshot", str(path), "-o", str(tmp_path / "shot.svg"), timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert out.returncode == 0, out.stderr
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 5, cpu  # its CPU time, the whole command: on a busy machine its wall time is the neighbours' too
    assert "367&#160;threads" in (tmp_path / "shot.svg").read_text()  # all the lanes, drawn (those past the main one folded)


def drawing(pid: int) -> bool:
    """The process has an event loop (an epoll descriptor): the headless dashboard is starting or drawing."""
    try:
        fds = "/proc/%d/fd" % pid
        return any(os.readlink(os.path.join(fds, fd)) == "anon_inode:[eventpoll]" for fd in os.listdir(fds))
    except OSError:
        return False


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_screenshot_stops_at_once_on_a_signal(sig, code, tmp_path):
    path = many_lanes(tmp_path / "lanes.jsonl")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gilviz", "screenshot", str(path), "-o", str(tmp_path / "shot.svg")],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not drawing(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling, until the headless dashboard's event loop is there
    assert proc.poll() is None, "the screenshot was done before the signal could be sent"
    proc.send_signal(sig)
    start = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 2, "took %.1f s to stop" % (time.monotonic() - start)
    assert proc.returncode == code and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "shot.svg").exists()


def test_text_read_from_a_trace_is_made_visible_where_it_enters(tmp_path):
    def escapes(docs):
        docs[0]["host"]["system"] = "Linux\x1b]0;PWNED\x07"
        first(docs, "run")["config"]["python"] = "/usr/bin/python\x1b[2J"
        first(docs, "lane")["name"] = "\x1b[31mEVIL\u202e"
        first(docs, "end")["result"]["odd"] = ["\x9b31m"]

    trace = read_trace(str(write_trace(tmp_path / "escapes.jsonl", escapes)))
    everything = json.dumps([trace.header, [(run.start, run.events, run.end) for run in trace.runs]], ensure_ascii=False)
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in everything
    assert "␛[31mEVIL" in everything and "Linux␛]0;PWNED␇" in trace.recorded_on()


def test_a_scenario_result_that_reads_is_drawn_without_a_traceback(tmp_path):
    """The results the schema lets through (optional figures missing or null) are drawn, by the real command line."""
    readable = []
    for name, content in result_swaps().items():
        if not name.endswith(("=None", "={}")):
            continue
        path = tmp_path / ("%d.jsonl" % len(readable))
        path.write_bytes(content)
        try:
            read_trace(str(path))
        except TraceError:
            continue
        readable.append((name, path))
    assert readable  # the optional figures: a start method that was not measured, a race from before its rate
    for name, path in readable:
        out = gilviz("screenshot", str(path), "-o", str(tmp_path / "shot.svg"), timeout=60)
        assert out.returncode == 0 and "Traceback" not in out.stderr + out.stdout, (name, out.stderr[-2000:])
