"""The GIL struct's decoding and the holder's calibration, on exact bytes; the figures they give.

Memory is a sparse file here: ``os.pread`` at an address of it is what ``/proc/PID/mem`` gives.
The bytes of ``GIL_39`` were read from a CPython 3.9 running two spinning threads.
"""

from __future__ import annotations

import os
import struct

import pytest
from gilviz.gil_figures import NO_LANE, GilTally
from gilviz.probe.gil_address import GilLocation
from gilviz.probe.gil_state import (
    HolderMap,
    ProcessGil,
    blocked_call,
    calibrate,
    candidates,
    decode,
    holder_tid,
)
from gilviz.probe.syscalls import Blocked

GIL_39 = bytes.fromhex("8813000000000000302434a8255600000100000000000000" + "3e01000000000000")


def gil_bytes(interval=5000, holder=0x5000, locked=1, padding=0, switches=7) -> bytes:
    return struct.pack("<QQiiQ", interval, holder, locked, padding, switches)


def test_the_measured_bytes_decode_to_interval_holder_locked_and_switch_number():
    words = decode(GIL_39)
    assert words is not None
    assert (words.interval_us, words.holder, words.locked, words.switch_number) == (5000, 0x5625A8342430, True, 318)


@pytest.mark.parametrize(
    "raw",
    [
        gil_bytes(locked=2),  # locked is 0 or 1
        gil_bytes(padding=1),  # the padding after it is zero
        gil_bytes(interval=0),  # no GIL has a zero interval (setswitchinterval refuses it)
        gil_bytes(holder=0x5004),  # a thread state is 8-byte aligned
        gil_bytes(holder=0, locked=1),  # held by nobody
        gil_bytes(holder=1 << 48),  # a kernel address
        GIL_39[:31],  # too short
    ],
)
def test_bytes_without_a_gils_shape_are_refused(raw):
    assert decode(raw) is None


def test_a_free_gil_with_no_holder_yet_is_a_gil():
    words = decode(gil_bytes(holder=0, locked=0, switches=0))
    assert words is not None and not words.locked


def test_the_struct_may_start_at_each_waiter_offset():
    assert candidates(0x1000) == [0x1000 - 72, 0x1000 - 76, 0x1000 - 160, 0x1000 - 164]


class Memory:
    """A sparse file standing for a process's memory."""

    def __init__(self, path) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def put(self, address: int, data: bytes) -> None:
        os.pwrite(self.fd, data, address)

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def memory(tmp_path):
    m = Memory(tmp_path / "mem")
    yield m
    m.close()


def thread_state_311(memory, address: int, tid: int) -> None:
    """A 3.11+ thread state: a pointer to the next one at 8, the native thread id at 160."""
    memory.put(address, bytes(512))
    memory.put(address + 8, struct.pack("<Q", 0x9000))
    memory.put(address + 160, struct.pack("<Q", tid))


def thread_state_39(memory, address: int, pthread: int, tid: int) -> None:
    """A 3.9 thread state whose pthread_t (at 176) points at glibc's struct pthread (tid at 720)."""
    memory.put(address, bytes(512))
    memory.put(address + 176, struct.pack("<Q", pthread))
    memory.put(pthread, bytes(1024))
    memory.put(pthread, struct.pack("<QQQ", pthread, 0x7777, pthread))  # tcb, dtv, self
    memory.put(pthread + 720, struct.pack("<i", tid))


def test_the_native_thread_id_is_found_by_matching_a_known_tid(memory):
    thread_state_311(memory, 0x5000, 4242)
    how = calibrate(memory.fd, 0x5000, frozenset({4241, 4242}))
    assert how == HolderMap(160)
    thread_state_311(memory, 0x6000, 4241)
    assert holder_tid(memory.fd, 0x6000, how) == 4241


def test_on_39_the_thread_id_is_found_through_pthread_t(memory):
    thread_state_39(memory, 0x5000, 0x20000, 4242)
    how = calibrate(memory.fd, 0x5000, frozenset({4242}))
    assert how == HolderMap(176, 720)
    thread_state_39(memory, 0x6000, 0x30000, 4243)
    assert holder_tid(memory.fd, 0x6000, how) == 4243


