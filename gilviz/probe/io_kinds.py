"""What kind of I/O a blocking system call is: sleep, network or pipe, disk, child (pure).

The sampler names a lane's blocked time by the system call it was blocked in (``waits``:
call -> seconds). For a table of threads that is too fine and too cryptic; these four
kinds say what a thread was waiting *for*: a timer (``sleep``), another program over a
socket or pipe, or any readiness poll (``network``), the disk (``disk``), or a child
process to end (``child``). ``read`` and ``write`` on a socket or pipe block until the
other side acts; on a disk file they rarely block in the call itself (the page cache),
so they count as ``network``. A call named in no list is ``other``.
"""

from __future__ import annotations

from collections.abc import Iterable

SLEEP, NETWORK, DISK, CHILD, OTHER = "sleep", "network", "disk", "child", "other"
KINDS = (SLEEP, NETWORK, DISK, CHILD, OTHER)

_CALLS = {
    SLEEP: ("nanosleep", "clock_nanosleep", "pause", "rt_sigsuspend", "rt_sigtimedwait", "sched_yield", "alarm"),
    NETWORK: (
        "read", "readv", "write", "writev", "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg", "sendmmsg",
        "accept", "accept4", "connect", "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait",
        "epoll_pwait2", "io_uring_enter", "splice", "tee", "msgrcv", "mq_timedreceive", "semtimedop",
    ),
    DISK: (
        "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2", "fsync", "fdatasync", "sync",
        "syncfs", "sync_file_range", "open", "openat", "openat2", "creat", "stat", "lstat", "fstat",
        "newfstatat", "statx", "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat",
        "rmdir", "getdents64", "flock", "fcntl", "close", "truncate", "ftruncate", "fallocate", "io_getevents",
        "io_pgetevents", "copy_file_range", "sendfile", "mmap", "munmap", "msync", "madvise",
    ),
    CHILD: ("wait4", "waitid", "pidfd_open"),
}  # fmt: skip
NOT_IO = frozenset({"futex", "futex_waitv", "kernel wait"})  # lock and GIL waits; a page fault
KIND_OF = {call: kind for kind, calls in _CALLS.items() for call in calls}


def io_kind(call: str) -> str:
    """The kind of wait a system call's name stands for."""
    return KIND_OF.get(call, OTHER)


def by_kind(waits: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Seconds per kind, from (call, seconds) pairs (a ``LaneView``'s ``waits``); only kinds with time."""
    totals: dict[str, float] = {}
    for call, seconds in waits:
        if call in NOT_IO:
            continue
        kind = io_kind(call)
        totals[kind] = totals.get(kind, 0.0) + seconds
    return totals
