"""Classification of one interval, by exact values."""

import pytest
from gilviz.lab import protocol
from gilviz.probe.classify import STATES, classify


def times(**named):
    return tuple(named.get(s, 0.0) for s in STATES)


def test_cpu_phase_rest_is_gil_wait():
    got = classify(protocol.CPU, 0.010, 0.004, 0.001)
    assert got.times == pytest.approx(times(running=0.004, core_wait=0.001, gil_wait=0.005))
    assert got.cpu_carry_s == 0 and got.runqueue_carry_s == 0


@pytest.mark.parametrize(
    ("phase", "state"),
    [
        (protocol.IO, "io"),
        (protocol.LOCK, "lock_wait"),
        (protocol.QUEUE_GET, "queue_wait"),
        (protocol.QUEUE_PUT, "queue_wait"),
        (protocol.JOIN, "idle"),
        (protocol.STARTING, "idle"),
        (protocol.DONE, "done"),
        (protocol.FAILED, "failed"),
    ],
)
def test_blocked_time_goes_to_the_declared_phase(phase, state):
    got = classify(phase, 0.010, 0.002, 0.0)
    assert got.times == pytest.approx(times(running=0.002, **{state: 0.008}))


def test_cpu_beyond_the_interval_is_carried_not_lost():
    # the kernel reported 12 ms in a 10 ms interval (tick granularity)
    first = classify(protocol.CPU, 0.010, 0.012, 0.0)
    assert first.times == pytest.approx(times(running=0.010))
    assert first.cpu_carry_s == pytest.approx(0.002)
    # the next interval reports 8 ms; with the carry the thread ran all of both
    second = classify(protocol.CPU, 0.010, 0.008 + first.cpu_carry_s, 0.0)
    assert second.times == pytest.approx(times(running=0.010))
    assert second.cpu_carry_s == pytest.approx(0.0)


def test_runqueue_is_capped_by_what_cpu_leaves():
    got = classify(protocol.CPU, 0.010, 0.007, 0.005)
    assert got.times == pytest.approx(times(running=0.007, core_wait=0.003))
    assert got.runqueue_carry_s == pytest.approx(0.002)


def test_times_add_up_to_the_interval():
    for cpu in (0.0, 0.003, 0.02):
        for rq in (0.0, 0.004, 0.02):
            assert sum(classify(protocol.CPU, 0.01, cpu, rq).times) == pytest.approx(0.01)


def test_empty_interval_keeps_everything_as_carry():
    got = classify(protocol.CPU, 0.0, 0.003, 0.001)
    assert got.times == times()
    assert (got.cpu_carry_s, got.runqueue_carry_s) == (0.003, 0.001)
