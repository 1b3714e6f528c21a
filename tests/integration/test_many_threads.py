"""Watching a server-like program: hundreds of parked threads, a few that work, thousands that come and go.

What must hold: the sampler's cost follows the threads that do something (parked ones are
read less often, and their CPU stays exact); file descriptors never run out, and a thread
that cannot be read now is never taken for ended; every CPU second lands in an entry of
the JSON (folded or short-lived threads included); the JSON stays bounded however many
threads came and went. The long runs are marked ``slow``.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from gilviz.lane_fold import MAX_THREAD_LANES
from gilviz.probe.fdcache import FdCache, Gone, NotNow, budget_for
from gilviz.probe.parking import PARK_MAX_NS
from gilviz.probe.sampler import Sampler
from gilviz.probe.threadstats import NOT_NOW, ProcfsThreadStats
from gilviz.probe.watchlist import ProcessTreeWatchList
from gilviz.timeline import Timeline

from conftest import ROOT

needs_procfs = pytest.mark.skipif(not ProcfsThreadStats.available(), reason="needs /proc")

SERVER = r"""
import queue, sys, threading, time
n, seconds = int(sys.argv[1]), float(sys.argv[2])
stop = threading.Event()
q = queue.Queue()
started = time.perf_counter()

def parked(i):  # half wait on a queue (a lock wait), half on an Event with a timeout far away
    q.get() if i % 2 else stop.wait()

def bursty():  # 50 ms of CPU every half second
    while not stop.is_set():
        end = time.thread_time() + 0.05
        while time.thread_time() < end:
            pass
        stop.wait(0.5)

def cpu():
    while not stop.is_set():
        sum(range(10000))

threads = [threading.Thread(target=parked, args=(i,)) for i in range(n)]
threads += [threading.Thread(target=bursty)] + [threading.Thread(target=cpu) for _ in range(2)]
for t in threads:
    t.start()
time.sleep(seconds)
print(time.perf_counter() - started, file=sys.stderr, flush=True)  # when the threads were told to end
stop.set()
for _ in range(n):
    q.put(None)
for t in threads:
    t.join()
"""

SHORT = r"""
import resource, sys, threading, time
n, ms, together = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])

def work():
    end = time.thread_time() + ms / 1000
    while time.thread_time() < end:
        pass

