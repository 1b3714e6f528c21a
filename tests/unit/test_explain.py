"""Why a speed-up departs from theory, by exact strings, from hand-made reports."""

from __future__ import annotations

import pytest
from gilviz.explain import explain, noise
from gilviz.model import RunConfig, RunReport
from gilviz.states import STATES
from gilviz.timeline import Bin, LaneView, Snapshot

START = 100.0  # the run window's start, in monotonic seconds
BIN_S = 0.05


def lane(name, shares, *, kind="thread", role="worker", switches=None, window=1.0, starts_at=0.0):
    times = tuple(shares.get(state, 0.0) * window for state in STATES)
    first = Bin(round((START + starts_at) / BIN_S), times)
    return LaneView(
        slot=0, pid=1, tid=2, kind=kind, role=role, name=name, phase="done", progress=1.0, count=0, note="",
        bins=(first,), run_times=times, switches=switches, done=0, total=0,
    )  # fmt: skip


def report(config, wall, lanes, *, baseline=None, core_busy=None, cores=2, gil=True, cancelled=False, parts=None):
    result = {"wall_s": wall, "t_start_ns": int(START * 1e9), "t_end_ns": int((START + wall) * 1e9), "cancelled": cancelled}
    if parts is not None:
        result["parts_s"] = parts
    snap = Snapshot(
        t=START + wall, bin_s=BIN_S, lanes=tuple(lanes), cpu=(), cpu_history=(), window=(START, START + wall), coarse=False
    )
    python = {"implementation": "cpython", "version": "3.11.7", "gil_enabled": gil, "free_threaded_build": not gil}
    r = RunReport(config, python, cores, result, snap, True, core_busy=core_busy)
    r.baseline = baseline
    return r


def sequential(key, wall, shares=None, core_busy=None, parts=None):
    main = lane("MainThread", shares or {"running": 0.98}, role="main", window=wall)
    return report(RunConfig(key, 2), wall, [main], core_busy=core_busy, parts=parts or [wall / 2, wall / 2])


def test_cpu_threads_slower_than_sequential_name_their_switches_and_core_wait():
    base = sequential("seq-cpu", 1.0, core_busy=[0.5, 0.5])
    shares = {"running": 0.42, "gil_wait": 0.51, "core_wait": 0.06}
    workers = [lane("worker-%d" % i, shares, switches=121, window=1.2) for i in (1, 2)]
    r = report(RunConfig("threads-cpu", 2), 1.2, workers, baseline=base, core_busy=[0.47, 0.47])
    assert r.speedup is not None and round(r.speedup, 2) == 0.83
    assert (
        explain(r) == "0.83×: slower than sequential — the two threads wake each other ~101 times a second (voluntary switches)"
        " and wait 6 % for a core"
    )


def test_where_the_gil_is_read_its_own_hand_off_count_replaces_the_switches():
    import dataclasses

    from gilviz.gil_figures import ProcessGilState

    base = sequential("seq-cpu", 1.0, core_busy=[0.5, 0.5])
    shares = {"running": 0.42, "gil_wait": 0.51, "core_wait": 0.06}
    workers = [lane("worker-%d" % i, shares, switches=121, window=1.2) for i in (1, 2)]
    r = report(RunConfig("threads-cpu", 2), 1.2, workers, baseline=base, core_busy=[0.47, 0.47])
    gil = ProcessGilState(1, True, "GIL read from memory", 180, 150.0, 0.99, 0.005, 0.0066)
    r.snapshot = dataclasses.replace(r.snapshot, gil_state=(gil,))
    said = "0.83×: slower than sequential — the two threads hand the GIL over 150 times a second (its own count)"
    assert explain(r) == said + " and wait 6 % for a core"


def test_a_wait_beyond_what_theory_expects_is_named_with_the_expectation():
    base = sequential("seq-cpu", 1.0)
    shares = {"running": 0.3, "gil_wait": 0.68}
    workers = [lane("worker-%d" % i, shares, window=1.3) for i in (1, 2)]
    r = report(RunConfig("threads-cpu", 2), 1.3, workers, baseline=base)
    assert explain(r) == "0.77×: slower than sequential — the two threads wait 68 % for the GIL (50 % expected)"


def test_processes_short_of_theory_start_late():
    base = sequential("seq-cpu", 2.1)
    workers = [lane("worker-%d" % i, {"running": 0.68}, kind="process", window=1.5, starts_at=0.3) for i in (1, 2)]
    r = report(RunConfig("procs-cpu", 2), 1.5, workers, baseline=base)
    assert explain(r) == "1.40×: short of the 2× theory — the two processes start 20 % into the run"


