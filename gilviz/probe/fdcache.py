"""Kept-open /proc files under a budget of file descriptors.

Re-reading a kept-open ``/proc`` file with ``pread`` costs a few microseconds; opening
it again costs several times that. So the sampler keeps its files open, but at most
``budget`` of them: the least recently read is closed when another must be opened, and
opened again on demand. The budget is half the soft ``RLIMIT_NOFILE`` (which
``raise_fd_limit`` lifts to the hard limit once, at start), so the rest of gilviz (the
UI, its pipes, psutil's reads) always has room. A program with 1,024 threads under
``ulimit -n 1024`` then costs re-opens, never ``EMFILE``.

Only ``ENOENT`` and ``ESRCH`` mean the thread has exited (``Gone``). Any other error
(``EMFILE`` when something else took the descriptors, ``EAGAIN``, ``EINTR``) means "not
readable now" (``NotNow``): the caller keeps the thread and tries again at its next tick.
"""

from __future__ import annotations

import errno
import os
from collections import OrderedDict

MIN_BUDGET = 16
SPARE = 64  # descriptors always left to the rest of the process, whatever the limit
GONE_ERRNOS = frozenset({errno.ENOENT, errno.ESRCH})

FdKey = tuple  # (pid, tid, kind)


class Gone(Exception):
    """The file's thread or process has exited (ENOENT or ESRCH)."""


class NotNow(Exception):
    """The file could not be read this time (out of descriptors, interrupted): try again later."""


def raise_fd_limit() -> tuple[int, int]:
    """Lift the soft RLIMIT_NOFILE to the hard limit (where allowed); returns (soft, hard) after."""
    try:
        import resource
    except ImportError:  # not POSIX
        return (1024, 1024)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass  # a hard limit too high for the kernel (nr_open): keep the soft one
    return soft, hard


def budget_for(soft_limit: int) -> int:
    """How many files to keep open under a soft limit of ``soft_limit`` descriptors."""
    if soft_limit <= 0 or soft_limit > 1 << 20:  # unlimited, or absurd: a generous fixed budget
        soft_limit = 1 << 16
    return max(MIN_BUDGET, min(soft_limit // 2, soft_limit - SPARE))


class FdCache:
    """Open files by key, least recently read closed first once ``budget`` are open."""

    def __init__(self, budget: int) -> None:
        self.budget = max(1, budget)
        self._fds: OrderedDict[FdKey, int] = OrderedDict()
        self.opens = 0  # files opened (first time or again): what the budget costs
        self.shed = 0  # times EMFILE made it close files it kept

    def __len__(self) -> int:
        return len(self._fds)

    def pread(self, key: FdKey, path: str, size: int) -> bytes:
        """Up to ``size`` bytes from the start of ``path``. Raises ``Gone`` or ``NotNow``."""
        fds = self._fds
        fd = fds.get(key)
        if fd is None:
            fd = self._open(key, path)
        else:
            fds.move_to_end(key)
        try:
            return os.pread(fd, size, 0)
        except OSError as exc:
            self.close(key)
            if exc.errno in GONE_ERRNOS:
                raise Gone() from None
            if isinstance(exc, PermissionError):
                raise
            raise NotNow() from None

    def _open(self, key: FdKey, path: str) -> int:
        fds = self._fds
        while len(fds) >= self.budget:
            _, old = fds.popitem(last=False)
            os.close(old)
        for attempt in range(2):
            try:
                fd = os.open(path, os.O_RDONLY)
                break
            except OSError as exc:
                if exc.errno in GONE_ERRNOS:
                    raise Gone() from None
                if isinstance(exc, PermissionError):
                    raise
                if exc.errno in (errno.EMFILE, errno.ENFILE) and attempt == 0 and fds:
                    self.shed += 1  # something else took descriptors: give back half of ours, try once more
                    self.budget = max(MIN_BUDGET, len(fds) // 2)
                    while len(fds) > self.budget // 2:
                        os.close(fds.popitem(last=False)[1])
                    continue
                raise NotNow() from None
        else:  # pragma: no cover - the loop always breaks or raises
            raise NotNow()
        self.opens += 1
        fds[key] = fd
        return fd

    def close(self, key: FdKey) -> None:
        fd = self._fds.pop(key, None)
        if fd is not None:
            os.close(fd)

    def forget(self, pid: int, tid: int, kinds: int) -> None:
        for kind in range(kinds):
            self.close((pid, tid, kind))

    def close_all(self) -> None:
        while self._fds:
            os.close(self._fds.popitem()[1])
