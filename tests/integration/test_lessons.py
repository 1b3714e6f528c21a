"""The lessons past the textbook, run for real at the tiny size, checked against robust physical facts.

No speed ratio that a busy 2-core machine could flake is asserted: spawn costs more
per start than fork, a reply beside a CPU thread takes longer than alone, a thousand
asyncio waits take less than two waits, four processes a core wait for one.
"""

import pytest
from gilviz.figures import measured
from gilviz.lab.scenarios import BY_KEY, MAX_WORKERS, SIZES, usable_cores
from gilviz.model import RunConfig

from conftest import workers

TINY = "tiny"


def test_c_threads_hash_in_worker_threads_against_their_own_baseline(session):
    report = session.run(RunConfig("c-threads", size=TINY))
    lanes = workers(report)
    assert len(lanes) == 2 and {lane.kind for lane in lanes} == {"thread"} and len({lane.tid for lane in lanes}) == 2
    assert all(lane.phase == "done" and lane.done == SIZES[TINY].hashes for lane in lanes)
    base = report.baseline
    assert base is not None and base.config == RunConfig("seq-hash", 2, TINY, python=report.config.python)
    assert base.result["t_start_ns"] < report.result["t_start_ns"]  # measured in this session, just before
    assert report.speedup == pytest.approx(base.wall_s / report.wall_s)
    assert report.theory == float(min(2, report.cores))


def test_asyncio_runs_a_thousand_waits_in_one_thread_and_compares_a_thread_each(session):
    report = session.run(RunConfig("asyncio", size=TINY))
    doc = report.result["asyncio"]
    wait = SIZES[TINY].sleep_s
    assert doc["tasks"] == 1000 and doc["wait_s"] == wait
    assert report.wall_s < 2 * wait  # all the waits at once
    (lane,) = report.lanes  # one lane: the event loop's thread
    assert lane.role == "main" and "event loop" in lane.name
    assert doc["threads"] == 1 and doc["threads_peak"] == 0
    threads = doc["with_threads"]
    assert threads["waits"] == threads["threads"] == 1000 and threads["threads_peak"] > 0
    assert threads["wall_s"] >= wait
    assert report.baseline is None and report.speedup is None


def test_convoy_replies_take_longer_beside_a_cpu_thread(session):
    report = session.run(RunConfig("convoy", size=TINY))
    convoy = report.result["convoy"]
    assert convoy["alone_round_trips"] > 0 and convoy["with_cpu_round_trips"] > 0
    assert convoy["with_cpu_ms"] > 0 and convoy["alone_ms"] > 0
    # Beside the CPU thread, far fewer round trips fit in the same time. That holds on a busy
    # 2-core machine too, where the median trip is sometimes as quick as alone: the CPU thread
    # then waits for a core, and many replies slip through while it does (see the issue note).
    # With another program on a core (measured: the run's noisy verdict) the CPU thread waits for it more
    # often still: 4× fewer round trips with one core busy, against 5× and more on a quiet machine.
    fewer = 3 if report.machine is not None and report.machine.noisy else 5
    assert convoy["with_cpu_round_trips"] * fewer < convoy["alone_round_trips"], (convoy, report.machine)
    assert convoy["with_cpu_mean_ms"] > fewer * convoy["alone_mean_ms"]  # and the lesson's figure, the mean, shows it
    assert measured(report).measured == convoy["with_cpu_mean_ms"]
    names = sorted(lane.name for lane in workers(report))
    assert names == ["cpu-1", "io-thread", "pinger alone", "pinger w/ CPU"]
    assert {lane.kind for lane in workers(report) if lane.name.startswith("pinger")} == {"process"}
    assert report.result["failed"] == []


def test_oversubscribed_splits_the_work_and_its_processes_wait_for_a_core(session):
    info = BY_KEY["oversubscribed"]
    assert info.workers == min(MAX_WORKERS, 4 * usable_cores())
    report = session.run(RunConfig("oversubscribed", size=TINY))
    n = report.config.worker_count
    per_worker = SIZES[TINY].iterations * 2 // n
    assert report.result["oversubscribed"] == {"workers": n, "iterations_per_worker": per_worker}
    base = report.baseline
    assert base is not None and base.config.scenario == "seq-cpu" and base.config.iterations == per_worker
    assert base.snapshot.lanes[0].total == per_worker * n  # the same total work as the run
    lanes = workers(report)
    assert len(lanes) == n and all(lane.kind == "process" for lane in lanes)
    mean_core_wait = sum(lane.shares(report.window_s)["core_wait"] for lane in lanes) / n
    assert mean_core_wait >= 0.3  # theory: 1 - cores / (4 * cores) = 0.75


def test_start_methods_spawn_costs_more_per_start_than_fork(session):
    report = session.run(RunConfig("start-methods", size=TINY))
    starts = report.result["start_methods"]
    assert starts["starts"] == SIZES[TINY].starts
    assert starts["unavailable"] == {}  # Linux has all three
    assert starts["spawn"] > starts["fork"] > 0 and starts["forkserver"] > 0
    assert set(starts["first"]) == {"fork", "spawn", "forkserver"}


def test_the_switch_interval_is_set_for_the_run_and_read_back(session):
    report = session.run(RunConfig("threads-cpu", size=TINY, switch_interval_ms=50))
    assert report.result["switch_interval_s"] == 0.05
    assert report.baseline is not None and report.baseline.config.switch_interval_ms is None
    for lane in workers(report):  # a turn of up to 50 ms: at most ~20 hand-offs a second
        assert lane.switches is not None and lane.switches / report.wall_s <= 60
    plain = session.run(RunConfig("threads-io", size=TINY))
    assert plain.result["switch_interval_s"] == 0.005  # restored: each run gets a fresh lab, at the default


def test_the_race_takes_a_switch_interval_given_in_place_of_its_own(session):
    race = session.run(RunConfig("race", size=TINY, switch_interval_ms=2)).result["race"]
    assert race["switch_interval_s"] == 0.002


def test_the_lab_restores_the_switch_interval_after_the_run(board):
    import sys

    from gilviz.lab.drivers import Run

    before = sys.getswitchinterval()
    result = Run(board, {"scenario": "threads-io", "size": TINY, "workers": 1, "switch_interval_ms": 50}).start()
    assert result["switch_interval_s"] == 0.05
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize(
    ("scenario", "at"),
    [
        ("c-threads", 0.8),
        ("asyncio", 0.5),  # in the gather
        ("asyncio", 1.6),  # in the thread-per-wait comparison
        ("convoy", 0.5),  # pinging alone
        ("convoy", 1.6),  # beside the CPU thread
        ("oversubscribed", 0.8),
        ("start-methods", 0.8),
        ("race", 0.8),
    ],
)
def test_a_cancelled_lesson_stops_within_half_a_second(scenario, at):
    import threading
    import time

    from gilviz.measure import watch_run

    cancel = threading.Event()
    timer = threading.Timer(at, cancel.set)
    timer.start()
    started = time.monotonic()
    report = watch_run(RunConfig(scenario, size="demo"), cancel=cancel)
    stopped = time.monotonic()
    timer.cancel()
    assert report.result["cancelled"] is True
    assert stopped - (started + at) < 0.5 + 0.3  # the stop itself, plus ending the lab
    assert report.result["failed"] == []
