"""Watching any program: start it (or attach to a pid) and sample its threads from /proc.

``watch_program`` is to a user's program what ``measure.watch_run`` is to a scenario: it
returns a ``RunReport`` whose lanes are every thread of the program and of its child
processes, classified from the kernel alone (no instrumentation, nothing declared).

A started program runs under a lab process (``gilviz.lab.program``), which guards it as
it guards scenario workers: if gilviz dies, even by SIGKILL, the lab sees its stdin close
and kills the program's process group. Attaching to a ``pid`` starts nothing and ends
nothing: it only reads /proc, which needs ptrace permission (the same rule py-spy has);
its interpreter's facts come from /proc and its files too (``probe/pyfacts``), never by
running that interpreter (which would run its ``site`` and ``.pth`` files as us).
"""

from __future__ import annotations

import os
import pwd
import queue
import sys
import threading
import time
from typing import TYPE_CHECKING, Callable

import psutil

from gilviz.labproc import LabError, LabProcess
from gilviz.measure import observed
from gilviz.model import RunReport, WatchConfig
from gilviz.probe.gil_address import has_cpython_runtime, interpreter_file, read_maps
from gilviz.probe.machine import MachineMeter
from gilviz.probe.pyfacts import facts_of
from gilviz.probe.sampler import Sampler
from gilviz.probe.threadstats import ProcfsThreadStats
from gilviz.probe.watchlist import ProcessTreeWatchList
from gilviz.timeline import SnapshotSink, Timeline

if TYPE_CHECKING:
    from gilviz.trace import TraceWriter

HELLO_TIMEOUT_S = 30.0
STOP_WAIT_S = 8.0  # the lab's SIGINT → SIGTERM → SIGKILL takes at most ~4 s
PTRACE_RULE = (
    "reading where its threads wait needs ptrace permission: run gilviz as the same user with "
    "kernel.yama.ptrace_scope=0 (sysctl), or as root (in a container, with CAP_SYS_PTRACE), as py-spy "
    "needs too; or start the program under gilviz: gilviz watch -- PROGRAM"
)


class WatchError(Exception):
    """The program cannot be watched; ``exit_code`` is what gilviz should exit with."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def interpreter_of(pid: int) -> dict:
    """The facts of a process's interpreter when it is CPython ({} otherwise), from /proc: nothing of it is run."""
    return facts_of(pid)


def owner_note(pid: int) -> str | None:
    """One line when root reads another user's process (it is only read), else None."""
    try:
        uid = os.stat("/proc/%d" % pid).st_uid
    except OSError:
        return None
    if os.geteuid() != 0 or uid == 0:
        return None
    try:
        who = pwd.getpwuid(uid).pw_name
    except KeyError:
        who = "uid %d" % uid
    return "reading pid %d of user %s as root: only /proc is read, nothing of it runs" % (pid, who)


def settle(pid: int, *, timeout_s: float = 1.0, quiet_s: float = 0.1) -> None:
    """Wait until a just-started program has exec'd what it runs (a pyenv shim or ``env`` execs python).

    Returns as soon as the process runs CPython, when its executable has not changed for
    ``quiet_s``, or after ``timeout_s``; so the interpreter named is the one that runs.
    """
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        try:
            exe = os.readlink("/proc/%d/exe" % pid)
            path = interpreter_file(read_maps(pid), exe)
        except OSError:
            return
        if path is not None and has_cpython_runtime(path):
            return
        if exe != last:
            last, since = exe, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.005)


class InterpreterWatch:
    """A process's interpreter facts, looked up again when it execs another program (for its first seconds)."""

    WATCH_S = 5.0

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.until = time.monotonic() + self.WATCH_S
        self.exe = self._exe()
        self.facts = interpreter_of(pid)

    def _exe(self) -> str:
        try:
            return os.readlink("/proc/%d/exe" % self.pid)
        except OSError:
            return ""

    def changed(self) -> bool:
        """True (and the facts renewed) when the process now runs another executable."""
        if time.monotonic() > self.until or self.facts:
            return False
        exe = self._exe()
        if not exe or exe == self.exe:
            return False
        self.exe = exe
        self.facts = interpreter_of(self.pid)
        return bool(self.facts)


def check_attachable(pid: int) -> None:
    """WatchError unless ``pid`` is a process whose threads' system calls we may read."""
    if not psutil.pid_exists(pid):
        raise WatchError("no process with pid %d (is it still running?)" % pid)
    if not ProcfsThreadStats.available():
        raise WatchError("--pid needs /proc (Linux); here, start the program under gilviz: gilviz watch -- PROGRAM")
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, pid)) as f:
            f.read()
    except PermissionError:
        raise WatchError("cannot watch pid %d: %s" % (pid, PTRACE_RULE)) from None
    except OSError as exc:
        raise WatchError("cannot watch pid %d: %s" % (pid, exc.strerror or exc)) from None