def test_a_pointer_to_a_block_that_is_not_a_pthread_is_not_followed(memory):
    thread_state_39(memory, 0x5000, 0x20000, 4242)
    memory.put(0x20000, struct.pack("<Q", 0))  # no longer starts with a pointer to itself
    assert calibrate(memory.fd, 0x5000, frozenset({4242})) is None


def test_a_holder_whose_thread_id_matches_no_thread_calibrates_nothing(memory):
    thread_state_311(memory, 0x5000, 4242)
    assert calibrate(memory.fd, 0x5000, frozenset({1, 2})) is None


GIL_AT = 0x100000
RANGES = GilLocation(((0x100000, 0x101000),), "GIL = a futex in libpython3.12.so's static data")


def process_gil(memory) -> ProcessGil:
    proc = ProcessGil(os.getpid())
    proc.fd = memory.fd  # as if /proc/PID/mem had been opened
    return proc


def test_a_gil_waiters_futex_finds_the_struct_and_the_holder(memory):
    thread_state_311(memory, 0x5000, 4242)
    memory.put(GIL_AT, gil_bytes(holder=0x5000, switches=7))
    proc = process_gil(memory)
    assert proc.offer(GIL_AT + 76, RANGES, frozenset({4242, 4243}))
    assert proc.address == GIL_AT and proc.readable
    reading = proc.read(frozenset({4242, 4243}))
    assert reading is not None and (reading.locked, reading.holder_tid, reading.switch_number) == (True, 4242, 7)
    memory.put(GIL_AT, gil_bytes(holder=0x5000, locked=0, switches=9))
    reading = proc.read(frozenset({4242, 4243}))
    assert reading is not None and (reading.locked, reading.holder_tid, reading.switch_number) == (False, 0, 9)
    proc.fd = None  # the fixture closes the file


def test_a_futex_outside_the_static_data_or_without_the_shape_finds_nothing(memory):
    thread_state_311(memory, 0x5000, 4242)
    memory.put(GIL_AT, gil_bytes(holder=0x5000))
    proc = process_gil(memory)
    assert not proc.offer(0x200000 + 72, RANGES, frozenset({4242}))  # a lock's futex on the heap
    memory.put(GIL_AT, gil_bytes(holder=0x5000, locked=3))
    assert not proc.offer(GIL_AT + 72, RANGES, frozenset({4242}))
    assert not proc.readable and "not found" in proc.detail
    proc.fd = None


def test_a_holder_blocked_in_a_call_is_named_but_not_one_waiting_for_the_gil_itself():
    assert blocked_call(Blocked("clock_nanosleep", None), RANGES) == "clock_nanosleep"
    assert blocked_call(Blocked("futex", 0x300000), RANGES) == "futex"  # a lock, holding the GIL
    assert blocked_call(Blocked("futex", GIL_AT + 72), RANGES) == ""  # it let go between the two reads
    assert blocked_call("running", RANGES) == ""


WINDOW = (1_000_000_000, 0)


def test_the_tally_credits_each_reading_with_the_interval_before_it():
    tally = GilTally()
    tally.set_state(10, True, "read")
    ms = 1_000_000
    readings = [  # (t, locked, holder slot, blocked in, switch_number)
        (1000 * ms, True, 1, "", 100),
        (1010 * ms, True, 1, "", 101),
        (1020 * ms, True, 2, "clock_nanosleep", 102),
        (1030 * ms, True, 2, "clock_nanosleep", 102),
        (1040 * ms, False, NO_LANE, "", 105),
        (1050 * ms, True, NO_LANE, "", 106),
    ]
    for t, locked, slot, call, n in readings:
        tally.add(10, t, locked, slot, call, n, 5000, WINDOW)
    assert tally.lane(1, 10, 0.05) == pytest.approx((0.2, 0.0))
    assert tally.lane(2, 10, 0.05) == pytest.approx((0.4, 0.4))
    (proc,) = tally.processes()
    assert proc.handoffs == 6 and proc.handoffs_per_s == pytest.approx(120)
    assert proc.held == pytest.approx(0.8) and proc.interval_s == 0.005
    assert proc.mean_hold_s == pytest.approx(0.04 / 6)
    assert tally.worst_blocked() == (2, "clock_nanosleep", pytest.approx(0.02))


