"""What the sampler watches: the lab's board, or any process tree found in /proc.

A watch list answers three questions each tick: which threads are lanes now (as
``SlotView`` rows, the board's own shape), what the run's window is, and where each
process's GIL lives (``gil_address``). ``BoardWatchList`` reads the lab's board, where
workers registered themselves; ``ProcessTreeWatchList`` finds the threads of a program
and of its child processes itself, so it works on any program (``gilviz watch``).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Container

import psutil

from gilviz.lab import protocol
from gilviz.lab.board import Board, SlotView
from gilviz.outside import NAME_LIMIT, visible, visible_bytes
from gilviz.probe.gil_address import GilLocation, locate_gil
from gilviz.probe.threadstats import CLOCK_TICKS, boot_to_monotonic_ns

GIL_SETTLE_NS = 2_000_000_000  # a process this young may still exec: look at its maps again
CALM_REFRESHES = 10  # refreshes that found nothing new before the thread list is looked at less often
CALM_REFRESH_S = 0.2  # ... this often (listing /proc costs ~0.3 ms on a busy 2-core machine, cold)
_SCRIPT = re.compile(r"\.pyw?$")
SHELLS = frozenset({"bash", "sh", "dash", "zsh", "ksh"})


def listed_born(watch, view) -> int | None:
    """When a thread that has already gone started, as the watch list read it when it listed it (None: unknown)."""
    told = getattr(watch, "born_ns", None)
    return told(view.pid, view.tid) if told is not None else None


def alive_until(watch, view) -> int:
    """When the watch list last found the thread alive (0: it cannot tell; the lab's board cannot)."""
    told = getattr(watch, "alive_until_ns", None)
    return told(view.pid, view.tid) if told is not None else 0


class BoardWatchList:
    """The lanes the lab's workers registered on the board; the window the lab marked."""

    def __init__(self, board: Board, *, gil_enabled: bool | None = None) -> None:
        self.board = board
        self.gil_enabled = gil_enabled  # the lab's interpreter said so in its hello
        self._gil: dict[int, GilLocation] = {}

    def window_ns(self) -> tuple[int, int]:
        return self.board.run_window_ns()

    def lanes(self) -> list[SlotView]:
        return self.board.slots()

    def gil(self, pid: int) -> GilLocation:
        """Looked up once per process: a worker registers only after its interpreter has started."""
        found = self._gil.get(pid)
        if found is None:
            found = self._gil[pid] = locate_gil(pid, gil_enabled=self.gil_enabled)
        return found


def process_name(proc: psutil.Process) -> str:
    """What to call a process: its script (``app.py`` for ``python app.py``), else its command name (made visible)."""
    try:
        cmdline = proc.cmdline()
        for arg in cmdline[1:3]:
            if _SCRIPT.search(arg):
                return visible(os.path.basename(arg), NAME_LIMIT)
        if len(cmdline) > 2 and cmdline[1] == "-m":
            return visible(cmdline[2], NAME_LIMIT)
        return visible(proc.name(), NAME_LIMIT)
    except psutil.Error:
        return "?"


def parent_pid(pid: int) -> int:
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def executable(pid: int) -> str:
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return ""


def renamed(view: SlotView, name: str) -> SlotView:
    return SlotView(
        view.slot, view.pid, view.tid, view.kind, view.role, view.phase, view.done, view.total, view.count, name, view.note
    )


_BOOT_OFFSET_NS = boot_to_monotonic_ns()
_TICK_NS = 1_000_000_000 // CLOCK_TICKS


def thread_stat(pid: int, tid: int) -> tuple[str | None, int]:
    """A thread's name as ``thread_comm`` gives it, and when it started (CLOCK_MONOTONIC ns, whole clock
    ticks; 0 once it is gone): from one read of its ``stat``, which holds both."""
    try:
        fd = os.open("/proc/%d/task/%d/stat" % (pid, tid), os.O_RDONLY)  # no file object: 9 µs, not 14
    except OSError:
        return None, 0
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None, 0
    finally:
        os.close(fd)
    head, _, rest = data.rpartition(b")")  # the name may hold ")" and spaces: it ends at the last ")"
    name = head.partition(b"(")[2]
    try:
        started = int(rest.split()[19]) * _TICK_NS + _BOOT_OFFSET_NS
    except (IndexError, ValueError):
        started = 0
    return (visible_bytes(name, NAME_LIMIT) if name else None), started


def thread_comm(pid: int, tid: int) -> str | None:
    """A thread's name as the kernel keeps it (any program sets it, ``prctl(PR_SET_NAME)``), made visible."""
    try:
        with open("/proc/%d/task/%d/comm" % (pid, tid), "rb") as f:
            data = f.read(64)
    except OSError:
        return None
    return visible_bytes(data[:-1] if data.endswith(b"\n") else data, NAME_LIMIT) if data else None


def task_names(pid: int) -> list[str] | None:
    """The names in /proc/PID/task as listed (None without /proc, or once it has gone)."""
    try:
        return os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None


def thread_ids(pid: int, listed: list[str] | None = None) -> list[int]:
    if listed is not None:
        return sorted(int(t) for t in listed)
    try:
        return sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except OSError:
        try:
            return sorted(t.id for t in psutil.Process(pid).threads())
        except psutil.Error:
            return []


class ProcessTreeWatchList:
    """Every thread of a process and of its descendants, found again every ``refresh_s``.

    A lane per thread: the root's main thread is the main lane, a child process's main
    thread is a process lane, every other thread a thread lane under its process. A
    thread is named from its ``comm`` when it has a name of its own (3.14 sets it from
    ``Thread.name``), else "thread N" in its process. Threads and processes that have
    ended stay listed ``linger_s`` more, so their end is drawn, then leave.
    """

    def __init__(self, root_pid: int, *, refresh_s: float = 0.05, linger_s: float = 1.0) -> None:
        self.root_pid = root_pid
        self.refresh_s = refresh_s
        self.linger_s = linger_s
        try:
            self._root: psutil.Process | None = psutil.Process(root_pid)
        except psutil.Error:  # already gone (a program can end before it is watched)
            self._root = None
        self._start_ns = time.monotonic_ns()
        self._end_ns = 0
        self._slots: dict[tuple[int, int], SlotView] = {}
        self._gone_at: dict[tuple[int, int], float] = {}
        self._names: dict[int, str] = {}
        self._born: dict[int, int] = {}  # pid -> first seen (monotonic ns)
        self._gil: dict[int, tuple[str, GilLocation]] = {}  # pid -> (its executable then, where)
        self._exe: dict[int, str] = {}
        self._next_refresh = 0.0
        self._thread_numbers: dict[int, int] = {}
        self._ppid: dict[int, int] = {}  # every pid seen in /proc -> its parent (read once per pid)
        self._tasks: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}  # pid -> its task list, its lanes' keys
        self._proc_names: list[str] | None = None  # /proc's listing at the last look, and the tree found then
        self._tree: list[int] = []
        self._alive_count = -1
        self._next_slot = 0
        self._launch: dict[int, tuple[str, bool]] = {}  # pid -> its executable when looked at, and whether a launcher
        self._born_ns: dict[tuple[int, int], int] = {}  # a listed thread -> when it started
        self._listed_ns: dict[int, int] = {}  # pid -> when its task list was last read (monotonic ns)
        self._alive_ns: dict[tuple[int, int], int] = {}  # a gone thread -> the last listing that still had it
        self._same_refreshes = (
            0  # refreshes in a row that found the same threads and processes  # threads found alive by the last refresh
        )
        self._listed: list[SlotView] | None = None  # what lanes() answers until a refresh or a lane's leaving
        self._listed_until = 0.0

    # -- the window: from watching's start to the root's end --------------------------

    def window_ns(self) -> tuple[int, int]:
        return self._start_ns, self._end_ns

    def mark_started(self, t_ns: int) -> None:
        self._start_ns = t_ns

    def mark_finished(self, t_ns: int | None = None) -> None:
        if not self._end_ns:
            self._end_ns = t_ns or time.monotonic_ns()

    # -- lanes ---------------------------------------------------------------------------

    def processes(self) -> list[int]:
        """The root and its descendants that are alive now.

        From /proc: each new pid's parent is read once (psutil's ``children()`` reads every
        process's stat each time, ~3 ms here; this costs ~0.1 ms), so it can run 20 times a
        second and catch short-lived children. psutil where there is no /proc.
        """
        try:
            names = os.listdir("/proc")
            if names == self._proc_names:
                return self._tree  # no process came or went: the same tree
            pids = [int(name) for name in names if name.isdigit()]
        except OSError:
            if self._root is None:
                return []
            try:
                return [self.root_pid] + [c.pid for c in self._root.children(recursive=True)]
            except psutil.Error:
                return []
        current = set(pids)
        for pid in list(self._ppid):
            if pid not in current:
                del self._ppid[pid]  # gone: its number may be used again
                self._launch.pop(pid, None)
        for pid in pids:
            if pid not in self._ppid:
                self._ppid[pid] = parent_pid(pid)
        children: dict[int, list[int]] = {}
        for pid, parent in self._ppid.items():
            children.setdefault(parent, []).append(pid)
        tree, todo = [], [self.root_pid] if self.root_pid in current else []
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        self._proc_names, self._tree = names, tree
        return tree

    def lanes(self) -> list[SlotView]:
        now = time.monotonic()
        if now >= self._next_refresh:
            before = (len(self._slots), self._alive_count, len(self._names))
            self._refresh(now)
            self._same_refreshes = (
                self._same_refreshes + 1 if before == (len(self._slots), self._alive_count, len(self._names)) else 0
            )
            calm = self._same_refreshes >= CALM_REFRESHES  # nothing came or went for a while: look less often
            self._next_refresh = now + (max(self.refresh_s, CALM_REFRESH_S) if calm else self.refresh_s)
        if self._listed is None or now >= self._listed_until:
            gone_at, linger = self._gone_at, self.linger_s
            for key in [key for key, at in gone_at.items() if now - at > linger]:  # gone and drawn: forget it
                del self._slots[key], gone_at[key]
                self._alive_ns.pop(key, None)
                self._born_ns.pop(key, None)
            self._listed = [v for key, v in self._slots.items() if now - gone_at.get(key, now) <= linger]
            self._listed_until = min(gone_at.values(), default=now + 3600) + linger  # when the next gone lane leaves
        return self._listed

    def _refresh(self, now: float) -> None:
        """The threads of every process in the tree. Most passes find the same threads as the last
        (a server's hundreds of parked threads): a process's task list equal to its last is not
        looked at again, thread by thread (0.3 ms a pass for 256 threads, 20 times a second)."""
        alive: set[tuple[int, int]] = set()
        changed = False
        now_ns = time.monotonic_ns()
        listed_before = dict(self._listed_ns)
        tasks = self._tasks
        launchers: set[int] = set()  # processes still running a pyenv shim: their helper shells are not the program
        for pid in self.processes():  # (parents before their children)
            if self._ppid.get(pid) in launchers and pid != self.root_pid:
                launchers.add(pid)
                continue
            exe = executable(pid)
            if self._launcher(pid, exe):
                launchers.add(pid)  # listed itself: once it execs the interpreter, it is the program
            # new, or it exec'd another program; one that is exiting (no exe to read) keeps the name it lived with
            if pid not in self._names or (exe and exe != self._exe.get(pid)):
                try:
                    proc = psutil.Process(pid)
                    self._names[pid] = process_name(proc)
                    complete = bool(proc.cmdline())  # caught mid-exec, it has none yet ("python"): named again
                except psutil.Error:  # at the next look (an exited one keeps its name: it has no exe to read)
                    continue
                self._exe[pid] = exe if complete else ""
                self._born.setdefault(pid, time.monotonic_ns())
                main = self._slots.get((pid, pid))
                if main is not None:
                    self._slots[(pid, pid)] = renamed(main, self._names[pid])
                    self._listed = None
            listed = task_names(pid)
            self._listed_ns[pid] = now_ns if listed is not None else self._listed_ns.get(pid, 0)
            last = tasks.get(pid)
            if last is not None and listed == last[0]:
                alive.update(last[1])  # the same threads as last time
                continue
            changed = True
            process_comm = thread_comm(pid, pid)
            keys = []
            for tid in thread_ids(pid, listed):
                key = (pid, tid)
                keys.append(key)
                if key not in self._slots:
                    self._slots[key] = self._new_lane(pid, tid, process_comm, now_ns)
            alive.update(keys)
            if listed is not None:
                tasks[pid] = (listed, keys)
        if not changed and len(alive) == self._alive_count:
            return  # the same threads, all of them: nothing came or went
        self._alive_count = len(alive)
        for pid in list(tasks):
            if (pid, pid) not in alive:
                del tasks[pid]
        for key in self._slots:
            if key not in alive:
                if key not in self._gone_at:
                    self._alive_ns[key] = listed_before.get(key[0], 0)  # the last listing that had it
                self._gone_at.setdefault(key, now)
            else:
                self._gone_at.pop(key, None)
        self._listed = None

    def _launcher(self, pid: int, exe: str) -> bool:
        """The process is a shell running a pyenv shim (or pyenv itself) that will exec the real program."""
        known = self._launch.get(pid)
        if known is None or known[0] != exe:
            shell = os.path.basename(exe) in SHELLS
            try:
                args = psutil.Process(pid).cmdline()[1:3] if shell else []
            except psutil.Error:
                args = []
            known = self._launch[pid] = (exe, any("/shims/" in arg or "/libexec/pyenv" in arg for arg in args))
        return known[1]

    def _new_lane(self, pid: int, tid: int, process_comm: str | None, listed_ns: int = 0) -> SlotView:
        comm, born = thread_stat(pid, tid)
        if tid == pid:
            kind = protocol.THREAD if pid == self.root_pid else protocol.PROCESS
            role = protocol.MAIN if pid == self.root_pid else protocol.WORKER
            name = self._names.get(pid, "?")
        else:
            kind, role = protocol.THREAD, protocol.WORKER
            self._thread_numbers[pid] = self._thread_numbers.get(pid, 0) + 1
            name = comm if comm and comm != process_comm else "thread %d" % self._thread_numbers[pid]
        self._next_slot += 1  # slots are never used again (a lane's slot names it in the timeline)
        born = born or listed_ns  # read as it is listed: it may be gone before the sampler's
        if born:  # first reading (and if it is gone already, it had started by the time it was listed)
            self._born_ns[(pid, tid)] = born
        return SlotView(self._next_slot - 1, pid, tid, kind, role, protocol.NONE, 0, 0, 0, name, "")

    def ended(self) -> Container[tuple[int, int]]:
        """The threads a listing found gone that are still listed, as (pid, tid)."""
        return self._gone_at.keys()

    def born_ns(self, pid: int, tid: int) -> int | None:
        """When a listed thread started (CLOCK_MONOTONIC ns, to a clock tick), read when it was listed."""
        return self._born_ns.get((pid, tid))

    def alive_until_ns(self, pid: int, tid: int) -> int:
        """For a thread that has gone: when a listing last had it (0: unknown). One whose end the
        listings have not seen yet (the sampler found its files gone first) was in the latest."""
        key = (pid, tid)
        gone = self._alive_ns.get(key)
        if gone is not None:
            return gone
        return self._listed_ns.get(pid, 0) if key in self._slots else 0

    # -- the GIL -----------------------------------------------------------------------

    def gil(self, pid: int) -> GilLocation:
        """Looked up again when the process exec'd another program (checked while it is young), and at every
        look while it is young and not found to be CPython (its maps read mid-exec lack the interpreter)."""
        seen = self._gil.get(pid)
        young = time.monotonic_ns() - self._born.get(pid, 0) < GIL_SETTLE_NS
        exe = executable(pid) if young or seen is None else seen[0]
        if seen is not None and not exe:
            return seen[1]  # gone (or exiting): what was found while it lived still stands
        if seen is None or seen[0] != exe or (young and not seen[1].known):  # a young process not (yet) found to be
            seen = self._gil[pid] = (exe, locate_gil(pid))  # CPython may have been read mid-exec: look again
        return seen[1]
