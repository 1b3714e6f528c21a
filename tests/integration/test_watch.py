"""`gilviz watch`: any program's threads, classified from the kernel alone.

One small program does, one phase after another, what the lessons do: two threads
counting (they take turns on the GIL), two hashing big buffers (hashlib lets go of the
GIL), three sharing a lock held across a sleep (they wait on the lock), two sleeping
(I/O), and a multiprocessing pool (worker processes). Python < 3.14 does not name OS
threads, so the lanes are "thread 1" … "thread 9" in the order the phases start them.
It runs under every CPython 3.9–3.13 this machine has.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from conftest import ROOT, dashboard_in_a_pty, gilviz, poll, pyenv_python, wait_gone

PROGRAM = r"""
import hashlib, multiprocessing, sys, threading, time

def count(n):
    for _ in range(n):
        x = 1 + 1

def phase(target, args, n):
    threads = [threading.Thread(target=target, args=args) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        count(1000)

buf = b"x" * (32 << 20)
def hash_for(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        hashlib.sha256(buf).digest()

lock = threading.Lock()
def hold_lock(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        with lock:
            time.sleep(0.02)

def square(x):
    spin(0.3)
    return x * x

if __name__ == "__main__":
    phase(spin, (0.6,), 2)        # threads 1, 2
    phase(hash_for, (0.6,), 2)    # threads 3, 4
    phase(hold_lock, (0.6,), 3)   # threads 5, 6, 7
    phase(time.sleep, (0.4,), 2)  # threads 8, 9
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(square, range(4))
    print("done")
"""


WATCHED_S = 1.0  # how long a test watches a program that only sleeps
SLEEPS = {"clock_nanosleep", "nanosleep", "pselect6", "select"}  # how time.sleep sleeps, by version


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    path = tmp_path_factory.mktemp("watch") / "phases.py"
    path.write_text(PROGRAM)
    return str(path)


def lived(lane, state):
    """A state's share of the time the thread existed (its shares are of the whole run)."""
    s = lane["shares"]
    life = 1.0 - s["not_started"] - s["done"]
    return s[state] / life if life > 0 else 0.0


def watch_json(*argv, timeout=120):
    out = gilviz("watch", "--json", "--", *argv, timeout=timeout)
    assert out.stdout.strip(), out.stderr
    return out, json.loads(out.stdout)


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.11", "3.12", "3.13"])
def test_every_kind_of_wait_is_told_apart(version, program):
    python = pyenv_python(version) or (sys.executable if sys.version.startswith(version) else None)
    if python is None:
        pytest.skip("no CPython %s here" % version)
    out, doc = watch_json(python, program)
    assert out.returncode == 0, out.stderr
    assert doc["exit_code"] == 0 and doc["python"]["version"].startswith(version)
    assert doc["waits_named_by"]["from"].startswith("kernel")
    assert doc["waits_named_by"]["gil"][0]["found"]
    threads = {lane["name"]: lane for lane in doc["lanes"] if lane["kind"] == "thread" and lane["role"] == "worker"}
    for lane in doc["lanes"]:
        assert abs(sum(lane["shares"].values()) - 1) < 0.011, lane
    counting = [threads["thread 1"], threads["thread 2"]]
    hashing = [threads["thread 3"], threads["thread 4"]]
    locking = [threads["thread 5"], threads["thread 6"], threads["thread 7"]]
    sleeping = [threads["thread 8"], threads["thread 9"]]
    for lane in counting:  # two threads, one GIL: each waits for it a large part of its life
        if doc["machine"]["noisy"]:  # other programs took cores: a GIL waiter, woken to ask for it, waits for a core too
            wanting = lived(lane, "gil_wait") + lived(lane, "core_wait")
            assert wanting > 0.2 and wanting > lived(lane, "lock_wait") + lived(lane, "io"), (lane, doc["machine"])
        else:
            assert lived(lane, "gil_wait") > 0.2, (lane, doc["machine"])
            assert lived(lane, "gil_wait") > lived(lane, "lock_wait") + lived(lane, "io")
    for lane in hashing:  # hashlib lets the GIL go for a big buffer
        assert lived(lane, "gil_wait") < 0.1, lane
        assert lived(lane, "running") + lived(lane, "core_wait") > 0.7, lane
    assert sum(lived(lane, "lock_wait") for lane in locking) > 0.6  # two of three wait while one holds it
    for lane in locking:
        assert lived(lane, "gil_wait") < 0.15, lane
        assert SLEEPS & set(lane["waits"]), lane  # the sleep while holding the lock is I/O, by name
    for lane in sleeping:
        assert lived(lane, "io") > 0.8, lane
    pool = [lane for lane in doc["lanes"] if lane["kind"] == "process"]
    assert len({lane["pid"] for lane in pool}) >= 2  # the pool's worker processes appeared
    assert any(lived(lane, "running") + lived(lane, "core_wait") > 0.3 for lane in pool)  # CPU-bound, not waiting


def test_a_program_that_is_not_python_is_watched_without_guessing_the_gil(tmp_path):
    out, doc = watch_json("sh", "-c", "sleep 0.4")
    assert out.returncode == 0
    assert doc["python"] is None
    assert doc["lanes"][0]["name"] == "sh" and lived(doc["lanes"][0], "io") > 0.5
    assert not doc["waits_named_by"]["gil"][0]["found"]
    assert "not CPython" in doc["waits_named_by"]["gil"][0]["detail"]


def test_a_crashing_program_gives_its_exit_status():
    out, doc = watch_json(sys.executable, "-c", "import sys; print('to stderr'); raise SystemExit(3)")
    assert out.returncode == 3 and doc["exit_code"] == 3
    assert "to stderr" in out.stderr and out.stdout.lstrip().startswith("{")  # its output never mixes with the JSON


def test_a_program_that_raises_exits_1_and_its_traceback_goes_to_stderr():
    out, doc = watch_json(sys.executable, "-c", "raise ValueError('boom')")
    assert out.returncode == 1 and doc["exit_code"] == 1 and "ValueError: boom" in out.stderr


def test_a_program_that_does_not_exist_is_127_and_one_line():
    out = gilviz("watch", "--json", "--", "no-such-program-anywhere")
    assert out.returncode == 127 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "cannot find no-such-program-anywhere" in out.stderr


def test_a_file_that_cannot_be_run_is_126(tmp_path):
    script = tmp_path / "not-executable.sh"
    script.write_text("echo hi\n")
    out = gilviz("watch", "--json", "--", str(script))
    assert out.returncode == 126 and "cannot run" in out.stderr and out.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "what should gilviz watch?"),
        (["--pid", "1", "--", "sleep", "1"], "not both"),
        (["--pid", "zero"], "a process id"),
        (["--pid", "999999999"], "no process with pid 999999999"),
    ],
)
def test_bad_watch_input_is_one_line_and_exit_2(args, message):
    out = gilviz("watch", "--json", *args)
    assert out.returncode == 2 and message in out.stderr and out.stderr.count("\n") == 1, out.stderr


