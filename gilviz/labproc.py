"""Starting, talking to and ending one lab process (no textual).

The lab runs in its own session (so it leads its own process group), niced, isolated
(``-I``: no PYTHON* variables, no user site, not the current folder on ``sys.path``) in an
empty private folder of its own, with only this package's parent added to ``sys.path``, so
a ``queue.py`` or ``json.py`` in the user's folder shadows nothing and any interpreter finds
``gilviz.lab``. Its environment is the user's, untouched: a program it watches inherits that
and runs in the user's folder. Events arrive on a reader thread
and wait in a queue. ``close()`` ends a run the way DESIGN.md says: close the lab's
stdin (the lab then kills its own group), wait a grace period, then ``killpg``. The
lab is waited for without being reaped (``WNOWAIT``) until the group is dead, so its
pid, which is the group's id, cannot be reused by another process in between.
"""

from __future__ import annotations

import collections
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from gilviz.lab import protocol

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)
LAB_NICE = 5


# Run with ``python -I -c BOOT PACKAGE_PARENT ARGS...``: as ``-m gilviz.lab`` would, from this package only.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); import runpy; "
    "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)"
)


def isolated_command(python: str, module: str, *args: str) -> list[str]:
    """``python -m module args`` isolated: nothing from the environment or the current folder on its path.

    ``PYTHON_GIL`` (a free-threaded build's switch, which ``-I`` ignores) is passed on as ``-X gil``.
    """
    gil = os.environ.get("PYTHON_GIL")
    x_gil = ["-X", "gil=" + gil] if gil in ("0", "1") else []
    return [python, "-I", *x_gil, "-c", _BOOT, PACKAGE_PARENT, module, *args]


def neutral_folder() -> str:
    """A new empty folder only we can write to, to start a helper in (the caller removes it)."""
    return tempfile.mkdtemp(prefix="gilviz-lab-")


class LabError(RuntimeError):
    """The lab failed: it died, said something that is not an event, or reported an error."""


class LabProcess:
    def __init__(self, python: str, board_path: str | None, *, nice: int = LAB_NICE, inherit_stderr: bool = False) -> None:
        """``inherit_stderr``: the lab (and a program it watches) writes to our stderr, not a pipe we keep."""
        self.events: queue.Queue[dict] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        self._closed = False
        board = ["--board", board_path] if board_path else []
        self.folder = neutral_folder()
        try:
            self.proc = subprocess.Popen(
                isolated_command(python, "gilviz.lab", *board, "--nice", str(nice)),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None if inherit_stderr else subprocess.PIPE,
                start_new_session=True,
                cwd=self.folder,
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.pid = self.proc.pid
        threading.Thread(target=self._read_events, name="gilviz-lab-events", daemon=True).start()
        if not inherit_stderr:
            threading.Thread(target=self._read_stderr, name="gilviz-lab-stderr", daemon=True).start()

    def _read_events(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put(protocol.decode(line))
            except ValueError:
                text = line[:200].decode("utf-8", "replace").rstrip()
                self.events.put({"event": "garbage", "line": text})
        self.events.put({"event": "eof"})

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace").rstrip())

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    def send(self, command: dict) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(protocol.encode(command))
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise LabError("the lab is gone (%s)" % exc) from None

    def expect(self, name: str, timeout_s: float) -> dict:
        """The next event, which must be ``name``; LabError otherwise or on timeout."""
        try:
            event = self.events.get(timeout=timeout_s)
        except queue.Empty:
            raise LabError("the lab sent no %s within %.0f s" % (name, timeout_s)) from None
        kind = event.get("event")
        if kind == name:
            return event
        if kind == "error":
            raise LabError(event.get("message", "the lab reported an error"))
        if kind == "eof":
            self.close()
            tail = self.stderr_tail()
            raise LabError("the lab exited (code %s)%s" % (self.proc.returncode, ": " + tail.splitlines()[-1] if tail else ""))
        if kind == "garbage":
            raise LabError("the lab wrote something that is not an event: %r" % event.get("line"))
        raise LabError("expected %s from the lab, got %s" % (name, kind))

    def stop_run(self) -> None:
        """Ask the lab to stop its workers at their next chunk boundary."""
        try:
            self.send({"cmd": "stop"})
        except LabError:
            pass

    def close(self, grace_s: float = 0.5) -> None:
        """End the lab and everything it started. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        deadline = time.monotonic() + grace_s
        while not self._exited() and time.monotonic() < deadline:
            time.sleep(0.005)
        try:
            os.killpg(self.pid, signal.SIGKILL)  # stragglers, or a lab that did not listen
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _exited(self) -> bool:
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True
