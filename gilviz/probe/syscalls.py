"""Where a blocked thread sleeps: ``/proc/PID/task/TID/syscall`` decoded (pure).

The file holds ``running`` for a thread on a CPU or runnable, or the number of the
system call it is blocked in followed by its six arguments, the stack pointer and the
program counter (``-1 …`` when it is blocked outside a system call, e.g. on a page
fault). Every call has its name (``syscall_names``, from the kernel's tables); a number
past them keeps its number ("syscall 999"). Numbers are per architecture: x86-64 has its
own table, aarch64 and riscv64 use the kernel's generic one.
"""

from __future__ import annotations

import platform
from typing import NamedTuple

from gilviz.probe.syscall_names import GENERIC_RUNS, X86_64_RUNS, table

_X86_64 = table(X86_64_RUNS)
_GENERIC = table(GENERIC_RUNS)  # include/uapi/asm-generic/unistd.h: aarch64, riscv64, loongarch64
TABLES = {"x86_64": _X86_64, "amd64": _X86_64}

FUTEX_CMD_MASK = ~(128 | 256)  # FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME
# FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2
FUTEX_WAIT_OPS = frozenset({0, 6, 9, 11, 13})


class Blocked(NamedTuple):
    """A thread blocked in a system call: its name and, for a futex wait, the address."""

    name: str
    futex_address: int | None  # set only for a futex *wait* (the address it sleeps on)


RUNNING = "running"  # what the file says for a thread on a CPU or waiting for one
KERNEL_WAIT = "kernel wait"  # blocked outside any system call: a page fault, most often (not I/O: "blocked")


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
        return Blocked(KERNEL_WAIT, None)  # blocked in the kernel outside a system call (a page fault, say)
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
