"""Classification of one interval from the kernel's readings, by exact values."""

import pytest
from gilviz.lab import protocol
from gilviz.probe.classify import (
    BLOCKED,
    DECLARED,
    DONE,
    GIL_WAIT,
    IDLE,
    IO,
    LOCK_WAIT,
    QUEUE_WAIT,
    Wait,
    classify,
    kernel_wait,
    name_wait,
)
from gilviz.probe.gil_address import GilLocation
from gilviz.probe.io_kinds import by_kind, io_kind
from gilviz.probe.syscalls import RUNNING, Blocked, parse, syscall_table
from gilviz.states import STATES

X86 = syscall_table("x86_64")
GIL = GilLocation(((0x7F00_0000, 0x7F00_2000),), "GIL = a futex in libpython3.11.so's static data")
UNKNOWN = GilLocation(None, "pypy3 is not CPython")
NO_GIL = GilLocation((), "free-threaded, GIL disabled")


def times(**named):
    return tuple(named.get(s, 0.0) for s in STATES)


# -- the syscall file ----------------------------------------------------------------


def test_parse_running():
    assert parse("running\n", X86) == RUNNING


def test_parse_a_futex_wait_keeps_its_address():
    # what a thread waiting for the GIL on CPython 3.12 showed: FUTEX_WAIT_PRIVATE (128)
    line = "202 0x7f1776856208 0x80 0x0 0x0 0x0 0x0 0x7f1775ffeb40 0x7f1776a91f16\n"
    assert parse(line, X86) == Blocked("futex", 0x7F1776856208)


def test_parse_futex_wait_bitset_with_clock_realtime_is_a_wait():
    # Lock.acquire on 3.11: FUTEX_WAIT_BITSET | PRIVATE | CLOCK_REALTIME (393)
    assert parse("202 0x563c279abcf0 0x189 0x0 0x0 0x0 0xffffffff 0x1 0x2", X86) == Blocked("futex", 0x563C279ABCF0)


def test_parse_a_futex_wake_is_not_a_wait():
    assert parse("202 0x1000 0x81 0x1 0x0 0x0 0x0 0x1 0x2", X86) == Blocked("futex", None)


def test_parse_other_calls_keep_their_names():
    assert parse("230 0x1 0x1 0x7ffc 0x0 0x0 0x0 0x1 0x2", X86) == Blocked("clock_nanosleep", None)
    assert parse("7 0x7ffc 0x1 0xffffffff 0x0 0x0 0x0 0x1 0x2", X86) == Blocked("poll", None)
    assert parse("999 0x0 0x0 0x0 0x0 0x0 0x0 0x1 0x2", X86) == Blocked("syscall 999", None)  # past the table
    assert parse("-1 0x7ffc 0x4011", X86) == Blocked("kernel wait", None)


def test_parse_the_generic_table_on_aarch64():
    assert parse("98 0x1000 0x80 0x0 0x0 0x0 0x0 0x1 0x2", syscall_table("aarch64")) == Blocked("futex", 0x1000)
    assert parse("115 0x1 0x1 0x0 0x0 0x0 0x0 0x1 0x2", syscall_table("aarch64")) == Blocked("clock_nanosleep", None)


def test_every_system_call_has_its_name():
    """rename showed as "syscall 82": every number the kernel's tables give has a name, on both."""
    assert parse("82 0x1 0x2 0x0 0x0 0x0 0x0 0x1 0x2", X86) == Blocked("rename", None)
    assert parse("38 0x1 0x2 0x0 0x0 0x0 0x0 0x1 0x2", syscall_table("aarch64")) == Blocked("renameat", None)
    in_use = {"x86_64": range(335), "aarch64": [*range(244), *range(260, 294)]}  # 244-259: each arch's own (none)
    for machine, numbers in in_use.items():
        names = syscall_table(machine)
        assert all(nr in names for nr in numbers), machine
        assert len(set(names.values())) == len(names), machine  # one name, one number
    assert syscall_table("x86_64")[318] == "getrandom" and syscall_table("aarch64")[278] == "getrandom"


def test_a_page_fault_is_not_io():
    wait = kernel_wait(parse("-1 0x7ffc 0x4011", X86), GIL)
    assert wait is not None and wait.state == STATES.index("blocked")


def test_io_is_told_by_kind():
    waits = (("clock_nanosleep", 1.0), ("epoll_wait", 0.5), ("read", 0.25), ("fsync", 0.125), ("wait4", 2.0), ("futex", 9.0))
    assert by_kind(waits) == {"sleep": 1.0, "network": 0.75, "disk": 0.125, "child": 2.0}
    assert io_kind("kernel wait") == "other" and by_kind([("kernel wait", 1.0)]) == {}


def test_parse_empty_or_garbage():
    assert parse("", X86) is None
    assert parse("what", X86) is None


# -- from a reading to a wait ---------------------------------------------------------------


def test_a_futex_in_the_interpreters_static_data_is_the_gil():
    assert kernel_wait(Blocked("futex", 0x7F00_1000), GIL) == Wait(GIL_WAIT, "futex")


def test_any_other_futex_is_a_lock():
    assert kernel_wait(Blocked("futex", 0x5600_0000), GIL) == Wait(LOCK_WAIT, "futex")