def test_readings_outside_the_window_count_nothing_and_unreadable_processes_have_no_shares():
    tally = GilTally()
    tally.set_state(10, True, "read")
    tally.add(10, 500_000_000, True, 1, "", 1, 5000, WINDOW)  # before the window
    tally.add(10, 1_010_000_000, True, 1, "", 50, 5000, WINDOW)  # the first inside: from the start on
    assert tally.lane(1, 10, 0.01) == pytest.approx((1.0, 0.0))
    assert tally.processes()[0].handoffs == 0
    tally.set_state(11, False, "free-threaded, GIL disabled: no GIL to wait for")
    assert tally.lane(3, 11, 1.0) is None
    assert tally.processes()[1].handoffs is None


def test_the_header_names_hand_offs_and_the_lane_that_held_the_gil_blocked():
    from gilviz.gil_figures import ProcessGilState
    from gilviz.states import STATES
    from gilviz.timeline import LaneView, Snapshot
    from gilviz.ui.gil_header import alarm_text, gil_key, handoffs_text

    zero = tuple(0.0 for _ in STATES)
    lane = LaneView(
        slot=3, pid=10, tid=12, kind="thread", role="worker", name="thread 3", phase="?", progress=0.0, count=0, note="",
        bins=(), run_times=zero, switches=None,
    )  # fmt: skip
    gil = ProcessGilState(10, True, "read", 300, 148.4, 0.98, 0.005, 0.0065)
    snap = Snapshot(0.0, 0.05, (lane,), (), (), (1.0, 3.0), False, gil_state=(gil,), gil_blocked=(3, "clock_nanosleep", 0.75))
    assert handoffs_text(snap) == ("148 hand-offs/s", "148/s")
    long, short = alarm_text(snap) or ("", "")
    assert long == "▲ thread 3 held the GIL while blocked in clock_nanosleep for 75 % of the run — the other threads waited"
    assert short == "▲ thread 3 held the GIL blocked in clock_nanosleep 75 %"
    quiet = Snapshot(0.0, 0.05, (lane,), (), (), (1.0, 0.0), False, gil_blocked=(3, "clock_nanosleep", 0.01))
    assert alarm_text(quiet) is None and handoffs_text(quiet) is None  # too little to name; no GIL read
    assert gil_key(snap) != gil_key(quiet)


def test_the_shape_scan_finds_the_struct_with_its_mutex_and_nothing_else():
    from gilviz.probe.gil_state import aligned_places, shaped_places

    gil = gil_bytes(holder=0x5000, locked=0, switches=33) + bytes(48)  # + the condition variable
    gil += struct.pack("<iIiIiI", 0, 0, 0, 0, 0, 0) + bytes(16)  # the mutex: __lock … __kind, __list zero
    assert len(gil) == 120
    block = bytearray(b"\xaa" * 4096)
    block[1024 : 1024 + 120] = gil
    block[2048 : 2048 + 120] = gil
    block[2048 + 84] = 7  # a "mutex" whose __count is not zero: not the GIL's
    block[3004 : 3004 + 120] = gil  # not 8-byte aligned
    assert aligned_places(bytes(block)) == [1024]
    ((address, words),) = shaped_places(bytes(block), 0x10000, ((0x10000, 0x11000),))
    assert address == 0x10000 + 1024 and words.switch_number == 33
    block[1024 + 24 : 1024 + 32] = struct.pack("<Q", 0x10010)  # a "switch_number" that points into static data
    assert shaped_places(bytes(block), 0x10000, ((0x10000, 0x11000),)) == []
