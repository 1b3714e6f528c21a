"""Honest numbers on a noisy machine: the pure arithmetic by exact values, then real runs by robust facts.

The machine is shared, so nothing here asserts a time or a calm machine: a busy run is
compared with a calm one measured in the same test, and the rest are counts, orders and
sums that hold however loaded the machine is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from gilviz import figures
from gilviz.measure import Session
from gilviz.model import Repeats, RunConfig, RunReport
from gilviz.noise import NOISY_CORES, CpuReading, MachineLoad, combine, machine_load, median_index, spread
from gilviz.report import machine_warning, speedup_impossible, to_json, to_text
from gilviz.speedup import CEILING_TOLERANCE, above_ceiling, ceiling
from gilviz.timeline import Snapshot

from conftest import gilviz

# -- the machine's load: exact arithmetic ---------------------------------------------------------------------------------


def test_other_cpu_is_the_cores_busy_time_minus_ours_over_the_wall_time():
    start = CpuReading(t_s=10.0, busy_s=100.0, steal_s=5.0, ours_s=20.0)
    end = CpuReading(t_s=12.0, busy_s=104.0, steal_s=5.5, ours_s=21.0)
    load = machine_load(start, end, cores=2)
    assert load == MachineLoad(other_cpu=1.5, steal=0.25, ours=0.5, cores=2, wall_s=2.0)
    assert load.noisy
    assert load.to_json() == {
        "other_cpu": 1.5,
        "steal": 0.25,
        "noisy": True,
        "ours": 0.5,
        "cores": 2,
        "wall_s": 2.0,
        "threshold": NOISY_CORES,
    }
    assert MachineLoad.from_json(load.to_json()) == load


def test_other_cpu_never_goes_below_zero_and_no_time_is_no_figure():
    start = CpuReading(0.0, 10.0, 0.0, 5.0)
    assert machine_load(start, CpuReading(1.0, 10.5, 0.0, 5.6), cores=2).other_cpu == 0.0  # ours counted by another clock
    assert machine_load(start, start, cores=2) is None


def test_noisy_is_strictly_above_the_threshold_counting_steal():
    assert NOISY_CORES == 0.25
    at = MachineLoad(other_cpu=0.125, steal=0.125, ours=1.0, cores=2, wall_s=1.0)
    assert not at.noisy
    assert MachineLoad(other_cpu=0.125, steal=0.25, ours=1.0, cores=2, wall_s=1.0).noisy
    assert MachineLoad(other_cpu=0.5, steal=0.0, ours=1.0, cores=2, wall_s=1.0, threshold=1.0).noisy is False


def test_loads_combine_weighted_by_time():
    a = MachineLoad(other_cpu=1.0, steal=0.0, ours=1.0, cores=2, wall_s=1.0)
    b = MachineLoad(other_cpu=0.0, steal=0.5, ours=2.0, cores=2, wall_s=3.0)
    assert combine([a, None, b]) == MachineLoad(other_cpu=0.25, steal=0.375, ours=1.75, cores=2, wall_s=4.0)
    assert combine([None]) is None


# -- medians and ranges -------------------------------------------------------------------------------------------------


def test_spread_is_the_median_and_the_range():
    s = spread([3.0, 1.0, 2.0])
    assert (s.median, s.lo, s.hi, s.n, s.range) == (2.0, 1.0, 3.0, 3, [1.0, 3.0])
    s = spread([4.0, 1.0, 10.0, 2.0])
    assert (s.median, s.lo, s.hi, s.n) == (3.0, 1.0, 10.0, 4)  # an even count: the mean of the middle two
    s = spread([None, 2.5])
    assert (s.median, s.lo, s.hi, s.n) == (2.5, 2.5, 2.5, 1)
    assert spread([]) is None and spread([None]) is None


def test_the_median_run_is_the_middle_one_or_the_lower_middle():
    assert median_index([3.0, 1.0, 2.0]) == 2
    assert median_index([4.0, 1.0, 3.0, 2.0]) == 3  # sorted 1, 2, 3, 4: the lower middle, 2, is at index 3
    assert median_index([7.0]) == 0


# -- the ceiling ---------------------------------------------------------------------------------------------------------


def test_the_ceiling_is_min_workers_cores_for_cpu_work_and_workers_for_waits():
    assert ceiling("cores", workers=2, cores=2) == 2.0
    assert ceiling("cores", workers=8, cores=2) == 2.0
    assert ceiling("cores", workers=1, cores=4) == 1.0
    assert ceiling("gil", workers=4, cores=2) == 2.0  # the GIL lowers the theory, not what the cores could do
    assert ceiling("executor", workers=3, cores=8) == 3.0
    assert ceiling("workers", workers=5, cores=2) == 5.0
    assert ceiling("one", workers=2, cores=2) == 1.0
    assert ceiling(None, workers=2, cores=2) is None
    with pytest.raises(ValueError):
        ceiling("nonsense", workers=2, cores=2)


def test_above_the_ceiling_means_beyond_its_tolerance():
    assert CEILING_TOLERANCE == 0.05
    assert not above_ceiling(2.0, 2.0)
    assert not above_ceiling(2.1, 2.0)  # exactly the tolerance: may still be the run's own variation
    assert above_ceiling(2.11, 2.0)
    assert above_ceiling(2.46, 2.0)
    assert not above_ceiling(None, 2.0) and not above_ceiling(3.0, None)
    assert above_ceiling(2.2, 2.0, tolerance=0.0)


# -- hand-made reports ---------------------------------------------------------------------------------------------------

PYTHON = {"implementation": "cpython", "version": "3.11.7", "gil_enabled": True, "free_threaded_build": False, "executable": "py"}
EMPTY = Snapshot(t=0.0, bin_s=0.05, lanes=(), cpu=(), cpu_history=(), window=(0.0, 0.0), coarse=False)


def made(config: RunConfig, wall: float, *, baseline: RunReport | None = None, machine=None, extra=None) -> RunReport:
    result = {"wall_s": wall, "t_start_ns": 0, "t_end_ns": int(wall * 1e9), "cancelled": False, **(extra or {})}
    report = RunReport(config, PYTHON, 2, result, EMPTY, True, machine=machine)
    report.baseline = baseline
    return report


def load(other: float, steal: float = 0.0) -> MachineLoad:
    return MachineLoad(other_cpu=other, steal=steal, ours=1.0, cores=2, wall_s=1.0)


def test_a_speedup_above_the_ceiling_is_marked_impossible():
    base = made(RunConfig("seq-cpu", 2), 4.92, machine=load(0.9))
    report = made(RunConfig("procs-cpu", 2), 2.0, baseline=base, machine=load(0.0))
    assert report.speedup == pytest.approx(2.46) and report.speedup_ceiling == 2.0
    why = speedup_impossible(report)
    assert why == (
        "impossible: above the 2× that 2 workers on 2 cores can reach (+5 % tolerance), so noise, not speed"
        " — other programs used 0.9 of 2 cores during the sequential baseline"
    )
    doc = to_json(report)
    assert doc["speedup_impossible"] is True and doc["speedup_impossible_reason"] == why and doc["speedup_ceiling"] == 2.0
    assert "speed-up 2.46× (theory 2×) — impossible: above the 2×" in to_text(report)


def test_a_speedup_within_the_ceiling_is_not_marked():
    base = made(RunConfig("seq-io", 2), 2.1)
    report = made(RunConfig("threads-io", 2), 1.0, baseline=base)  # 2.1×: the tolerance, on a ceiling of 2 workers
    assert speedup_impossible(report) is None
    doc = to_json(report)
    assert doc["speedup_impossible"] is False and doc["speedup_impossible_reason"] is None
    io = made(RunConfig("threads-io", 3), 1.0, baseline=made(RunConfig("seq-io", 3), 3.3))
    assert speedup_impossible(io) == (
        "impossible: above the 3× that 3 workers waiting at once can reach (+5 % tolerance), so noise, not speed"
    )


def test_repeated_runs_give_the_median_ratio_its_range_and_both_inputs():
    bases = [made(RunConfig("seq-cpu", 2), wall) for wall in (4.0, 3.9, 4.2)]
    runs = [made(RunConfig("procs-cpu", 2), wall, baseline=b) for wall, b in zip((2.0, 2.1, 1.9), bases)]
    chosen = runs[0]  # ratios 2.0, 1.857.., 2.2105..: the median is the first pair's
    chosen.repeats = Repeats(runs, bases)
    assert chosen.speedup == 2.0
    s = chosen.speedup_spread
    assert (s.lo, s.hi, s.n) == (pytest.approx(3.9 / 2.1), pytest.approx(4.2 / 1.9), 3)
    doc = to_json(chosen)
    assert doc["repeats"] == 3 and doc["runs_s"] == [2.0, 2.1, 1.9] and doc["baselines_s"] == [4.0, 3.9, 4.2]
    assert doc["speedup"] == 2.0 and doc["speedup_range"] == [1.857, 2.211] and doc["speedups"] == [2.0, 1.857, 2.211]
    assert doc["figure"]["measured"] == 2.0 and doc["figure"]["range"] == [1.8571, 2.2105] and doc["figure"]["repeats"] == 3
    text = to_text(chosen)
    assert "speed-up 2.00× (median of 3, 1.86–2.21×; theory 2×)" in text
    assert "runs 2.00 2.10 1.90 s · baselines 4.00 3.90 4.20 s" in text


def test_an_even_number_of_runs_gives_the_mean_of_the_middle_two():
    bases = [made(RunConfig("seq-io", 2), 2.0) for _ in range(4)]
    runs = [made(RunConfig("threads-io", 2), wall, baseline=b) for wall, b in zip((1.0, 1.25, 0.8, 2.0), bases)]
    runs[1].repeats = Repeats(runs, bases)  # ratios 2, 1.6, 2.5, 1: middle two 1.6 and 2
    assert runs[1].speedup == pytest.approx(1.8) and runs[1].speedup_spread.range == [1.0, 2.5]


def test_one_run_keeps_the_old_shape():
    base = made(RunConfig("seq-io", 2), 2.0)
    report = made(RunConfig("threads-io", 2), 1.0, baseline=base)
    doc = to_json(report)
    assert doc["repeats"] == 1 and doc["runs_s"] == [1.0] and doc["baselines_s"] == [2.0]
    assert doc["speedup_range"] == [2.0, 2.0] and doc["figure"]["range"] == [2.0, 2.0]
    lines = to_text(report).splitlines()
    assert lines[2] == "wall 1.00 s · sequential 2.00 s · speed-up 2.00× (theory 2×)"
    assert not any(line.startswith("runs ") for line in lines)


def test_a_figure_other_than_a_speedup_is_the_median_of_the_runs():
    races = [
        made(RunConfig("race"), 1.5, extra={"race": {"lost": lost, "expected": 100, "updates_per_s": 10.0}}) for lost in (5, 9, 7)
    ]
    races[2].repeats = Repeats(races)
    doc = to_json(races[2])
    assert doc["figure"]["measured"] == 7 and doc["figure"]["range"] == [5, 9] and doc["baselines_s"] is None
    assert doc["speedup"] is None and doc["speedup_range"] is None


def test_the_warning_names_who_took_the_cores():
    base = made(RunConfig("seq-cpu", 2), 4.0, machine=load(0.1))
    calm = made(RunConfig("procs-cpu", 2), 2.0, baseline=base, machine=load(0.2))
    assert machine_warning(calm) is None and to_json(calm)["machine"]["noisy"] is False
    busy = made(RunConfig("procs-cpu", 2), 2.0, baseline=base, machine=load(1.3))
    assert machine_warning(busy) == "other programs used 1.3 of 2 cores during this run — figures will be off"
    assert machine_warning(busy) in to_text(busy)
    both = made(RunConfig("procs-cpu", 2), 2.0, baseline=made(RunConfig("seq-cpu", 2), 4.0, machine=load(1.1)), machine=load(1.3))
    assert machine_warning(both) == (
        "other programs used 1.3 of 2 cores during this run, 1.1 during the sequential baseline — figures will be off"
    )
    stolen = made(RunConfig("seq-cpu", 2), 4.0, machine=load(0.0, steal=0.4))
    assert machine_warning(stolen) == "the hypervisor took 0.4 (steal) of 2 cores during this run — figures will be off"
    doc = to_json(both)
    assert doc["machine"]["other_cpu"] == 1.3 and doc["machine"]["noisy"] is True
    assert doc["baseline_machine"]["other_cpu"] == 1.1


def test_the_lock_cost_is_updates_per_second_without_over_with():
    def race(lock: bool, per_s: float | None, expected: int = 0, wall: float = 1.5) -> RunReport:
        figures_ = {"lost": 0, "expected": expected, "lock": lock, "updates_per_s": per_s}
        return made(RunConfig("race", lock=lock), wall, extra={"race": figures_})

    assert figures.lock_cost(race(False, 5_000_000.0), race(True, 200_000.0)) == 25.0
    assert figures.lock_cost(race(False, None, expected=6_000_000, wall=1.5), race(True, 250_000.0)) == 16.0  # old recording
    assert figures.lock_cost(race(False, 5_000_000.0), None) is None
    assert figures.lock_cost(None, race(True, 1.0)) is None
    assert figures.updates_per_s(made(RunConfig("queue"), 1.0)) is None


# -- real runs ------------------------------------------------------------------------------------------------------------


def busy_loops(n: int) -> list[subprocess.Popen]:
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    time.sleep(0.3)  # started and spinning
    return loops


def run_json(*args: str) -> dict:
    out = gilviz("run", *args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_busy_machine_is_measured_and_said():
    calm = run_json("procs-cpu", "--size", "tiny")["machine"]
    loops = busy_loops(2)
    try:
        busy = run_json("procs-cpu", "--size", "tiny")
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    machine = busy["machine"]
    assert machine["other_cpu"] >= 0.8 and machine["noisy"] is True, machine
    assert machine["other_cpu"] > calm["other_cpu"], (machine, calm)
    assert busy["baseline_machine"]["other_cpu"] >= 0.8
    assert set(machine) >= {"other_cpu", "steal", "noisy", "cores"} and machine["steal"] >= 0


@pytest.mark.parametrize(("scenario", "executor"), [("procs-cpu", "thread"), ("pools", "process")])
def test_worker_processes_that_ended_during_the_run_count_as_ours(scenario, executor):
    """Every worker's CPU time (as the sampler saw it run) is in our own figure, though the workers have exited."""
    report = Session().run(RunConfig(scenario, size="tiny", executor=executor))
    workers_s = sum(lane.shares(report.window_s)["running"] for lane in report.lanes if lane.kind == "process") * report.window_s
    assert report.machine is not None and workers_s > 0.05
    assert report.machine.ours * report.machine.wall_s >= 0.9 * workers_s