def test_without_a_known_gil_a_futex_is_only_blocked():
    assert kernel_wait(Blocked("futex", 0x7F00_1000), UNKNOWN) == Wait(BLOCKED, "futex")


def test_without_a_gil_no_futex_is_a_gil_wait():
    assert kernel_wait(Blocked("futex", 0x7F00_1000), NO_GIL) == Wait(LOCK_WAIT, "futex")


def test_other_calls_are_io_and_running_is_no_wait():
    assert kernel_wait(Blocked("read", None), GIL) == Wait(IO, "read")
    assert kernel_wait(RUNNING, GIL) is None
    assert kernel_wait(None, GIL) is None


# -- the declared phase names a wait, never invents one ---------------------------------------


@pytest.mark.parametrize(
    ("phase", "kernel", "named", "disagree"),
    [
        (protocol.QUEUE_GET, Wait(IO, "poll"), Wait(QUEUE_WAIT, "poll"), False),
        (protocol.QUEUE_PUT, Wait(LOCK_WAIT, "futex"), Wait(QUEUE_WAIT, "futex"), False),
        (protocol.JOIN, Wait(LOCK_WAIT, "futex"), Wait(IDLE, "futex"), False),
        (protocol.JOIN, Wait(IO, "wait4"), Wait(IDLE, "wait4"), False),
        (protocol.JOIN, Wait(GIL_WAIT, "futex"), Wait(GIL_WAIT, "futex"), False),  # the kernel wins
        (protocol.CPU, Wait(GIL_WAIT, "futex"), Wait(GIL_WAIT, "futex"), False),
        (protocol.CPU, Wait(IO, "read"), Wait(IO, "read"), True),  # a cpu phase blocked in read: said
        (protocol.IO, Wait(GIL_WAIT, "futex"), Wait(GIL_WAIT, "futex"), False),  # waking from a sleep
        (protocol.IO, Wait(LOCK_WAIT, "futex"), Wait(LOCK_WAIT, "futex"), True),
        (protocol.LOCK, Wait(LOCK_WAIT, "futex"), Wait(LOCK_WAIT, "futex"), False),
        (protocol.DONE, Wait(LOCK_WAIT, "futex"), Wait(DONE, "futex"), False),
        (protocol.NONE, Wait(IO, "recvfrom"), Wait(IO, "recvfrom"), False),  # a watched program declares nothing
    ],
)
def test_the_phase_names_the_kernels_wait(phase, kernel, named, disagree):
    assert name_wait(kernel, phase) == (named, disagree)


# -- splitting the interval --------------------------------------------------------------------


def test_blocked_time_goes_to_the_wait():
    got = classify(0.010, 0.004, 0.001, Wait(GIL_WAIT, "futex"))
    assert got.times == pytest.approx(times(running=0.004, core_wait=0.001, gil_wait=0.005))
    assert (got.wait, got.disagree_s, got.cpu_carry_s, got.runqueue_carry_s) == ("futex", 0.0, 0, 0)


def test_blocked_time_with_no_wait_seen_yet_is_unseen():
    got = classify(0.010, 0.004, 0.0, None)
    assert got.times == pytest.approx(times(running=0.004, unseen=0.006))
    assert got.wait == ""


def test_a_disagreement_counts_the_blocked_time():
    got = classify(0.010, 0.002, 0.0, Wait(IO, "read"), disagree=True)
    assert got.disagree_s == pytest.approx(0.008)


def test_no_blocked_time_names_no_wait():
    assert classify(0.010, 0.010, 0.0, Wait(IO, "read")).wait == ""


def test_cpu_beyond_the_interval_is_carried_not_lost():
    # the kernel reported 12 ms in a 10 ms interval (tick granularity)
    first = classify(0.010, 0.012, 0.0, None)
    assert first.times == pytest.approx(times(running=0.010))
    assert first.cpu_carry_s == pytest.approx(0.002)
    # the next interval reports 8 ms; with the carry the thread ran all of both
    second = classify(0.010, 0.008 + first.cpu_carry_s, 0.0, None)
    assert second.times == pytest.approx(times(running=0.010))
    assert second.cpu_carry_s == pytest.approx(0.0)


def test_runqueue_is_capped_by_what_cpu_leaves():
    got = classify(0.010, 0.007, 0.005, Wait(GIL_WAIT, "futex"))
    assert got.times == pytest.approx(times(running=0.007, core_wait=0.003))
    assert got.runqueue_carry_s == pytest.approx(0.002)


def test_times_add_up_to_the_interval():
    for cpu in (0.0, 0.003, 0.02):
        for rq in (0.0, 0.004, 0.02):
            for wait in (None, Wait(IO, "read")):
                assert sum(classify(0.01, cpu, rq, wait).times) == pytest.approx(0.01)


def test_empty_interval_keeps_everything_as_carry():
    got = classify(0.0, 0.003, 0.001, Wait(IO, "read"))
    assert got.times == times()
    assert (got.cpu_carry_s, got.runqueue_carry_s) == (0.003, 0.001)


def test_the_coarse_fallback_names_blocked_time_by_the_declared_phase():
    assert DECLARED[protocol.CPU] == Wait(GIL_WAIT, "")
    assert DECLARED[protocol.IO] == Wait(IO, "")
    assert DECLARED[protocol.NONE] == Wait(BLOCKED, "")
