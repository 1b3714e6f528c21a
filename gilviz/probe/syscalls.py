"""Where a blocked thread sleeps: ``/proc/PID/task/TID/syscall`` decoded (layer: probe; pure).

The file holds ``running`` for a thread on a CPU or runnable, or the number of the
system call it is blocked in followed by its six arguments, the stack pointer and the
program counter (``-1 …`` when it is blocked outside a system call, e.g. on a page
fault). Only the names a reader will meet while watching Python programs are listed;
any other call keeps its number ("syscall 318"). Numbers are per architecture: x86-64
has its own table, aarch64 and riscv64 use the kernel's generic one.
"""

from __future__ import annotations

import platform
from typing import NamedTuple

_X86_64 = {
    0: "read",
    1: "write",
    7: "poll",
    17: "pread64",
    18: "pwrite64",
    19: "readv",
    20: "writev",
    23: "select",
    24: "sched_yield",
    34: "pause",
    35: "nanosleep",
    42: "connect",
    43: "accept",
    44: "sendto",
    45: "recvfrom",
    46: "sendmsg",
    47: "recvmsg",
    61: "wait4",
    73: "flock",
    74: "fsync",
    75: "fdatasync",
    128: "rt_sigtimedwait",
    130: "rt_sigsuspend",
    202: "futex",
    230: "clock_nanosleep",
    232: "epoll_wait",
    247: "waitid",
    257: "openat",
    270: "pselect6",
    271: "ppoll",
    281: "epoll_pwait",
    288: "accept4",
    426: "io_uring_enter",
    441: "epoll_pwait2",
    449: "futex_waitv",
}
_GENERIC = {  # include/uapi/asm-generic/unistd.h: aarch64, riscv64, loongarch64
    22: "epoll_pwait",
    32: "flock",
    56: "openat",
    63: "read",
    64: "write",
    65: "readv",
    66: "writev",
    67: "pread64",
    68: "pwrite64",
    72: "pselect6",
    73: "ppoll",
    82: "fsync",
    83: "fdatasync",
    95: "waitid",
    98: "futex",
    101: "nanosleep",
    115: "clock_nanosleep",
    124: "sched_yield",
    133: "rt_sigsuspend",
    137: "rt_sigtimedwait",
    202: "accept",
    203: "connect",
    206: "sendto",
    207: "recvfrom",
    211: "sendmsg",
    212: "recvmsg",
    242: "accept4",
    260: "wait4",
    426: "io_uring_enter",
    441: "epoll_pwait2",
    449: "futex_waitv",
}
TABLES = {"x86_64": _X86_64, "amd64": _X86_64}

FUTEX_CMD_MASK = ~(128 | 256)  # FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME
# FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2
FUTEX_WAIT_OPS = frozenset({0, 6, 9, 11, 13})


class Blocked(NamedTuple):
    """A thread blocked in a system call: its name and, for a futex wait, the address."""

    name: str
    futex_address: int | None  # set only for a futex *wait* (the address it sleeps on)


RUNNING = "running"  # what the file says for a thread on a CPU or waiting for one


def syscall_table(machine: str | None = None) -> dict[int, str]:
    machine = (machine or platform.machine()).lower()
    return TABLES.get(machine, _GENERIC)


def parse(text: str, table: dict[int, str]) -> Blocked | str | None:
    """``RUNNING``, a ``Blocked``, or None when the file says nothing usable."""
    fields = text.split()
    if not fields:
        return None
    if fields[0] == RUNNING:
        return RUNNING
    try:
        nr = int(fields[0])
    except ValueError:
        return None
    if nr < 0:
        return Blocked("kernel wait", None)  # blocked in the kernel outside a system call (a page fault, say)
    name = table.get(nr, "syscall %d" % nr)
    if name == "futex" and len(fields) >= 3:
        try:
            address, op = int(fields[1], 16), int(fields[2], 16)
        except ValueError:
            return Blocked(name, None)
        if op & FUTEX_CMD_MASK in FUTEX_WAIT_OPS:
            return Blocked(name, address)
    if name == "futex_waitv":
        return Blocked(name, 0)  # several futexes at once: a wait, on no one address
    return Blocked(name, None)