def test_within_the_noise_floor_there_is_nothing_to_explain():
    base = sequential("seq-io", 2.0, {"io": 1.0})
    workers = [lane("worker-%d" % i, {"io": 0.99}, window=1.03) for i in (1, 2)]
    assert explain(report(RunConfig("threads-io", 2), 1.03, workers, baseline=base)) is None  # 1.94× against 2×


def test_identical_parts_of_the_baseline_that_vary_widen_the_noise():
    base = sequential("seq-hash", 2.0, parts=[0.8, 1.2])  # the same work took 0.8 s and 1.2 s: 40 % apart
    workers = [lane("worker-%d" % i, {"running": 0.7, "core_wait": 0.3}, window=1.25) for i in (1, 2)]
    r = report(RunConfig("c-threads", 2), 1.25, workers, baseline=base)
    assert noise(r) == pytest.approx(0.4)
    assert explain(r) is None  # 1.6× against 2×: 20 % off, within 40 %
    assert noise(report(RunConfig("c-threads", 2), 1.25, workers, baseline=sequential("seq-hash", 2.0))) == 0.1


def test_the_rest_of_the_machine_s_load_is_named_as_a_reason():
    base = sequential("seq-hash", 2.0)
    slow = [lane("worker-%d" % i, {"running": 0.55, "core_wait": 0.3}, window=1.6) for i in (1, 2)]
    busy = report(RunConfig("c-threads", 2), 1.6, slow, baseline=base, core_busy=[0.85, 0.85])
    assert explain(busy) == (  # 1.7 cores busy, 1.1 of them with the run's own threads
        "1.25×: short of the 2× theory — the two threads wait 30 % for a core; "
        "the rest of the machine kept 30 % of the cores busy"
    )


def test_beyond_theory_names_the_baseline_s_own_waits():
    base = sequential("seq-cpu", 1.3, {"running": 0.74, "core_wait": 0.25})
    workers = [lane("worker-%d" % i, {"running": 0.5, "gil_wait": 0.5}, window=1.0) for i in (1, 2)]
    r = report(RunConfig("threads-cpu", 2), 1.0, workers, baseline=base)
    assert explain(r) == "1.30×: beyond the 1× theory — the sequential baseline waited 25 % for a core"


def test_when_nothing_measured_accounts_for_the_gap_it_says_so():
    base = sequential("seq-cpu", 1.5)
    workers = [lane("worker-%d" % i, {"running": 0.74}, kind="process", window=1.0) for i in (1, 2)]
    r = report(RunConfig("procs-cpu", 2), 1.0, workers, baseline=base)
    assert explain(r) == (
        "1.50×: short of the 2× theory — nothing measured accounts for it: no wait, start-up or other load of 5 % or more"
    )


def test_a_free_threaded_run_is_held_to_the_cores_theory():
    base = sequential("seq-cpu", 1.0)
    workers = [lane("worker-%d" % i, {"running": 0.49, "core_wait": 0.44}, window=1.0) for i in (1, 2)]
    r = report(RunConfig("threads-cpu", 2), 1.0, workers, baseline=base, gil=False)
    assert r.theory == 2.0
    assert explain(r) == "1.00×: short of the 2× theory — the two threads wait 44 % for a core"


def test_free_threads_that_need_more_cpu_time_for_the_same_work_say_how_much_more():
    base = sequential("seq-cpu", 5.88, {"running": 0.99})
    workers = [lane("worker-%d" % i, {"running": share}, window=3.73) for i, share in ((1, 0.93), (2, 0.95))]
    r = report(RunConfig("threads-cpu", 2), 3.73, workers, baseline=base, gil=False)
    assert explain(r) == (
        "1.58×: short of the 2× theory — the two threads need 20 % more CPU time than the sequential run for the same work"
    )


def test_no_line_without_a_speed_up_to_explain():
    assert explain(sequential("seq-cpu", 1.0)) is None  # a baseline is its own 1×
    race = report(RunConfig("race", 4), 1.5, [lane("worker-1", {"running": 0.5})])
    assert explain(race) is None  # no baseline, no speed-up
    base = sequential("seq-cpu", 2.0)
    stopped = report(RunConfig("procs-cpu", 2), 0.3, [lane("worker-1", {"running": 0.5})], baseline=base, cancelled=True)
    assert explain(stopped) is None
