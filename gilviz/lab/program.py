"""Running a user's program under the lab's guard, for ``gilviz watch`` (standard library only).

The lab starts the program in a session of its own (so a ctrl+c can go to its whole
process group, as a terminal would send it), with an empty stdin and its output sent
where the UI side asked (a log file, or the lab's stderr). It reports the program's pid
at once and its exit status when it ends. Asked to stop, it sends SIGINT, then SIGTERM,
then SIGKILL, each after a grace period. And because the program runs under the lab,
the lab's own rule covers it: when the lab's stdin closes (the UI side is gone, even by
SIGKILL) the lab kills the program's process group before its own, and every other
descendant: the lab is a child subreaper (``reaper``), so a child that left the group
(``setsid``) or whose parent exited is still found. Processes the program leaves running
when it ends on its own are named in the result (``left_behind``) and end with the lab;
when it was stopped, they are ended at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from gilviz.lab.reaper import LISTED, descendants, describe, kill_descendants, reap_orphans

GRACE_S = 2.0  # between SIGINT and SIGTERM, and between SIGTERM and SIGKILL

_running: list[subprocess.Popen] = []  # what end_everything() must kill


def kill_programs() -> None:
    """Kill every program this lab started, with its process group (the lab is going away)."""
    for proc in _running:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Program:
    """One watched program: start it, report it, stop it on request."""

    def __init__(self, argv: list, output_path: str | None, cwd: str | None) -> None:
        self.argv = [str(a) for a in argv]
        self.output_path = output_path
        self.cwd = cwd
        self.stop_asked = threading.Event()

    def run(self, send) -> dict:
        """Start, wait, and return the result; ``send(event, **fields)`` reports the start."""
        out = open(self.output_path, "ab", buffering=0) if self.output_path else None  # noqa: SIM115 (closed below)
        try:
            t0_ns = time.monotonic_ns()
            try:
                proc = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out if out is not None else 2,
                    stderr=subprocess.STDOUT if out is not None else 2,
                    cwd=self.cwd,
                    start_new_session=True,
                )
            except FileNotFoundError as exc:
                return {"error": "cannot find %s" % (exc.filename or self.argv[0]), "exit_code": 127}
            except (PermissionError, OSError) as exc:
                return {"error": "cannot run %s: %s" % (self.argv[0], exc.strerror or exc), "exit_code": 126}
            _running.append(proc)
            send("started", pid=proc.pid, t_start_ns=t0_ns)
            threading.Thread(target=self._stopper, args=(proc,), name="gilviz-stopper", daemon=True).start()
            ended = threading.Event()
            threading.Thread(target=self._reaper, args=(proc.pid, ended), name="gilviz-reaper", daemon=True).start()
            status = proc.wait()
            ended.set()
            t1_ns = time.monotonic_ns()
            left = descendants()
            if self.stop_asked.is_set():
                kill_descendants()  # stopped: nothing it started outlives it, in its group or not
            reap_orphans(keep=0)
        finally:
            if out is not None:
                out.close()
        result = {
            "pid": proc.pid,
            "wall_s": (t1_ns - t0_ns) / 1e9,
            "t_start_ns": t0_ns,
            "t_end_ns": t1_ns,
            "exit_code": status if status >= 0 else 128 - status,
            "signal": -status if status < 0 else None,
            "cancelled": self.stop_asked.is_set(),
            "left_behind": [] if self.stop_asked.is_set() else [describe(pid) for pid in left[:LISTED]],
        }
        return result

    @staticmethod
    def _reaper(pid: int, ended: threading.Event) -> None:
        """Twice a second, collect the orphans re-parented to us that have ended (never the program itself)."""
        while not ended.wait(0.5):
            reap_orphans(keep=pid)

    def _stopper(self, proc: subprocess.Popen) -> None:
        """On a stop request: SIGINT, SIGTERM, SIGKILL to the program's group, a grace period apart."""
        self.stop_asked.wait()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                return
            deadline = time.monotonic() + GRACE_S
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    return
                time.sleep(0.02)
