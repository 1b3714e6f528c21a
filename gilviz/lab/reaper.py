"""No process escapes the lab: it is a child subreaper, and it finds and ends all its descendants.

A program's child can leave its process group (``setsid``) or its parent can exit under
it (a daemon's double fork); killing the program's group then misses it. The lab marks
itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``, Linux 3.4+): an orphan
anywhere below it is re-parented to the lab, not to init, so it stays a descendant, and
``descendants()`` (from each process's parent in /proc) finds it, whatever its session.
Elsewhere (no /proc, not Linux) these do nothing and the process-group rule is all there is.

Standard library only (the lab runs on any CPython >= 3.9).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36
LISTED = 50  # at most this many left-behind processes are named


def become_subreaper() -> bool:
    """Make orphans below this process its children (Linux); False where that cannot be done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[1]), fields[0].decode("ascii", "replace")
    except (OSError, IndexError, ValueError):
        return None


def descendants(root: int | None = None) -> list[int]:
    """Every living (not zombie) process below ``root`` (this process), in any session; [] without /proc."""
    root = os.getpid() if root is None else root
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    children: dict[int, list[int]] = {}
    zombies = set()
    for pid in pids:
        stat = _stat(pid)
        if stat is not None:
            children.setdefault(stat[0], []).append(pid)
            if stat[1] in ("Z", "X"):
                zombies.add(pid)
    found, todo = [], list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        if pid not in zombies:
            found.append(pid)
        todo.extend(children.get(pid, ()))
    return sorted(found)


def describe(pid: int) -> dict:
    """A left-behind process for the JSON: its pid, name and command line (raw: the UI side makes them visible)."""
    entry: dict = {"pid": pid, "name": "?", "command": []}
    try:
        with open("/proc/%d/comm" % pid, "rb") as f:
            entry["name"] = f.read(64).rstrip(b"\n").decode("utf-8", "backslashreplace")
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read(4096).split(b"\0")
        entry["command"] = [a.decode("utf-8", "backslashreplace") for a in args if a][:20]
    except OSError:
        pass
    return entry


def reap_orphans(keep: int) -> None:
    """Collect the exit status of every ended child but ``keep`` (orphans re-parented here would stay zombies)."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except (ChildProcessError, OSError, AttributeError):
            return
        if info is None or info.si_pid == keep or info.si_pid == 0:
            return
        try:
            os.waitpid(info.si_pid, 0)
        except ChildProcessError:
            return


def kill_descendants(passes: int = 5) -> None:
    """SIGKILL every descendant, again while new ones appear (a fork between two passes)."""
    for _ in range(passes):
        found = descendants()
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