def test_repeats_run_each_run_right_after_its_own_baseline():
    seen: list[RunReport] = []
    report = Session().repeat(RunConfig("threads-io", size="tiny"), 3, on_report=seen.append)
    assert [r.run_config.scenario for r in seen] == ["seq-io", "threads-io"] * 3
    starts = [(r.result["t_start_ns"], r.result["t_end_ns"]) for r in seen]
    assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:]))  # one after the other, in that order
    repeats = report.repeats
    assert repeats is not None and repeats.runs == seen[1::2] and repeats.baselines == seen[0::2]
    assert all(run.baseline is base for run, base in zip(repeats.runs, repeats.baselines))
    ratios = sorted(b.wall_s / r.wall_s for b, r in zip(repeats.baselines, repeats.runs))
    assert report.speedup == ratios[1] and report.own_speedup == ratios[1] and report in repeats.runs
    assert report.speedup_spread.range == [ratios[0], ratios[2]]


def test_scenarios_repeated_together_share_each_round_s_baseline():
    seen: list[RunReport] = []
    session = Session()
    cpu, procs = session.repeat_together(
        [RunConfig("threads-cpu", size="tiny"), RunConfig("procs-cpu", size="tiny")], 2, on_report=seen.append
    )
    assert [r.run_config.scenario for r in seen] == ["seq-cpu", "threads-cpu", "procs-cpu"] * 2
    assert cpu.repeats.baselines == procs.repeats.baselines == [seen[0], seen[3]]
    assert session.baseline_walls["seq-cpu"] == [seen[0].wall_s, seen[3].wall_s]


