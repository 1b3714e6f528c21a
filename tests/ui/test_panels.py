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
    return Snapshot(t=1.0, bin_s=0.05, lanes=lanes, cpu=(), cpu_history=(), window=(0.5, 0.0), coarse=False)


def race_report(lock, wall, expected, actual, per_s=None):
    result = {"wall_s": wall, "t_start_ns": 0, "t_end_ns": int(wall * 1e9)}
    result["race"] = {"expected": expected, "actual": actual, "lost": expected - actual, "lock": lock, "switch_interval_s": 1e-4}
    if per_s is not None:
        result["race"].update(duration_s=1.5, updates_per_s=per_s)
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
    snap = snapshot(lane("w1", done=3000, count=2500), lane("w2", done=2000, count=2900))  # 0.5 s in (t 1.0, start 0.5)
    live = race_text(cfg, snap, None, [], None).plain.splitlines()
    assert live[0] == "2 threads update one global counter · lock ON   l toggles it and re-runs"
    assert live[1] == "updates counted 5,000 · counter 2,900 · live (lost: at the end)"
    assert live[2] == "█" * 16 + "·" * 32 + " 0.5 of 1.5 s"  # a third of the time box
    assert live[3] == "without the lock: not run yet · with it: not run yet   (l runs the other)"
    assert live[4] == (
        "each thread counts its updates for 1.5 s · switch interval 0.1 ms (default unknown yet) so the race shows in a short run"
    )

    off = race_report(False, 1.5, 1_800_000, 1_000_000, per_s=1_200_000)
    on = race_report(True, 1.52, 60_800, 60_800, per_s=40_000)
    final = race_text(cfg, snap, on, [on, off], on.python).plain.splitlines()
    assert final[1] == "expected 60,800 · actual 60,800 · lost 0 (0.0%) · final, in 1.52 s"
    assert final[3] == "1.2 M updates/s without the lock, 40 k/s with it: 30× fewer (both measured: 2 threads, demo size)"
    assert final[4] == (
        "each thread counts its updates for 1.5 s · switch interval 0.1 ms (default 5 ms) so the race shows in a short run"
    )
    lossy = race_text(RunConfig("race", workers=2), snap, off, [off], off.python).plain.splitlines()
    assert lossy[1] == "expected 1,800,000 · actual 1,000,000 · lost 800,000 (44.4%) · final, in 1.50 s"
    assert lossy[2] == "█" * 27 + "░" * 21 + " █ counted  ░ lost"  # 56 % of 48 columns counted
    assert lossy[3] == "without the lock: 1.2 M updates/s · with it: not run yet   (l runs the other)"


def test_race_panel_takes_the_rate_of_an_older_recording_from_expected_and_wall_time():
    cfg = RunConfig("race", workers=2)
    off = race_report(False, 0.1, 10000, 6000)  # recorded before updates_per_s: 100 k/s
    on = race_report(True, 1.5, 10000, 10000)  # 6.7 k/s
    lines = race_text(cfg, None, off, [off, on], off.python).plain.splitlines()
    assert lines[3] == "100 k updates/s without the lock, 7 k/s with it: 15× fewer (both measured: 2 threads, demo size)"


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


def test_the_meters_keep_a_line_per_core_before_the_first_reading():
    """So the lanes above keep their height when the first reading comes (no layout jump at a run's start)."""
    from dataclasses import replace

    from gilviz.ui.meters import meter_lines

    waiting = meter_lines(snapshot(), False, 80, cores=2)
    read = meter_lines(replace(snapshot(), cpu=(50.0, 97.0), cpu_history=((50.0,), (97.0,))), False, 80, cores=2)
    assert len(waiting) == len(read) == 3
    assert "waiting for the first reading" in waiting[-1][0][0] and read[1][-1][0].strip() == "97%"
    assert len(meter_lines(snapshot(), False, 80)) == 1  # the cores not known yet
    assert len(meter_lines(snapshot(), True, 80, cores=2)) == 1  # compact: one line either way


async def test_the_box_under_the_lanes_shows_the_lessons_own_panel_widget_or_the_programs_output():
    """Each panel is a widget that draws its own state; the box shows the one its lesson names, under its title."""
    from gilviz.trace import read_trace
    from gilviz.ui.app import replay_app
    from gilviz.ui.panels import OutputPanel, PanelBox, QueuePanel, RacePanel

    from conftest import ROOT

    expected = {"race-lock-off": RacePanel, "queue": QueuePanel, "threads-cpu": None, "watch-busy-server": OutputPanel}
    for name, kind in expected.items():
        trace = read_trace(str(ROOT / "assets" / "traces" / (name + ".jsonl.gz")))
        app = replay_app(trace, at=trace.after_end_s)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            box = app.query_one("#panel", PanelBox)
            shown = [panel for panel in box.children if panel.display]
            assert box.display == (kind is not None) and [type(p) for p in shown] == ([kind] if kind else []), name
            if kind is not None:
                assert str(box.border_title) == str(shown[0].box_title) and str(shown[0].render()).strip(), name
            if kind is RacePanel:
                assert "expected" in str(shown[0].render()) and "lost" in str(shown[0].render())
            if kind is QueuePanel:
                assert "put − got" in str(shown[0].render())
