"""Ended thread lanes retire into one aggregate per process; long intervals fill whole bins alike."""

from __future__ import annotations

import pytest
from gilviz.lab import protocol
from gilviz.lab.board import SlotView
from gilviz.retired import RETIRE_AFTER_NS
from gilviz.states import DONE, IO, LOCK_WAIT, STATES
from gilviz.timeline import Timeline

S = 1_000_000_000


def thread(slot: int, pid: int = 10) -> SlotView:
    return SlotView(slot, pid, 100 + slot, protocol.THREAD, protocol.WORKER, protocol.NONE, 0, 0, 0, "t%d" % slot, "")


def test_a_thread_gone_long_enough_leaves_its_lane_for_its_process_aggregate():
    timeline = Timeline()
    timeline.set_window(1 * S, 0)
    for slot in (1, 2):
        timeline.lane_seen(thread(slot), born_ns=(1 + slot) * S)  # born at 2 s and 3 s
        timeline.add_split(slot, (1 + slot) * S, (2 + slot) * S, 0.25, 0.0, IO, 0.75, "read", 0.0)
        timeline.add_split(slot, (2 + slot) * S, (3 + slot) * S, 0.0, 0.0, DONE, 1.0, "", 0.0)  # ended
    timeline.lane_seen(thread(3))
    timeline.add_split(3, 1 * S, 5 * S, 0.5, 0.0, LOCK_WAIT, 3.5, "futex", 0.0)  # alive
    assert timeline.retire(5 * S) == []  # not gone long enough
    assert sorted(timeline.retire(5 * S + RETIRE_AFTER_NS + 1)) == [1, 2]
    timeline.add_split(3, 5 * S, 12 * S, 0.0, 0.0, LOCK_WAIT, 7.0, "futex", 0.0)
    snap = timeline.snapshot()
    assert [lane.slot for lane in snap.lanes] == [3]
    (group,) = snap.ended
    assert group.pid == 10 and group.count == 2 and group.cpu_s == pytest.approx(0.5)
    shares = group.shares(11.0)  # the window, 1 s to 12 s
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9)
    assert shares["not_started"] == pytest.approx((1 + 2) / 22)  # born 1 s and 2 s into it
    assert shares["io"] == pytest.approx(1.5 / 22) and shares["done"] == pytest.approx((9 + 8) / 22)  # ended since


def test_nothing_retires_once_the_window_has_ended():
    timeline = Timeline()
    timeline.set_window(1 * S, 3 * S)
    timeline.lane_seen(thread(1))
    timeline.add_split(1, 1 * S, 2 * S, 0.0, 0.0, DONE, 1.0, "", 0.0)
    assert timeline.retire(100 * S) == []