def test_run_repeats_on_the_command_line():
    doc = run_json("threads-io", "--size", "tiny", "--repeats", "3")
    assert doc["repeats"] == 3 and len(doc["runs_s"]) == 3 and len(doc["baselines_s"]) == 3 and len(doc["speedups"]) == 3
    lo, hi = doc["speedup_range"]
    assert lo <= doc["speedup"] <= hi and doc["figure"]["measured"] == pytest.approx(doc["speedup"], abs=1e-3)
    assert sorted(doc["speedups"])[1] == doc["speedup"]
    out = gilviz("run", "threads-io", "--size", "tiny", "--repeats", "2")
    assert out.returncode == 0, out.stderr
    assert "(median of 2, " in out.stdout and "· baselines " in out.stdout


def test_a_recorded_run_keeps_its_machine_figure(tmp_path):
    from gilviz.trace import TraceWriter, frames, read_trace

    path = str(tmp_path / "run.jsonl")
    writer = TraceWriter(path)
    live = Session(recorder=writer).run(RunConfig("threads-io", size="tiny"))
    writer.close()
    replayed = [f.report for f in frames(read_trace(path)) if f.kind == "finished"][-1]
    assert live.machine is not None and replayed.machine == MachineLoad.from_json(live.machine.to_json())


def test_watch_json_says_the_machine_s_load():
    out = gilviz("watch", "--json", "--", sys.executable, "-c", "import time; time.sleep(0.3)")
    assert out.returncode == 0, out.stderr
    machine = json.loads(out.stdout)["machine"]
    assert set(machine) >= {"other_cpu", "steal", "noisy"} and machine["other_cpu"] >= 0