def watch_program(
    config: WatchConfig,
    *,
    on_snapshot: SnapshotSink | None = None,
    on_started: Callable[[int, dict, int], None] | None = None,
    cancel: threading.Event | None = None,
    recorder: TraceWriter | None = None,
    force_fallback: bool = False,
) -> RunReport:
    """Watch until the program ends (or ``cancel``: a started program is stopped, a pid is let go)."""
    cancel = cancel or threading.Event()
    lab: LabProcess | None = None
    with observed(recorder) as run:
        if config.pid is not None:
            check_attachable(config.pid)
            pid, t_start = config.pid, time.monotonic_ns()
        else:
            lab = run.lab = LabProcess(sys.executable, None, nice=0, inherit_stderr=config.output is None)
            lab.expect("hello", HELLO_TIMEOUT_S)
            lab.send({"cmd": "watch", "argv": list(config.command), "output": config.output, "cwd": os.getcwd()})
            started = lab.events.get(timeout=HELLO_TIMEOUT_S)
            if started.get("event") == "result" and started.get("error"):
                raise WatchError(started["error"], int(started.get("exit_code", 126)))
            if started.get("event") != "started":
                lab.events.put(started)
                lab.expect("started", 0)
            pid, t_start = int(started["pid"]), int(started["t_start_ns"])
            settle(pid)
        interpreter = InterpreterWatch(pid)
        n_cores = cores()
        if on_started is not None:
            on_started(pid, interpreter.facts, n_cores)
        watch = ProcessTreeWatchList(pid)
        watch.mark_started(t_start)
        timeline = recorder.timeline() if recorder is not None else Timeline()
        sampler = run.sampler = Sampler(
            watch, timeline, interval_s=config.interval_s, on_snapshot=on_snapshot, force_fallback=force_fallback
        )
        sampler.started_ns = t_start  # a thread born since the program started is classified from its birth
        run.record_start(config, interpreter.facts, n_cores, as_baseline=False, timeline=timeline)
        # our own CPU: gilviz and the program's tree (under the lab for a started program; the pid's own tree)
        meter = MachineMeter([lab.pid if lab is not None else pid])
        machine_start = meter.read()
        sampler.start()

        def exec_seen() -> None:  # a shim (pyenv, env) exec'd the interpreter after we looked: name that one
            if sampler.error is not None:
                cancel.set()  # sampling failed: the watch ends (a started program is stopped), the error in its report
            if interpreter.changed() and on_started is not None:
                on_started(pid, interpreter.facts, n_cores)
            if lab is None:
                meter.poll()  # an attached program may be gone before the last reading: keep its CPU figure

        result = _wait_for_end(lab, pid, t_start, cancel, exec_seen)
        machine = meter.load(machine_start)
        watch.mark_finished(result["t_end_ns"])
        report = RunReport(config, interpreter.facts, n_cores, result, timeline.snapshot(), True)
        report.machine = machine
        return run.finish(report, timeline)


def _wait_for_end(lab: LabProcess | None, pid: int, t_start: int, cancel: threading.Event, tick: Callable[[], None]) -> dict:
    """The program's end: the lab's result for a started program; for a pid, when it is gone (or let go).

    ``tick`` is called about 20 times a second meanwhile.
    """
    if lab is None:
        proc = psutil.Process(pid)
        while not cancel.is_set():
            tick()
            try:
                if proc.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.Error:
                break
            cancel.wait(0.05)
        t_end = time.monotonic_ns()
        return {
            "pid": pid,
            "wall_s": (t_end - t_start) / 1e9,
            "t_start_ns": t_start,
            "t_end_ns": t_end,
            "exit_code": None,  # not our child: its exit status is its parent's to read
            "signal": None,
            "cancelled": cancel.is_set(),  # detached, and it goes on running
        }
    asked_at: float | None = None
    while True:
        if cancel.is_set() and asked_at is None:
            lab.stop_run()
            asked_at = time.monotonic()
        if asked_at is not None and time.monotonic() - asked_at > STOP_WAIT_S:
            raise LabError("the program did not end within %g s of SIGINT, SIGTERM and SIGKILL" % STOP_WAIT_S)
        try:
            event = lab.events.get(timeout=0.05)
        except queue.Empty:
            tick()
            continue
        if event.get("event") == "result":
            return event
        lab.events.put(event)
        lab.expect("result", 0)
