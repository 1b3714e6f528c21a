"""The timeline model: bins, the run window, bounded memory, immutable snapshots."""

import dataclasses

import pytest
from gilviz.lab import protocol
from gilviz.lab.board import SlotView
from gilviz.states import STATES
from gilviz.timeline import Timeline

MS = 1_000_000


def view(slot=1, phase=protocol.CPU, pid=10, tid=11):
    return SlotView(slot, pid, tid, protocol.THREAD, protocol.WORKER, phase, 0, 0, 0, "worker-1", "")


def run_only(seconds):
    return tuple(seconds if s == "running" else 0.0 for s in STATES)


def test_intervals_fill_bins_by_their_midpoint():
    tl = Timeline(bin_s=0.05)
    tl.lane_seen(view())
    for i in range(10):  # 10 ms intervals from t=1.000 s to 1.100 s
        t0 = 1000 * MS + i * 10 * MS
        tl.add_interval(1, t0, t0 + 10 * MS, run_only(0.01))
    (lane,) = tl.snapshot().lanes
    assert [b.index for b in lane.bins] == [20, 21]
    assert [b.times[0] for b in lane.bins] == pytest.approx([0.05, 0.05])


def test_only_the_run_window_counts_towards_shares():
    tl = Timeline()
    tl.lane_seen(view())
    tl.add_interval(1, 0, 10 * MS, run_only(0.01))  # before the window: not counted
    tl.set_window(10 * MS, 0)
    tl.add_interval(1, 10 * MS, 20 * MS, run_only(0.01))
    tl.set_window(10 * MS, 25 * MS)
    tl.add_interval(1, 20 * MS, 30 * MS, run_only(0.01))  # half inside
    (lane,) = tl.snapshot().lanes
    assert lane.run_times[0] == pytest.approx(0.015)
    assert lane.shares(0.015)["running"] == pytest.approx(1.0)


def test_a_lanes_times_never_pass_the_window_and_its_cpu_time_is_kept():
    """A thread's CPU time and the interval's wall time are read apart: their sum can pass the window by a
    little. The shares still add up to 1, the excess taken off the waiting states, the CPU time kept."""
    tl = Timeline()
    tl.lane_seen(view())
    tl.set_window(10 * MS, 30 * MS)
    gil = STATES.index("gil_wait")
    for t0 in (10 * MS, 20 * MS):  # 6 ms of CPU and 5 ms of GIL wait read for each 10 ms interval
        tl.add_interval(1, t0, t0 + 10 * MS, tuple(0.006 if i == 0 else 0.005 if i == gil else 0.0 for i in range(len(STATES))))
    (lane,) = tl.snapshot().lanes
    shares = lane.shares(0.020)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["running"] == pytest.approx(0.6) and shares["gil_wait"] == pytest.approx(0.4)


def test_history_is_bounded():
    tl = Timeline(bin_s=0.01, history_bins=50, cpu_history=5)
    tl.lane_seen(view())
    for i in range(1000):
        tl.add_interval(1, i * 10 * MS, (i + 1) * 10 * MS, run_only(0.01))
        tl.add_cpu((50.0, 50.0))
    snap = tl.snapshot()
    assert len(snap.lanes[0].bins) == 51  # 50 closed bins and the open one
    assert len(snap.cpu_history) == 2 and len(snap.cpu_history[0]) == 5


def test_a_reused_slot_starts_a_new_lane():
    tl = Timeline()
    tl.lane_seen(view(tid=11))
    tl.add_interval(1, 0, 10 * MS, run_only(0.01))
    tl.lane_seen(view(tid=12))
    (lane,) = tl.snapshot().lanes
    assert lane.tid == 12 and lane.bins == ()


def test_switches_need_two_readings_in_the_window():
    tl = Timeline()
    tl.lane_seen(view())
    tl.set_window(10 * MS, 0)
    tl.add_switches(1, 5 * MS, 1)  # before the window
    tl.add_switches(1, 20 * MS, 100)
    assert tl.snapshot().lanes[0].switches is None
    tl.add_switches(1, 30 * MS, 140)
    assert tl.snapshot().lanes[0].switches == 40


def test_snapshots_are_immutable():
    tl = Timeline()
    tl.lane_seen(view())
    snap = tl.snapshot()
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.t = 1.0  # type: ignore[misc]
    assert snap.lanes[0].name == "worker-1" and snap.lanes[0].phase == "cpu" and snap.lanes[0].kind == "thread"


def test_an_interval_longer_than_a_bin_is_shared_among_the_bins_it_covers():
    """A late tick (the sampler held up) must not leave a bin empty and put double into the next."""
    from gilviz.lab.board import SlotView
    from gilviz.timeline import Timeline

    timeline = Timeline(bin_s=0.01)
    timeline.lane_seen(SlotView(1, 10, 11, 1, 2, 2, 0, 0, 0, "w", ""))
    # 25 ms running from t = 1.000 s: 10 ms in each of the first two bins, 5 ms in the third
    timeline.add_split(1, 1_000_000_000, 1_025_000_000, 0.025, 0.0, 1, 0.0, "", 0.0)
    timeline.add_split(1, 1_025_000_000, 1_030_000_000, 0.0, 0.0, 1, 0.005, "futex", 0.0)  # 5 ms GIL, fills the third
    bins = timeline.snapshot().lanes[0].bins
    assert [b.index for b in bins] == [100, 101, 102]
    running = [round(b.times[STATES.index("running")], 6) for b in bins]
    gil = [round(b.times[STATES.index("gil_wait")], 6) for b in bins]
    assert running == [0.01, 0.01, 0.005] and gil == [0.0, 0.0, 0.005]
