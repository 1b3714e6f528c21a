"""Traces: a recorded run replays to the same figures; bad trace files are one clear line and exit 2."""

from __future__ import annotations

import gzip
import json
import os
import stat

import pytest
from gilviz.measure import Session
from gilviz.model import RunConfig
from gilviz.trace import TraceError, TraceWriter, frames, frames_until, read_trace

from conftest import gilviz


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A tiny threads-io run (after its baseline), recorded, with the live report."""
    path = str(tmp_path_factory.mktemp("trace") / "threads-io.jsonl")
    writer = TraceWriter(path)
    assert os.path.exists(path + ".partial") and not os.path.exists(path)
    report = Session(recorder=writer).run(RunConfig("threads-io", size="tiny"))
    writer.close()
    return path, report


def final_report(trace):
    return [f for f in frames(trace) if f.kind == "finished"][-1].report


def test_a_replayed_run_has_the_live_run_s_figures(recorded):
    path, live = recorded
    assert not os.path.exists(path + ".partial")
    trace = read_trace(path)
    assert [r.config.scenario for r in trace.runs] == ["seq-io", "threads-io"]
    assert trace.runs[0].start["as_baseline"] is True
    replayed = final_report(trace)
    assert replayed.wall_s == live.wall_s
    assert replayed.speedup == live.speedup and replayed.baseline_s == live.baseline_s
    assert [lane.name for lane in replayed.lanes] == [lane.name for lane in live.lanes]
    for a, b in zip(replayed.lanes, live.lanes):
        for state, share in a.shares(live.window_s).items():
            assert share == pytest.approx(b.shares(live.window_s)[state], abs=1e-4)
        assert a.switches == b.switches


def test_replay_at_a_moment_is_the_same_every_time(recorded):
    trace = read_trace(recorded[0])
    half = trace.duration_s / 2
    first, second = frames_until(trace, half), frames_until(trace, half)
    assert first == second and first[-1].t <= half * 1e9
    snapshots = [f.snapshot for f in first if f.kind == "snapshot"]
    assert snapshots and snapshots[-1].lanes


def test_a_gzip_trace_reads_like_a_plain_one(recorded, tmp_path):
    packed = tmp_path / "run.jsonl.gz"
    with open(recorded[0], "rb") as plain:
        packed.write_bytes(gzip.compress(plain.read()))
    assert final_report(read_trace(str(packed))).wall_s == recorded[1].wall_s


def lines_of(path):
    return open(path, encoding="utf-8").read().splitlines(keepends=True)


def broken(recorded_path, tmp_path):
    """Ways to break a good trace: name -> the file's bytes."""
    good = lines_of(recorded_path)
    header = json.loads(good[0])
    iv = next(i for i, line in enumerate(good) if '"ev":"iv"' in line)
    newer = json.dumps({**header, "version": 99}) + "\n"
    backwards = good[iv].replace('"t":', '"t":-', 1)
    bad_field = good[iv].replace('"slot":', '"slot":"x","_":', 1)
    bad_config = good[1].replace('"scenario":"seq-io"', '"scenario":"nope"')
    return {
        "empty": b"",
        "not json": ("".join(good[:3]) + "{not json\n" + "".join(good[3:])).encode(),
        "truncated": "".join(good)[:-40].encode(),
        "newer version": (newer + "".join(good[1:])).encode(),
        "no header": "".join(good[1:]).encode(),
        "unknown event": ("".join(good[:2]) + '{"ev":"boom","t":1}\n' + "".join(good[2:])).encode(),
        "time backwards": ("".join(good[:iv]) + backwards + "".join(good[iv + 1 :])).encode(),
        "bad field": ("".join(good[:iv]) + bad_field + "".join(good[iv + 1 :])).encode(),
        "bad config": (good[0] + bad_config + "".join(good[2:])).encode(),
        "event outside a run": (good[0] + good[iv] + "".join(good[1:])).encode(),
        "corrupt gzip": gzip.compress("".join(good).encode())[:200],
        "no runs": good[0].encode(),
    }


EXPECTED = {
    "empty": "is empty",
    "not json": "line 4: not JSON",
    "truncated": "truncated",
    "newer version": "line 1: the trace is format version 99",
    "no header": "line 1: not a gilviz trace",
    "unknown event": "line 3: unknown event 'boom'",
    "time backwards": "goes backwards",
    "bad field": "whose 'slot' is 'x'",
    "bad config": "line 2: a run with a bad config: unknown scenario 'nope'",
    "event outside a run": "line 2: a 'iv' event outside a run",
    "corrupt gzip": "gzip file that is corrupt or truncated",
    "no runs": "has no recorded run",
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_a_bad_trace_is_one_line_and_exit_2(case, recorded, tmp_path):
    content = broken(recorded[0], tmp_path)[case]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    out = gilviz("replay", str(path), "--at", "1")
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gilviz: ") and "Traceback" not in out.stderr
    assert EXPECTED[case] in lines[0]
    assert "gilviz record" in lines[0]  # the hint


@pytest.mark.parametrize(
    ("target", "says"),
    [("/nonexistent/run.jsonl", "cannot read"), (".", "cannot read")],
    ids=["missing file", "a directory"],
)
def test_a_trace_that_cannot_be_read(target, says):
    out = gilviz("replay", target)
    assert out.returncode == 2 and says in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_reading_in_python_raises_trace_error_with_the_line(recorded, tmp_path):
    path = tmp_path / "bad.jsonl"
    good = lines_of(recorded[0])
    path.write_text("".join(good[:5]) + "[1, 2]\n")
    with pytest.raises(TraceError, match="line 6: not a JSON object"):
        read_trace(str(path))


@pytest.mark.parametrize("where", ["missing directory", "under a file", "read-only directory"])
def test_recording_where_it_cannot_write_is_one_line_and_exit_2(where, tmp_path):
    if where == "missing directory":
        target = tmp_path / "nope" / "run.jsonl"
    elif where == "under a file":  # refused even for root
        (tmp_path / "a-file").write_text("")
        target = tmp_path / "a-file" / "run.jsonl"
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write into a read-only directory")
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        target = locked / "run.jsonl"
    out = gilviz("record", "threads-io", "--size", "tiny", "-o", str(target))
    assert out.returncode == 2 and "cannot write" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not target.exists() and not (target.parent / "run.jsonl.partial").exists()


def test_record_then_replay_from_the_command_line(tmp_path):
    target = tmp_path / "race.jsonl.gz"
    out = gilviz("record", "race", "--size", "tiny", "--lock", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert "recorded to" in out.stdout and "lost 0" in out.stdout
    trace = read_trace(str(target))
    report = final_report(trace)
    assert report.config.lock is True and report.result["race"]["lost"] == 0
    assert not (tmp_path / "race.jsonl.gz.partial").exists()


def test_a_switch_interval_is_an_optional_key_of_a_recorded_config():
    from gilviz.trace import config_from_dict, config_to_dict

    plain = RunConfig("threads-cpu", 2, "tiny")
    assert "switch_interval_ms" not in config_to_dict(plain)  # traces without one stay as they were
    assert config_from_dict(config_to_dict(plain)) == plain
    slow = RunConfig("threads-cpu", 2, "tiny", switch_interval_ms=50.0)
    assert config_to_dict(slow)["switch_interval_ms"] == 50.0
    assert config_from_dict(config_to_dict(slow)) == slow
