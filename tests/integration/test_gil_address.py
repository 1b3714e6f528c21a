"""Finding the GIL's futex: the interpreter's static data, from /proc/PID/maps."""

import os
import subprocess
import sys
import time

import pytest
from gilviz.probe.gil_address import Mapping, free_threaded_name, interpreter_file, locate_gil, static_ranges
from gilviz.probe.syscalls import Blocked, parse, syscall_table

from conftest import pyenv_python

LIB = "/root/.pyenv/versions/3.9.18/lib/libpython3.9.so.1.0"
MAPS_39 = [  # as CPython 3.9 maps itself: libpython's .data, then its .bss as an anonymous mapping
    Mapping(0x7F5C_E970_0000, 0x7F5C_E980_0000, "r-xp", 130394, LIB),
    Mapping(0x7F5C_E9B5_4000, 0x7F5C_E9B8_E000, "rw-p", 130394, LIB),
    Mapping(0x7F5C_E9B8_E000, 0x7F5C_E9BB_0000, "rw-p", 0, ""),
    Mapping(0x7F5C_E9BB_0000, 0x7F5C_E9BC_0000, "rw-p", 0, ""),  # a later anonymous mapping, not ours
    Mapping(0x5600_0000_0000, 0x5600_0010_0000, "rw-p", 0, "[heap]"),
]


def test_static_data_is_the_writable_mapping_and_the_bss_after_it():
    assert interpreter_file(MAPS_39, "/root/.pyenv/versions/3.9.18/bin/python3.9") == LIB
    assert static_ranges(MAPS_39, LIB) == ((0x7F5C_E9B5_4000, 0x7F5C_E9BB_0000),)


def test_a_statically_linked_python_is_its_own_interpreter_file():
    exe = "/usr/bin/python3.11"
    maps = [Mapping(0x400000, 0x500000, "r-xp", 7, exe), Mapping(0xA4A000, 0xA85000, "rw-p", 7, exe)]
    assert interpreter_file(maps, exe) == exe
    assert interpreter_file(maps, "/usr/bin/other") is None


def test_free_threaded_builds_by_name():
    assert free_threaded_name("/opt/python3.13t/lib/libpython3.13t.so.1.0")
    assert free_threaded_name("/opt/python3.13t/bin/python3.13t")
    assert not free_threaded_name("/usr/lib/libpython3.13.so.1.0")
    assert not free_threaded_name("/usr/bin/python3")


def test_this_interpreter_has_a_gil_in_its_static_data():
    gil = locate_gil(os.getpid())
    if hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
        assert gil.ranges == ()
    else:
        assert gil.known and gil.ranges
        assert "static data" in gil.detail


def test_a_program_that_is_not_python_has_no_known_gil():
    proc = subprocess.Popen(["sleep", "5"])
    try:
        time.sleep(0.1)
        gil = locate_gil(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert gil.ranges is None
    assert gil.detail == "sleep is not CPython: GIL and lock waits look alike"


WAITER = """
import sys, threading, time
def count(n):
    for _ in range(n):
        x = 1 + 1
lock = threading.Lock()
lock.acquire()
threads = [threading.Thread(target=count, args=(10**9,), daemon=True) for _ in range(2)]
threads.append(threading.Thread(target=lock.acquire, daemon=True))
for t in threads:
    t.start()
print(" ".join(str(t.native_id) for t in threads), flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.11", "3.12", "3.13"])
def test_gil_and_lock_waits_are_told_apart_on_every_cpython(version):
    """Two counting threads take turns on the GIL; a third waits on a held Lock: read their futexes."""
    python = pyenv_python(version) or (sys.executable if sys.version.startswith(version) else None)
    if python is None:
        pytest.skip("no CPython %s here" % version)
    proc = subprocess.Popen([python, "-c", WAITER], stdout=subprocess.PIPE, text=True)
    try:
        tids = [int(t) for t in proc.stdout.readline().split()]
        gil = locate_gil(proc.pid)
        assert gil.known and gil.ranges, gil.detail
        table = syscall_table()
        seen_gil = 0
        lock_waits = []
        for _ in range(200):
            for tid in tids[:2]:
                with open("/proc/%d/task/%d/syscall" % (proc.pid, tid)) as f:
                    reading = parse(f.read(), table)
                if isinstance(reading, Blocked) and reading.futex_address is not None:
                    assert any(lo <= reading.futex_address < hi for lo, hi in gil.ranges)
                    seen_gil += 1
            with open("/proc/%d/task/%d/syscall" % (proc.pid, tids[2])) as f:
                lock_waits.append(parse(f.read(), table))
            time.sleep(0.002)
    finally:
        proc.kill()
        proc.wait()
    assert seen_gil > 10  # the counting threads were caught waiting for the GIL, always in static data
    blocked = [r for r in lock_waits if isinstance(r, Blocked)]
    assert blocked and all(r.futex_address is not None for r in blocked)
    assert not any(lo <= r.futex_address < hi for r in blocked for lo, hi in gil.ranges)