def test_a_long_interval_fills_its_whole_bins_as_short_ones_would():
    long, short = Timeline(), Timeline()
    for timeline in (long, short):
        timeline.set_window(1, 0)
        timeline.lane_seen(thread(1))
    t0 = 1_030_000_000  # not on a bin's edge
    long.add_split(1, t0, t0 + S, 0.1, 0.05, IO, 0.85, "read", 0.0)
    for i in range(100):
        short.add_split(1, t0 + i * S // 100, t0 + (i + 1) * S // 100, 0.001, 0.0005, IO, 0.0085, "read", 0.0)
    (a,), (b,) = long.snapshot().lanes, short.snapshot().lanes
    assert [bin_.index for bin_ in a.bins] == [bin_.index for bin_ in b.bins]
    for x, y in zip(a.bins, b.bins):
        assert x.times == pytest.approx(y.times, abs=1e-9), (x, y)
    assert a.run_times == pytest.approx(b.run_times)
    assert len(STATES) == len(a.bins[0].times)


def test_threads_the_timeline_retired_still_count_in_the_ended_row_and_the_table():
    from gilviz.thread_table import thread_rows
    from gilviz.ui.lane_rows import snapshot_rows

    timeline = Timeline()
    timeline.set_window(1 * S, 0)
    for slot in (1, 2):
        timeline.lane_seen(thread(slot), born_ns=(1 + slot) * S)
        timeline.add_split(slot, (1 + slot) * S, (2 + slot) * S, 0.25, 0.0, IO, 0.75, "read", 0.0)
        timeline.add_split(slot, (2 + slot) * S, (3 + slot) * S, 0.0, 0.0, DONE, 1.0, "", 0.0)
    timeline.lane_seen(thread(3))
    timeline.add_split(3, 1 * S, 5 * S, 0.5, 0.0, LOCK_WAIT, 3.5, "futex", 0.0)
    timeline.retire(5 * S + RETIRE_AFTER_NS + 1)
    timeline.add_split(3, 5 * S, 12 * S, 0.0, 0.0, LOCK_WAIT, 7.0, "futex", 0.0)
    snap = timeline.snapshot()
    rows = snapshot_rows(snap, last_index=239)
    assert [row.label.strip() for row in rows][-1] == "└ 2 ended threads"
    assert "I/O" in rows[-1].note and "run" in rows[-1].note  # their lives: a quarter run, the rest reading
    (ended,) = [row for row in thread_rows(snap) if row.key == (10, "ended")]
    assert ended.threads == 2 and ended.run == pytest.approx(0.25) and ended.io == pytest.approx(0.75)


def process(slot: int, pid: int, main: bool = False) -> SlotView:
    kind, role = (protocol.THREAD, protocol.MAIN) if main else (protocol.PROCESS, protocol.WORKER)
    return SlotView(slot, pid, pid, kind, role, protocol.NONE, 0, 0, 0, "p%d" % pid, "")


def test_a_child_process_gone_a_while_leaves_one_ended_processes_row_not_its_own_rows():
    """A program's children come and go (a pool, a shell-out): the dead ones' rows retire like ended threads."""
    from gilviz.ui.lane_rows import snapshot_rows

    timeline = Timeline()
    timeline.set_window(1 * S, 0)
    timeline.lane_seen(process(0, 10, main=True))
    timeline.add_split(0, 1 * S, 20 * S, 1.0, 0.0, IO, 18.0, "wait4", 0.0)  # the root, waiting for its children
    for slot, pid, ends in ((1, 20, 3), (3, 30, 12), (5, 40, 19)):
        timeline.lane_seen(process(slot, pid), born_ns=2 * S)
        timeline.lane_seen(SlotView(slot + 1, pid, pid + 1, protocol.THREAD, protocol.WORKER, 0, 0, 0, 0, "t", ""))
        for lane in (slot, slot + 1):
            timeline.add_split(lane, 2 * S, ends * S, 0.5, 0.0, IO, ends - 2.5, "read", 0.0)
            timeline.add_split(lane, ends * S, (ends + 1) * S, 0.0, 0.0, DONE, 1.0, "", 0.0)  # the child ended
    assert sorted(timeline.retire(17 * S)) == [1, 2]  # 20's lanes: gone over 5 s ago (its process's lane too)
    rows = snapshot_rows(timeline.snapshot(), last_index=400)
    labels = [row.label.strip() for row in rows]
    assert labels[0].startswith("pid 10") and "└ 2 ended processes" in labels  # 20 (retired) and 30 (gone 7 s)
    assert any(label.startswith("pid 40") for label in labels)  # gone 1 s: still its own rows
    assert not any(label.startswith(("pid 20", "pid 30")) for label in labels)
    (dead,) = [row for row in rows if "ended processes" in row.label]
    assert {lane.pid for lane in dead.threads} == {30}  # 20's lanes left the timeline: counted in its note
    assert "run" in dead.note or "I/O" in dead.note


def test_the_json_names_a_child_process_retired_whole_an_ended_process():
    from gilviz.lane_fold import ended_entries
    from gilviz.retired import EndedThreads

    times = tuple(1.0 if state == "done" else 0.0 for state in STATES)
    ended = [EndedThreads(10, 2, times), EndedThreads(11, 3, times)]  # 11: a child whose lanes all retired
    by_pid = {e["pid"]: e for e in ended_entries(ended, 1.0, listed={10})}
    assert by_pid[10]["name"] == "2 ended threads" and not by_pid[10]["process"]
    assert by_pid[11]["name"] == "ended process (3 threads)" and by_pid[11]["process"]
    assert all(e["ended"] and e["count"] for e in by_pid.values())
