"""The race and queue panels' text, from fake snapshots and reports, by exact strings."""

from __future__ import annotations

from gilviz.model import RunConfig, RunReport
from gilviz.timeline import Bin, LaneView, Snapshot
from gilviz.ui.queue_panel import in_flight_history, queue_text
from gilviz.ui.race_panel import live_figures, race_text

ZERO = (0.0,) * 9


def lane(name, role="worker", done=0, total=0, count=0, bins=()):
    return LaneView(
        slot=0, pid=1, tid=2, kind="thread", role=role, name=name, phase="cpu", progress=0.0, count=count, note="",
        bins=tuple(bins), run_times=ZERO, switches=None, done=done, total=total,
    )  # fmt: skip


def snapshot(*lanes):
    return Snapshot(t=1.0, bin_s=0.05, lanes=lanes, cpu=(), cpu_history=(), window=(0.0, 0.0), coarse=False)


def race_report(lock, wall, expected, actual):
    result = {"wall_s": wall, "t_start_ns": 0, "t_end_ns": int(wall * 1e9)}
    result["race"] = {"expected": expected, "actual": actual, "lost": expected - actual, "lock": lock, "switch_interval_s": 1e-4}
    python = {"implementation": "cpython", "version": "3.11.7", "gil_enabled": True, "switch_interval_s": 0.005}
    return RunReport(RunConfig("race", workers=2, lock=lock), python, 2, result, snapshot(), True)


def test_live_race_figures_are_the_board_s_done_and_counter():
    snap = snapshot(
        lane("MainThread", role="main"),
        lane("w1", done=3000, total=5000, count=2500),
        lane("w2", done=2000, total=5000, count=2900),
    )
    assert live_figures(snap) == (5000, 10000, 2900)
    assert live_figures(snapshot(lane("MainThread", role="main"))) is None


def test_race_panel_while_running_then_final_with_both_lock_states():
    cfg = RunConfig("race", workers=2, lock=True)
    snap = snapshot(lane("w1", done=3000, total=5000, count=2500), lane("w2", done=2000, total=5000, count=2900))
    live = race_text(cfg, snap, None, [], None).plain.splitlines()
    assert live[0] == "2 threads update one global counter · lock ON   l toggles it and re-runs"
    assert live[1] == "updates done 5,000 of 10,000 · counter 2,900 · live (lost: at the end)"
    assert live[3] == "lock off: not run yet   lock on: not run yet   "
    assert live[4] == "switch interval set to 0.1 ms (default unknown yet) so the race shows in a short run"

    off = race_report(False, 0.1, 10000, 6000)
    on = race_report(True, 1.5, 10000, 10000)
    final = race_text(cfg, snap, on, [on, off], on.python).plain.splitlines()
    assert final[1] == "expected 10,000 · actual 10,000 · lost 0 (0.0%) · final, in 1.50 s"
    assert final[3] == "lock off: 0.10 s, lost 4,000   lock on: 1.50 s, lost 0   → exact, and 15.0× slower"
    assert final[4] == "switch interval set to 0.1 ms (default 5 ms) so the race shows in a short run"
    lossy = race_text(RunConfig("race", workers=2), snap, off, [off], off.python).plain.splitlines()
    assert lossy[1] == "expected 10,000 · actual 6,000 · lost 4,000 (40.0%) · final, in 0.10 s"
    assert lossy[2] == "█" * 29 + "░" * 19 + " █ counted  ░ lost"  # 60 % of 48 columns counted


def test_queue_depth_is_put_minus_got_per_bin_carried_forward():
    producer = lane("producer", count=9, bins=[Bin(10, ZERO, 2), Bin(11, ZERO, 5), Bin(12, ZERO, 9)])
    consumer = lane("consumer-1", count=4, bins=[Bin(11, ZERO, 1), Bin(13, ZERO, 4)])
    snap = snapshot(lane("MainThread", role="main"), producer, consumer)
    assert in_flight_history(snap, 10) == [2, 4, 8, 5]
    assert in_flight_history(snap, 2) == [8, 5]
    assert in_flight_history(snapshot(lane("producer", count=3), consumer), 10) == []  # not sampled yet


def test_queue_panel_names_the_unshared_global_after_the_run():
    producer = lane("producer", count=200, bins=[Bin(1, ZERO, 200)])
    consumer = lane("consumer-1", count=200, bins=[Bin(1, ZERO, 200)])
    result = {"wall_s": 2.0, "queue": {"items": 200, "put": 200, "got": 200, "child_global": 200, "parent_global": 0}}
    report = RunReport(RunConfig("queue"), {}, 2, result, snapshot(producer, consumer), True)
    lines = queue_text(snapshot(producer, consumer), report, 1).plain.splitlines()
    assert lines[0] == "producer process → multiprocessing.Queue(maxsize=20) → 1 consumer process"
    assert lines[1] == "put 200 · got 200 · put − got 0 (in the queue or being handled)"
    assert (
        lines[3]
        == "items_made: 200 in the producer process · 0 in the parent (read after join: the child's changes never reached it)"
    )
    running = queue_text(snapshot(producer), None, 1).plain.splitlines()
    assert running[3].endswith("the parent's copy is read when the children have ended")