def test_one_repeat_is_a_plain_run_and_says_what_starts_and_ends():
    started: list[tuple[str, bool]] = []
    seen: list[str] = []
    session = Session()
    config = RunConfig("threads-io", size="tiny")

    def on_start(what, baseline):
        started.append((what.scenario, baseline))

    report = session.repeat(config, 1, on_start=on_start, on_report=lambda r: seen.append(r.run_config.scenario))
    assert started == [("seq-io", True), ("threads-io", False)] and seen == ["seq-io", "threads-io"]
    assert report.repeats is None and report.baseline is not None
    started.clear()
    session.repeat(config, 1, on_start=on_start)  # the session has the baseline now
    assert started == [("threads-io", False)]


def test_the_dashboard_s_lab_source_reruns_n_times():
    import threading

    from gilviz.sources.events import RunFinished, RunStarted
    from gilviz.sources.lab import LabSource

    source = LabSource(RunConfig("threads-io", size="tiny"))
    source.repeats = 2
    events: list = []
    source.run(events.append, threading.Event())
    runs = [e for e in events if isinstance(e, (RunStarted, RunFinished))]
    kinds = [("start", e.baseline) if isinstance(e, RunStarted) else "end" for e in runs]
    assert kinds == [("start", True), ("start", False), ("start", True), ("start", False), "end"]
    report = events[-1].report
    assert report.repeats is not None and len(report.repeats.runs) == 2 and report.speedup_spread.n == 2