for _ in range(n // together):
    threads = [threading.Thread(target=work) for _ in range(together)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
r = resource.getrusage(resource.RUSAGE_SELF)
print(r.ru_utime + r.ru_stime, file=sys.stderr)
"""


def lived(lane: dict, state: str) -> float:
    s = lane["shares"]
    life = 1.0 - s["not_started"] - s["done"]
    return s[state] / life if life > 0 else 0.0


PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)  # runs a command; prints the peak RSS (KiB) of the largest process under it: gilviz, its lab or the program


def watch(program: str, *args: str, ulimit: int | None = None, timeout: float = 240) -> tuple[dict, str, int]:
    """``gilviz watch --json`` of a Python program: the JSON, the program's stderr, the peak RSS (KiB) under it."""
    argv = [sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "gilviz", "watch", "--json", "--"]
    argv += [sys.executable, "-c", program, *args]
    if ulimit is not None:
        argv = ["bash", "-c", 'ulimit -n %d && exec "$@"' % ulimit, "bash", *argv]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    *program_err, peak_kib = out.stderr.strip().splitlines()
    return json.loads(out.stdout), "\n".join(program_err), int(peak_kib)


# -- file descriptors ------------------------------------------------------------------------------


def test_the_budget_keeps_the_most_recently_read_files_open(tmp_path):
    paths = []
    for i in range(10):
        path = tmp_path / ("f%d" % i)
        path.write_bytes(b"%d" % i)
        paths.append(str(path))
    cache = FdCache(4)
    for _ in range(3):
        for i, path in enumerate(paths):
            assert cache.pread((i, i, 0), path, 16) == b"%d" % i  # re-opened on demand
            assert len(cache) <= 4
    assert cache.opens == 30  # 10 files through 4 places: every read reopened
    cache.pread((9, 9, 0), paths[9], 16)
    assert cache.opens == 30  # ... but the most recent is still open
    with pytest.raises(Gone):
        cache.pread((99, 99, 0), str(tmp_path / "missing"), 16)
    cache.close_all()
    assert len(cache) == 0
    assert budget_for(1024) == 512 and budget_for(100) == 36 and budget_for(-1) > 1000


def test_out_of_descriptors_is_not_now_never_gone(monkeypatch, tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x")
    cache = FdCache(8)

    def no_descriptor(*_args, **_kwargs):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(os, "open", no_descriptor)
    with pytest.raises(NotNow):
        cache.pread((1, 1, 0), str(path), 16)


@needs_procfs
def test_a_live_thread_out_of_descriptors_reads_not_now_and_an_ended_one_none(monkeypatch):
    stats = ProcfsThreadStats(budget=4)
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    thread.start()
    tid = thread.native_id
    assert tid is not None and stats.read(os.getpid(), tid) is not None
    stats.close()
    real_open = os.open

    def no_descriptor(path, *args, **kwargs):
        if "/task/" in str(path):
            raise OSError(errno.EMFILE, "Too many open files")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_descriptor)
    assert stats.read(os.getpid(), tid) is NOT_NOW  # alive: try again later
    monkeypatch.setattr(os, "open", real_open)
    done.set()
    thread.join()
    deadline = time.monotonic() + 5  # a joined thread may linger in /proc a moment
    while stats.read(os.getpid(), tid) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stats.read(os.getpid(), tid) is None  # ended


# -- parked threads ---------------------------------------------------------------------------------


@needs_procfs
def test_parked_threads_are_read_less_often_and_a_waking_one_keeps_its_exact_cpu():
    """32 threads parked on a queue, one that sleeps, spins, sleeps: the sampler skips the parked ones'
    readings, and the spinner's running time is its own CPU time (told by the thread itself)."""
    program = (
        "import queue, sys, threading, time\nq = queue.Queue()\n"
        "def spin():\n    time.sleep(0.6)\n    end = time.thread_time() + 0.2\n"
        "    while time.thread_time() < end:\n        pass\n    print(time.thread_time(), flush=True)\n    time.sleep(0.3)\n"
        "ts = [threading.Thread(target=q.get) for _ in range(32)] + [threading.Thread(target=spin)]\n"
        "[t.start() for t in ts]\nts[-1].join()\ntime.sleep(0.3)\n[q.put(None) for _ in range(32)]\n[t.join() for t in ts]\n"
    )
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while len(os.listdir("/proc/%d/task" % child.pid)) < 34 and time.monotonic() < deadline:
            time.sleep(0.01)
        watch_list = ProcessTreeWatchList(child.pid)
        timeline = Timeline()
        sampler = Sampler(watch_list, timeline)
        sampler.start()
        cpu_s = float(child.stdout.readline())  # type: ignore[union-attr]
        assert child.wait(timeout=20) == 0
        watch_list.mark_finished()
        sampler.stop()
        sampler.close()
    finally:
        child.kill()
        child.wait()
    assert sampler.lane_reads < sampler.ticks * 34 / 3  # most of the 34 lanes were left unread at most ticks
    spinner = max(timeline.snapshot().lanes, key=lambda lane: lane.run_times[0])
    assert abs(spinner.run_times[0] - cpu_s) < 0.03, (spinner.run_times[0], cpu_s)


@needs_procfs
@pytest.mark.slow
def test_a_server_with_256_parked_threads():
    """The issue's server: 256 parked threads, one bursty (50 ms of CPU every 0.5 s), two CPU threads, 6 s."""
    doc, _, _ = watch(SERVER, "256", "6")
    wall = doc["wall_s"]
    assert doc["sampler"]["cpu_s"] / wall < 0.10  # a physical bound, generous (bench measures ~0.03)
    threads = [lane for lane in doc["lanes"] if lane["kind"] == "thread" and lane["role"] == "worker"]
    folded = [lane for lane in doc["lanes"] if lane["kind"] == "folded"]
    assert len(threads) == MAX_THREAD_LANES and folded[0]["count"] == 259 - MAX_THREAD_LANES  # parked ones folded
    cpu1, cpu2, bursty, *parked = sorted(threads, key=lambda lane: -lane["cpu_s"])  # those that ran are kept
    waiting = [lane for lane in parked if lived(lane, "io") + lived(lane, "lock_wait") >= 0.9]
    others = [(lane["name"], {k: v for k, v in lane["shares"].items() if v}, lane["waits"]) for lane in parked]
    assert len(waiting) >= 240, [other for other, lane in zip(others, parked) if lane not in waiting][:5]
    for lane in (cpu1, cpu2):  # two CPU threads, one GIL: each waits for it a quarter of its life or more
        if doc["machine"]["noisy"]:  # other programs took cores: a GIL waiter, woken to ask for it, waits for a core too
            assert lived(lane, "gil_wait") + lived(lane, "core_wait") >= 0.25, (lane, doc["machine"])
        else:
            assert lived(lane, "gil_wait") >= 0.25, (lane, doc["machine"])
    assert 0.05 <= lived(bursty, "running") <= 0.16, bursty
    for lane in doc["lanes"]:  # 12 shares rounded to 4 places: 0.0006 at most
        assert abs(sum(lane["shares"].values()) - 1) <= 0.001, lane


@needs_procfs
@pytest.mark.slow
def test_1024_parked_threads_under_ulimit_1024():
    """No crash, every thread counted (lanes plus folded counts), none read as ended before it was."""
    doc, err, _ = watch(SERVER, "1024", "4", ulimit=1024)
    told_to_end_s = float(err.strip().splitlines()[-1])
    entries = [lane for lane in doc["lanes"] if lane["pid"] == doc["pid"]]
    listed = [lane for lane in entries if lane["kind"] == "thread"]
    folded = [lane for lane in entries if lane["kind"] == "folded"]
    assert len(listed) <= MAX_THREAD_LANES + 1 and len(folded) == 1
    assert len(listed) + folded[0]["count"] == 1024 + 3 + 1  # parked, bursty, two CPU, main
    wall = doc["wall_s"]
    may_end_s = wall - told_to_end_s + PARK_MAX_NS / 1e9 + 0.1  # from the moment they were told, a parked lane's rest
    for lane in listed:
        assert lane["shares"]["done"] * wall <= may_end_s, lane
    assert folded[0]["shares"]["done"] * wall <= may_end_s


@needs_procfs
@pytest.mark.slow
def test_1500_short_threads_every_cpu_second_lands_in_an_entry():
    doc, err, _ = watch(SHORT, "1500", "2", "1")
    measured = float(err.strip().splitlines()[-1])  # the program's own getrusage
    entries = [lane for lane in doc["lanes"] if lane["pid"] == doc["pid"]]
    total = sum(lane["cpu_s"] for lane in entries)
    assert 0.90 * measured <= total <= 1.05 * measured, (total, measured)
    for lane in doc["lanes"]:  # whatever came after the end
        assert abs(sum(lane["shares"].values()) - 1) <= 0.001, lane
    assert any(lane["kind"] == "short-lived" for lane in entries)  # most were too short to be lanes
    for lane in entries:  # a thread's time before it existed is not started, even if it ended before its first reading
        if lane["kind"] == "thread" and lane["role"] == "worker":
            assert lane["shares"]["unseen"] < 0.05, lane


@needs_procfs
@pytest.mark.slow
def test_10000_short_threads_keep_the_json_bounded():
    doc, _, peak_kib = watch(SHORT, "10000", "1", "2", timeout=400)
    assert len(doc["lanes"]) <= 320
    assert peak_kib <= 250 * 1024


def test_interval_sets_the_samplers_tick():
    sleep = [sys.executable, "-c", "import time; time.sleep(1)"]
    gilviz = [sys.executable, "-m", "gilviz", "watch"]
    out = subprocess.run([*gilviz, "--json", "--interval", "50", "--", *sleep], cwd=ROOT, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    assert doc["sampler"]["interval_s"] == 0.05
    assert doc["sampler"]["ticks"] <= doc["wall_s"] / (0.05 * 0.8) + 2  # never faster than asked (±20 % jitter)
    bad = subprocess.run([*gilviz, "--interval", "0", "--", "true"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--interval" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


SHIM = os.path.expanduser("~/.pyenv/shims/python3")


@needs_procfs
@pytest.mark.skipif(not os.path.exists(SHIM), reason="no pyenv shim here")
def test_a_pyenv_shims_helper_shells_are_not_the_programs():
    """``python3`` resolving to a pyenv shim: its helper shells ran before it exec'd the interpreter."""
    program = "import threading\nt = threading.Thread(target=lambda: None)\nt.start()\nt.join()\n"
    for argv in ([SHIM, "-c", program], ["sh", "-c", '"$0" -c "$1"', SHIM, program]):  # as the root, and as a child
        gilviz = [sys.executable, "-m", "gilviz", "watch", "--json", "--"]
        doc = json.loads(subprocess.run([*gilviz, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120).stdout)
        processes = [lane for lane in doc["lanes"] if lane["kind"] == "process"]  # as a child: the shim's own lane
        assert len(processes) <= (argv[0] == "sh"), processes  # (named bash until it execs), and no helper's
        workers = [lane for lane in doc["lanes"] if lane["kind"] == "thread" and lane["role"] == "worker"]
        assert len(processes) <= 1 and len(workers) <= 1, doc["lanes"]  # the interpreter (as a child), its thread


@needs_procfs
@pytest.mark.skipif(not os.path.exists(SHIM), reason="no pyenv shim here")
async def test_the_dashboard_watching_a_pyenv_shim_launch_shows_the_program_not_the_shims_shells(tmp_path):
    """A pilot: ``python3`` is the pyenv shim, whose helper shells run before it execs the interpreter."""
    from gilviz.model import WatchConfig
    from gilviz.sources.watch import WatchSource
    from gilviz.ui.app import GilvizApp
    from gilviz.ui.lanes import LanesView

    program = "import threading, time\nt = threading.Thread(target=time.sleep, args=(4,))\nt.start()\nt.join()\n"
    app = GilvizApp(WatchSource(WatchConfig((SHIM, "-c", program), output=str(tmp_path / "out.log"))))

    def labels() -> list[str]:
        return [row.label for row in app.query_one("#lanes", LanesView).rows]

    def settled() -> bool:  # the interpreter has exec'd, and its thread is listed
        snap = app.state.snapshot
        return app.state.status == "live" and snap is not None and any(lane.tid != lane.pid for lane in snap.lanes)

    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 30
        while not settled() and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert settled(), labels()
        await pilot.pause(1.0)  # a frame or two later, with whatever the shim's helpers left
        assert app.state.status == "live", app.state.status
        rows = labels()
        assert len(rows) == 2, rows  # the interpreter's main thread and its one thread
        assert not any(word in label for label in rows for word in ("bash", "pyenv", "sh ")), rows
        snap = app.state.snapshot
        assert snap is not None and len({lane.pid for lane in snap.lanes}) == 1, snap.lanes  # no helper's process
        await pilot.press("q")


DESCENDANTS = r"""
import os, time, multiprocessing as mp
def burn(s):
    end = time.process_time() + s
    while time.process_time() < end:
        pass
if __name__ == "__main__":
    if os.fork() == 0:
        if os.fork() == 0:  # a grandchild, orphaned as its parent exits at once (re-parented to gilviz's subreaper)
            burn(1.0)
            os._exit(0)
        os._exit(0)
    os.wait()
    with mp.get_context("forkserver").Pool(2) as pool:  # compileall -j's workers: the forkserver's children
        pool.map(burn, [0.5, 0.5])
    time.sleep(1.0)
"""


@needs_procfs
def test_the_programs_own_descendants_count_as_its_cpu_never_as_other_programs(tmp_path):
    """Forkserver workers and orphans the program left: their 2 s of CPU are "ours" (gilviz's and the program's)."""
    script = tmp_path / "descendants.py"
    script.write_text(DESCENDANTS)
    argv = [sys.executable, "-m", "gilviz", "watch", "--json", "--", sys.executable, str(script)]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    machine = json.loads(out.stdout)["machine"]
    ours_s = machine["ours"] * machine["wall_s"]
    assert ours_s >= 2.0, machine  # the CPU the descendants burned (by their own clocks), counted as ours


def test_the_bench_table_shows_the_parked_rows():
    from gilviz import bench

    doc = {
        "python": {"implementation": "CPython", "version": "3.12.1", "gil_enabled": True, "free_threaded_build": False},
        "cores": 2,
        "size": "demo",
        "workers": 2,
        "rows": [],
        "overhead": {
            "scenario": "threads-cpu",
            "repeats": 9,
            "slowdown": 1.0,
            "watched_s": [1.0],
            "unwatched_s": [1.0],
            "sampler_cpu": 0.02,
            "target_slowdown": 1.02,
            "target_sampler_cpu": 0.03,
        },
        "parked": [
            {"parked": 256, "sampler_cpu": 0.0261, "calm": 0.3, "wall_s": 6.2, "target": 0.03},
            {"parked": 1024, "sampler_cpu": 0.0874, "calm": 0.3, "wall_s": 6.5, "target": 0.10},
        ],
        "dashboard_many": {"cpu_share": 0.0456, "sampler_share": 0.021, "lanes": 260, "target": 0.05},
    }
    text = bench.format_bench(doc)
    assert "sampler CPU, 256 parked threads (+3 busy)" in text and "0.026" in text and "≤ 0.03" in text
    assert "sampler CPU, 1024 parked threads (+3 busy)" in text and "0.087" in text and "≤ 0.10" in text
    assert "dashboard CPU watching 260 lanes" in text and "0.046" in text and "0.021" in text


def test_bench_many_threads_interleaves_its_rows_and_reports_medians(monkeypatch):
    """``gilviz bench --many-threads``: one run of each row a round, so a shared machine's load falls on all alike."""
    from gilviz import bench, parked

    order: list[str] = []
    figures = {256: iter([0.05, 0.02, 0.03]), 1024: iter([0.09, 0.2, 0.08])}

    def row(count: int) -> dict:
        order.append("sampler %d" % count)
        return {"parked": count, "sampler_cpu": next(figures[count]), "calm": 0.3, "wall_s": 6.0, "target": 0.1}

    boards = iter([0.07, 0.04, 0.05])

    def board() -> dict:
        order.append("dashboard")
        return {"cpu_share": next(boards), "sampler_share": 0.01, "lanes": 260}

    monkeypatch.setattr(parked, "sampler_row", row)
    doc = parked.many_thread_rows(3, lambda _: None, board)
    assert order == ["sampler 256", "sampler 1024", "dashboard"] * 3
    assert [r["sampler_cpu"] for r in doc["parked"]] == [0.03, 0.09]  # the middle of each row's three
    assert doc["parked"][0]["runs"] == [0.05, 0.02, 0.03]
    assert doc["dashboard_many"]["cpu_share"] == 0.05 and doc["dashboard_many"]["target"] == parked.DASHBOARD_TARGET
    text = bench.format_many(doc)
    assert "sampler CPU, 256 parked threads (+3 busy)" in text and "runs, 256 parked threads: 0.050 0.020 0.030" in text
    assert "dashboard CPU watching 260 lanes" in text and "0.070 (0.010)" in text and "medians of 3 rounds" in text


@needs_procfs
@pytest.mark.slow
def test_the_dashboard_watching_260_lanes_is_measured():
    from gilviz import parked
    from gilviz.ui.cost import watched_dashboard_cpu

    figures = watched_dashboard_cpu(parked.command(256, seconds=8.0), seconds=2.0)
    assert figures["still_live"] and figures["lanes"] >= 259
    assert 0 < figures["sampler_share"] < figures["cpu_share"] < 0.5  # a physical bound, generous (bench: ≤ 0.05)


def test_a_process_using_more_cpu_than_its_read_lanes_wakes_the_parked_ones():
    from gilviz.probe.parking import WAKE_AFTER_NS, Waker

    tick = 10_000_000
    n = WAKE_AFTER_NS // tick  # clock ticks to wake
    waker = Waker(tick)
    assert not waker.moved(1, 100, 0)  # the first look only takes the counter
    assert not waker.moved(1, 101, tick)  # what the read lanes used: nothing unaccounted
    assert not waker.moved(1, 101 + n - 1, 0)  # just under WAKE_AFTER_NS unaccounted so far
    assert waker.moved(1, 101 + n + 1, 0)  # past it: a parked thread ran
    assert not waker.moved(1, 102 + n, 0)  # counted afresh after a wake
    assert not waker.moved(1, 102 + n, 5 * WAKE_AFTER_NS) and not waker.moved(1, 101 + 2 * n, 0)  # never below zero
