"""Outside text is shown, never obeyed: the real dashboard in a pty, fed hostile thread names and output."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from xml.etree import ElementTree

from conftest import ROOT

HOSTILE = r"""
import ctypes, threading, time
libc = ctypes.CDLL(None)

def tick():  # runs a little now and then: a lane that never ran would be gathered into a "never ran" row
    while True:
        sum(range(20000))
        time.sleep(0.05)

def named(name):
    libc.prctl(15, name, 0, 0, 0)  # PR_SET_NAME: the thread's comm, which gilviz shows as its lane's name
    threading.Thread(target=tick, daemon=True).start()  # born with that name: no race
    tick()

for name in (b"\x1b]0;PWNED\x07", b"\x1b[2JZAP", b"\x1b[31mEVIL"):
    threading.Thread(target=named, args=(name,), daemon=True).start()
for i in range(5):
    print("\x1b]0;PWNED\x07\x1b]52;c;UFdORUQ=\x07\x1b[2J\x1b[1;32mgreen\x1b[0m line %d" % i, flush=True)
print("ready", flush=True)
time.sleep(60)
"""

# what a terminal would obey: a window title, a clipboard write, the program's own screen clears
OBEYED = (b"\x1b]0;PWNED", b"\x1b]52;", b"\x1b[2JZAP", b"\x1b[2J\x1b[1;32mgreen", b"\x1b[31mEVIL")


class Terminal:
    """gilviz in a 120×36 pseudo-terminal; every byte it writes is kept."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(ROOT))
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(sys.executable, [sys.executable, "-m", "gilviz", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        self.written = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        try:
            while True:
                data = os.read(self.fd, 65536)
                if not data:
                    return
                with self.lock:
                    self.written += data
        except OSError:
            pass

    def bytes(self) -> bytes:
        with self.lock:
            return bytes(self.written)

    def wait_for(self, *wanted: bytes, seconds: float = 40) -> None:
        deadline = time.monotonic() + seconds
        while not all(w in self.bytes() for w in wanted):
            assert os.waitpid(self.pid, os.WNOHANG) == (0, 0), "gilviz ended: %r" % self.bytes()[-2000:]
            assert time.monotonic() < deadline, "not on screen: %r" % [w for w in wanted if w not in self.bytes()]
            time.sleep(0.05)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)


def test_hostile_names_and_output_reach_the_terminal_only_as_visible_text(tmp_path):
    program, log = tmp_path / "hostile.py", tmp_path / "out.log"
    program.write_text(HOSTILE)
    shots = tmp_path / "shots"
    shots.mkdir()
    term = Terminal("--screenshot-dir", str(shots), "watch", "--log", str(log), "--", sys.executable, str(program))
    try:
        # the names are drawn, visibly (Control Pictures), and the output's last line with them
        term.wait_for("␛]0;PWNED␇".encode(), "␛[2JZAP".encode(), "␛[31mEVIL".encode(), b"ready")
        os.write(term.fd, b"s")
        deadline = time.monotonic() + 20
        while not list(shots.glob("*.svg")):
            assert time.monotonic() < deadline, "no screenshot"
            time.sleep(0.05)
        svg = next(shots.glob("*.svg")).read_text(encoding="utf-8")
        ElementTree.fromstring(svg)  # valid XML: no raw ESC or BEL in it
        assert "\x1b" not in svg and "␛]0;PWNED␇" in svg
        os.write(term.fd, b"q")
        deadline = time.monotonic() + 20
        while os.waitpid(term.pid, os.WNOHANG) == (0, 0):
            assert time.monotonic() < deadline, "gilviz did not end on q"
            time.sleep(0.05)
        written = term.bytes()
    finally:
        term.close()
    raw = log.read_bytes()
    assert raw.count(b"\x1b]52;") == 5  # the program did write them: gilviz sent none on
    for sequence in OBEYED:
        assert sequence not in written, sequence
    assert b"green" in written and b"line 4" in written


def test_program_output_keeps_its_colour_and_nothing_else_that_acts():
    from gilviz.sources.watch import output_line
    from gilviz.ui.program_panel import output_text

    hostile = "\x1b]0;PWNED\x07\x1b]52;c;UFdORUQ=\x1b\\\x1b[2J\x1b[H\x1b[?1049h\x1bPq#0\x1b\\\x1b[1;31mred\x1b[0m \x9b31m \x1b"
    line = output_line(hostile)
    assert [seq for seq in ("\x1b[1;31m", "\x1b[0m") if seq in line] == ["\x1b[1;31m", "\x1b[0m"]
    assert line.replace("\x1b[1;31m", "").replace("\x1b[0m", "").count("\x1b") == 0  # only the colour acts
    assert "PWNED" not in line and "UFdORUQ" not in line and line.endswith("\\u009b31m ␛")
    text = output_text((line,), None)
    assert "\x1b" not in text.plain and text.plain.startswith("red ")
    assert any(span.start == 0 and span.end == 3 and span.style.color.number == 1 for span in text.spans)  # red, drawn


def test_a_thread_name_is_read_as_visible_text():
    import ctypes

    from gilviz.probe.watchlist import thread_comm, thread_stat

    libc = ctypes.CDLL(None)
    named = threading.Event()
    done = threading.Event()
    tid = []

    def rename():
        libc.prctl(15, b"\x1b]0;PW) (NED\x07", 0, 0, 0)
        tid.append(threading.get_native_id())
        named.set()
        done.wait(10)

    worker = threading.Thread(target=rename)
    worker.start()
    try:
        assert named.wait(10)
        assert thread_comm(os.getpid(), tid[0]) == "␛]0;PW) (NED␇"
        name, started = thread_stat(os.getpid(), tid[0])  # its stat, read once for the name and the start
        assert name == "␛]0;PW) (NED␇" and 0 < started <= time.monotonic_ns()  # ("(" and ")" in it: the fields after)
    finally:
        done.set()
        worker.join()


def test_an_executable_with_a_hostile_file_name_is_named_visibly(tmp_path):
    import shutil
    import subprocess

    from gilviz.probe.gil_address import locate_gil

    exe = tmp_path / "\x1b]0;PWNED\x07sleep"
    shutil.copy(shutil.which("sleep"), exe)
    proc = subprocess.Popen([str(exe), "30"])
    try:
        deadline = time.monotonic() + 10
        while os.path.basename(os.readlink("/proc/%d/exe" % proc.pid)) != exe.name:
            assert time.monotonic() < deadline, "it did not start"
            time.sleep(0.02)
        detail = locate_gil(proc.pid).detail
    finally:
        proc.kill()
        proc.wait()
    assert detail.startswith("␛]0;PWNED␇sleep is not CPython") and "\x1b" not in detail