@pytest.mark.skipif(os.getuid() != 0, reason="needs root, to become another user")
def test_without_ptrace_permission_the_rule_is_named():
    """A process of another user: the kernel refuses its syscall file, and gilviz says why, in one line."""
    import gilviz.report  # noqa: F401 (imported before the child gives up root: /root is not readable to others)
    import gilviz.watch  # noqa: F401
    from gilviz.cli import main

    target = subprocess.Popen(["sleep", "30"])  # ours (root); the child below gives up root
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        os.close(read)
        sys.stderr = os.fdopen(write, "w", buffering=1)  # pytest's capture is not fd 2
        try:
            os.setgid(65534)
            os.setuid(65534)
            code = main(["watch", "--json", "--pid", str(target.pid)])
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 99
        sys.stderr.flush()
        os._exit(code)
    os.close(write)
    try:
        _, status = os.waitpid(child, 0)
        message = os.read(read, 65536).decode()
    finally:
        os.close(read)
        target.kill()
        target.wait()
    assert os.waitstatus_to_exitcode(status) == 2, message
    assert message.count("\n") == 1 and "ptrace" in message and "ptrace_scope" in message


def test_ctrl_c_stops_the_program_and_still_reports(tmp_path):
    # the program says when it sleeps: a SIGINT during its start-up is a KeyboardInterrupt in `site`, exit 1
    ready = tmp_path / "ready"
    sleeper = "import pathlib, sys, time; pathlib.Path(sys.argv[1]).touch(); time.sleep(30)"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gilviz", "watch", "--json", "--", sys.executable, "-c", sleeper, str(ready)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    assert poll(ready.exists, 30)
    everything = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    doc = json.loads(out)
    assert doc["stopped"] and doc["signal"] == signal.SIGINT and proc.returncode == 130
    assert wait_gone(everything, 3.0) == []


def test_attaching_to_a_pid_and_letting_go_leaves_it_running():
    sleeper = "import threading, time\nthreading.Thread(target=time.sleep, args=(30,)).start()"
    target = subprocess.Popen([sys.executable, "-c", sleeper])
    try:
        assert poll(lambda: psutil.Process(target.pid).num_threads() >= 2, 10)  # its sleeping thread started
        proc = subprocess.Popen(
            [sys.executable, "-m", "gilviz", "watch", "--json", "--pid", str(target.pid)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert poll(lambda: psutil.Process(proc.pid).num_threads() >= 2, 30)  # the sampler's thread: watching
        time.sleep(WATCHED_S)  # the span watched: the workload, not a wait for something to happen
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        doc = json.loads(out)
        assert doc["stopped"] and doc["exit_code"] is None and doc["command"] is None
        sleeper = [lane for lane in doc["lanes"] if lane["tid"] != target.pid]
        assert sleeper and sum(sleeper[0]["waits"].get(name, 0) for name in SLEEPS) > 0.8
        assert target.poll() is None  # let go, not stopped
    finally:
        target.kill()
        target.wait()


CHILDREN = """
import multiprocessing, threading, time
def nap():
    time.sleep(60)
if __name__ == "__main__":
    multiprocessing.get_context("fork").Process(target=nap).start()
    threading.Thread(target=nap).start()
    print("started", flush=True)
    nap()
"""


@pytest.mark.parametrize("ending", ["q", "SIGTERM", "SIGKILL"])
def test_the_watch_dashboard_leaves_nothing_behind(ending, tmp_path):
    """q stops the program (SIGINT, then SIGTERM, SIGKILL), with its children; so does gilviz's own end."""
    log = tmp_path / "out.log"
    with dashboard_in_a_pty("watch", "--log", str(log), "--", sys.executable, "-c", CHILDREN) as (pid, fd):
        assert poll(lambda: "started" in (log.read_text() if log.exists() else ""), 30), "the program did not start"

        def tree():
            found = [p.pid for p in psutil.Process(pid).children(recursive=True)]
            return found if len(found) >= 3 else []

        everything = poll(tree, 10)
        assert len(everything) >= 3  # the lab, the program, its child
        if ending == "q":
            os.write(fd, b"q")
        else:
            os.kill(pid, getattr(signal, ending))
        assert wait_gone(everything, 8.0) == []
        _, status = os.waitpid(pid, 0)
        if ending == "q":  # the program's status, as a shell gives it: this one outlives SIGINT (a thread
            assert os.waitstatus_to_exitcode(status) in (130, 143)  # sleeps on), so SIGTERM ends it: 143
