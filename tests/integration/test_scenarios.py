"""Real scenario runs at the tiny size, checked against robust physical facts.

Timing ratios are checked only where the effect is large (sleeps overlapping, threads
not beating the GIL); how large exactly is `gilviz bench`'s job, not a test's.
"""

import pytest
from gilviz.model import RunConfig

from conftest import workers

TINY = "tiny"


def test_io_threads_sleep_together(session):
    report = session.run(RunConfig("threads-io", size=TINY))
    assert report.baseline is not None and report.baseline.config.scenario == "seq-io"
    assert report.speedup is not None and report.speedup >= 1.6
    assert report.theory == 2.0
    lanes = workers(report)
    assert len(lanes) == 2 and {lane.kind for lane in lanes} == {"thread"}
    for lane in lanes:
        assert lane.shares(report.window_s)["io"] > 0.6


def test_cpu_threads_take_turns_on_the_gil(session):
    report = session.run(RunConfig("threads-cpu", size=TINY))
    if not report.python["gil_enabled"]:
        pytest.skip("a free-threaded interpreter has no GIL to take turns on")
    assert report.theory == 1.0
    # other programs taking cores (measured: the run's and its baseline's machine load) move a ratio of two short
    # runs, and a GIL waiter, woken to ask for it, then waits for a core too: the facts checked say so
    noisy = any(r is not None and r.machine is not None and r.machine.noisy for r in (report, report.baseline))
    assert report.speedup is not None and (noisy or report.speedup < 1.5), (report.speedup, report.machine)
    for lane in workers(report):
        shares = lane.shares(report.window_s)
        said = (dict(shares), lane.waits, report.snapshot.gil, report.machine, report.sampler_ticks)
        assert shares["gil_wait"] + (shares["core_wait"] if noisy else 0.0) >= 0.25, said
        assert shares["running"] <= 0.75, said


def test_cpu_processes_run_in_their_own_processes(session):
    report = session.run(RunConfig("procs-cpu", size=TINY))
    lab_pid = next(lane.pid for lane in report.lanes if lane.role == "main")
    lanes = workers(report)
    assert len(lanes) == 2
    assert all(lane.kind == "process" and lane.pid != lab_pid and lane.tid == lane.pid for lane in lanes)
    assert len({lane.pid for lane in lanes}) == 2
    assert report.theory == float(min(2, report.cores))


def test_a_sequential_run_is_its_own_baseline(session):
    report = session.run(RunConfig("seq-cpu", size=TINY))
    assert report.speedup == 1.0 and report.baseline_s == report.wall_s
    (main,) = report.lanes
    shares = main.shares(report.window_s)  # it counts: on a core, or waiting for one while other programs take them
    assert main.role == "main" and shares["running"] + shares["core_wait"] > 0.8 and shares["running"] > 0.2, shares


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_pools_run_the_same_map_on_either_executor(session, executor):
    report = session.run(RunConfig("pools", size=TINY, executor=executor))
    assert report.result["executor"] == executor
    lanes = workers(report)
    assert len(lanes) == 2 and all(lane.phase == "done" for lane in lanes)
    assert {lane.kind for lane in lanes} == {executor}
    assert report.baseline is not None and report.baseline.config.scenario == "seq-cpu"


def test_race_without_the_lock_loses_updates(session):
    report = session.run(RunConfig("race", size=TINY, lock=False))
    race = report.result["race"]
    assert race["expected"] == sum(lane.done for lane in workers(report)) > 0  # each thread's own count, summed
    assert race["lost"] > 0 and race["actual"] + race["lost"] == race["expected"]
    assert race["lock"] is False and race["switch_interval_s"] == 1e-4
    assert race["duration_s"] == 0.3 and report.wall_s >= 0.3  # time-boxed: every thread counts for 0.3 s
    assert race["updates_per_s"] == pytest.approx(race["expected"] / report.wall_s)


def test_race_with_the_lock_loses_none(session):
    report = session.run(RunConfig("race", size=TINY, lock=True))
    race = report.result["race"]
    assert race["lost"] == 0 and race["actual"] == race["expected"] > 0
    assert report.wall_s >= 0.3 and race["updates_per_s"] > 0
    assert all(lane.phase == "done" for lane in workers(report))


def test_queue_delivers_every_item_and_globals_stay_apart(session):
    report = session.run(RunConfig("queue", size=TINY, workers=2))
    q = report.result["queue"]
    assert q["put"] == q["got"] == q["items"] == 40
    assert q["child_global"] == 40 and q["parent_global"] == 0
    names = sorted(lane.name for lane in workers(report))
    assert names == ["consumer-1", "consumer-2", "producer"]