def test_repeated_runs_without_a_speedup_show_the_median_figure_or_wall_time():
    seq = [made(RunConfig("seq-cpu", 2), wall) for wall in (3.8, 3.9, 3.7)]
    seq[0].repeats = Repeats(seq)
    lines = to_text(seq[0]).splitlines()
    assert lines[2:4] == ["wall 3.80 s (median of 3, 3.70–3.90 s)", "runs 3.80 3.90 3.70 s"]
    race = {"expected": 100, "lock": False, "switch_interval_s": 1e-4, "duration_s": 1.5}
    races = [made(RunConfig("race"), 1.5, extra={"race": dict(race, lost=lost, actual=100 - lost)}) for lost in (5, 9, 7)]
    races[2].repeats = Repeats(races)
    said = "without the lock: some (how many depends on timing)"
    assert to_text(races[2]).splitlines()[2] == "lost updates 7 (%s) · median of 3, 5–9" % said


@pytest.mark.parametrize(("off_per_s", "on_per_s"), [(1_200_000.0, 40_000.0), (None, None)])
def test_the_race_panel_and_bench_give_the_same_lock_cost(off_per_s, on_per_s):
    """The dashboard's race panel shows the lock's cost by the formula bench uses: figures.lock_cost."""
    from gilviz.report import times
    from gilviz.ui.race_panel import race_text

    def race(lock: bool, wall: float, expected: int, per_s: float | None) -> RunReport:
        figures_ = {"expected": expected, "actual": expected, "lost": 0, "lock": lock, "switch_interval_s": 1e-4}
        if per_s is not None:
            figures_.update(duration_s=1.5, updates_per_s=per_s)
        return made(RunConfig("race", workers=2, lock=lock), wall, extra={"race": figures_})

    off, on = race(False, 0.1, 10_000, off_per_s), race(True, 1.5, 10_000, on_per_s)  # old recordings: from expected ÷ wall
    cost = figures.lock_cost(off, on)
    assert cost is not None
    panel = race_text(RunConfig("race", workers=2), None, on, [on, off], PYTHON).plain
    assert ": %s fewer" % times(cost) in panel
