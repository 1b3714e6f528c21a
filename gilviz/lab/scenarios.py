"""The scenario catalogue: keys, titles, lessons, the code each runs, sizes.

Standard library only: the lab reads it to run a scenario, the CLI and UI read it to
list and explain them. The code shown for a scenario is the textbook's source
(``gilviz.lab.textbook``, taken with ``inspect``) plus the few lines that start it.
"""

from __future__ import annotations

import inspect
import os

from gilviz.lab import textbook


class Size:
    """How much work one worker does."""

    def __init__(
        self,
        name: str,
        *,
        iterations: int,
        sleep_s: float,
        race_s: float,
        items: int,
        item_s: float,
        hashes: int,
        ping_s: float,
        starts: int,
    ) -> None:
        self.name = name
        self.iterations = iterations  # `count(n)` per worker
        self.sleep_s = sleep_s  # `time.sleep(s)` per worker; asyncio: `asyncio.sleep(s)` per task
        self.race_s = race_s  # how long each racing thread counts its updates
        self.items = items  # items the producer puts on the queue
        self.item_s = item_s  # what a consumer spends on each item
        self.hashes = hashes  # `hashlib.sha256` of a HASH_BYTES buffer, per worker
        self.ping_s = ping_s  # convoy: how long each phase (alone, beside the CPU thread) pings
        self.starts = starts  # start-methods: processes started per method


# seed: the textbook's own numbers (where it has some). demo: ~2-4 s a run on a 2-core
# machine. tiny: a fraction of a second, for tests and quick checks.
SIZES = {
    "tiny": Size("tiny", iterations=5_000_000, sleep_s=0.2, race_s=0.3, items=40, item_s=0.005, hashes=100, ping_s=0.2, starts=3),
    "demo": Size(
        "demo", iterations=80_000_000, sleep_s=1.0, race_s=1.5, items=200, item_s=0.01, hashes=2500, ping_s=1.0, starts=20
    ),
    "seed": Size(
        "seed", iterations=100_000_000, sleep_s=1.0, race_s=1.5, items=200, item_s=0.01, hashes=2500, ping_s=1.0, starts=20
    ),
}

HASH_BYTES = 1 << 20  # hashlib releases the GIL while it hashes a buffer over 2 KiB
MAX_WORKERS = 64  # threads or processes: each is a lane on the board
MAX_TASKS = 10_000  # asyncio's workers are tasks, not lanes (and as many threads, to compare)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity); the lab, its child, inherits it."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


EXECUTORS = ("thread", "process")
START_METHODS = ("fork", "spawn", "forkserver")  # the start-methods lesson times each, in this order


class Scenario:
    """One lesson: what it runs and what the user should see."""

    def __init__(
        self,
        key: str,
        title: str,
        summary: str,
        lesson: str,
        code: str,
        *,
        baseline: str | None,
        theory: str | None,
        workers: int = 2,
        uses_processes: bool = False,
        max_workers: int = MAX_WORKERS,
        threads_side_by_side: bool = False,
        split_work: bool = False,
        workers_are: str = "workers",
    ) -> None:
        self.key = key
        self.title = title
        self.summary = summary  # one line, for `gilviz list`
        self.lesson = lesson
        self.code = code
        self.baseline = baseline  # key of the sequential scenario it is compared with
        self.theory = theory  # speed-up theory: "workers", "one", "gil", "cores" or "executor" (see gilviz.speedup)
        self.workers = workers  # default worker count
        self.uses_processes = uses_processes
        self.max_workers = max_workers
        # Runs threads side by side in the lab's own interpreter, so the switch interval
        # (`--switch-interval`) changes what happens (pools: with the thread executor).
        self.threads_side_by_side = threads_side_by_side
        # The total work stays that of two workers: each of N workers runs count(2 * size / N).
        self.split_work = split_work
        self.workers_are = workers_are  # what `--workers` counts here, for messages

    def iterations(self, size: str, workers: int) -> int:
        """Each worker's `count(N)`: the size's N, or its share of two workers' N (split_work)."""
        n = SIZES[size].iterations
        return max(1, n * 2 // max(1, workers)) if self.split_work else n


def _source(*functions) -> str:
    return "\n\n".join(inspect.getsource(f).rstrip() for f in functions)


_CPU = _source(textbook.count)
_IO = "import time\n\n" + _source(textbook.wait_io)

SCENARIOS = [
    Scenario(
        "seq-io",
        "Sequential · I/O",
        "the I/O baseline: sleeps one after the other",
        "One thread sleeps once per worker, one sleep after the other: two 1 s sleeps take "
        "about 2 s. This is the baseline the threaded and process runs are measured against.",
        _IO + "\n\nfor _ in range(workers):\n    wait_io(S)",
        baseline="seq-io",
        theory="one",
    ),
    Scenario(
        "threads-io",
        "Threads · I/O",
        "threads overlap I/O waits: ~workers× faster",
        "A thread that sleeps, as one blocked on I/O does, releases the GIL, so the threads "
        "sleep at the same time: two 1 s sleeps take about 1 s. Threads help I/O-bound work.",
        _IO + "\n\nthreads = [Thread(target=wait_io, args=(S,)) for _ in range(workers)]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()",
        baseline="seq-io",
        theory="workers",
        threads_side_by_side=True,
    ),
    Scenario(
        "seq-cpu",
        "Sequential · CPU",
        "the CPU baseline: loops one after the other",
        "One thread runs a pure-Python loop once per worker, one loop after the other. "
        "This is the baseline for the CPU-bound runs.",
        _CPU + "\n\nfor _ in range(workers):\n    count(N)",
        baseline="seq-cpu",
        theory="one",
    ),
    Scenario(
        "threads-cpu",
        "Threads · CPU",
        "CPU threads take turns on the GIL: no speed-up",
        "Only the thread holding the GIL runs Python bytecode, so CPU-bound threads take "
        "turns: each runs about half the time and waits for the GIL the other half. "
        "No speed-up over running the loops one after the other.",
        _CPU + "\n\nthreads = [Thread(target=count, args=(N,)) for _ in range(workers)]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()",
        baseline="seq-cpu",
        theory="gil",
        threads_side_by_side=True,
    ),
    Scenario(
        "procs-cpu",
        "Processes · CPU",
        "processes run on separate cores: ~min(workers, cores)×",
        "Each process has its own interpreter and its own GIL, so the loops run on separate "
        "cores at once: about half the time with two, up to as many times faster as there are cores.",
        _CPU + "\n\nprocs = [Process(target=count, args=(N,)) for _ in range(workers)]\n"
        "for p in procs: p.start()\nfor p in procs: p.join()",
        baseline="seq-cpu",
        theory="cores",
        uses_processes=True,
    ),
    Scenario(
        "procs-io",
        "Processes · I/O",
        "processes overlap I/O too, at the cost of starting",
        "Processes overlap sleeps as threads do, but each one costs a process start. For "
        "I/O-bound work threads are the lighter tool.",
        _IO + "\n\nprocs = [Process(target=wait_io, args=(S,)) for _ in range(workers)]\n"
        "for p in procs: p.start()\nfor p in procs: p.join()",
        baseline="seq-io",
        theory="workers",
        uses_processes=True,
    ),
    Scenario(
        "pools",
        "Pools · concurrent.futures",
        "Thread- vs ProcessPoolExecutor: one interface, two pictures",
        "ThreadPoolExecutor and ProcessPoolExecutor share one interface: the same map call "
        "runs the loops in threads (taking turns on the GIL) or in processes (on separate "
        "cores). Flip the executor and compare.",
        _CPU + "\n\nwith Executor(max_workers=workers) as pool:  # Thread- or ProcessPoolExecutor\n"
        "    list(pool.map(count, [N] * workers))",
        baseline="seq-cpu",
        theory="executor",
        uses_processes=True,
        threads_side_by_side=True,  # with the thread executor
    ),
    Scenario(
        "race",
        "Race · shared counter",
        "unsynchronised updates get lost; a Lock fixes it at a cost",
        "Threads share globals. A read-modify-write that another thread can interrupt loses "
        "updates; `with lock:` makes it exact, at a cost in throughput. Each thread counts its "
        "own updates for the same time with the lock off and on, so expected is their sum and "
        "the lock's cost is updates per second. The switch interval is shortened to 0.1 ms so "
        "the race shows within a short run.",
        "sys.setswitchinterval(1e-4)  # shortened to make the race visible\n\n"
        + _source(textbook.bump, textbook.add, textbook.add_locked)
        + "\n\n# each thread: add(1000) (or add_locked) again and again for T seconds,\n"
        "# counting its own updates: expected = their sum, actual = counter",
        baseline=None,
        theory=None,
        workers=4,
        threads_side_by_side=True,
    ),
    Scenario(
        "queue",
        "Queue · processes share nothing",
        "processes share nothing; a Queue passes data between them",
        "A child process gets a copy of the parent's globals: what it changes stays in the "
        "child. Data moves between processes only when passed, here through a "
        "multiprocessing.Queue from a producer to consumers.",
        "items_made = 0\n\n"
        "def producer(q, n):\n    global items_made\n    for i in range(n):\n"
        "        q.put(make_item(i))\n        items_made += 1   # the child's copy\n"
        "    q.put(None)\n\n"
        "def consumer(q):\n    while (item := q.get()) is not None:\n        handle_item(item)\n\n"
        "# after join, the parent still has items_made == 0",
        baseline=None,
        theory=None,
        workers=1,
        uses_processes=True,
    ),
]


# -- past the textbook ----------------------------------------------------------------

_HASH = "import hashlib\n\n" + _source(textbook.hash_data)
_ASYNC = "import asyncio\n\n" + _source(textbook.wait_async, textbook.wait_many)
_CONVOY = "import socket\n\n" + _source(textbook.echo, textbook.ping, textbook.count)
_STARTS = "import multiprocessing\n\n" + _source(textbook.nothing, textbook.start_and_join)

SCENARIOS += [
    Scenario(
        "seq-hash",
        "Sequential · hashing",
        "the hashing baseline: sha256 of big buffers, one after the other",
        "One thread hashes a 1 MiB buffer N times per worker, one worker's share after the "
        "other. This is the baseline for threads hashing in C.",
        _HASH + "\n\ndata = os.urandom(1 << 20)  # 1 MiB\nfor _ in range(workers):\n    hash_data(data, N)",
        baseline="seq-hash",
        theory="one",
    ),
    Scenario(
        "c-threads",
        "Threads · C code",
        "threads hashing in C run at once: ~min(workers, cores)×",
        "hashlib releases the GIL while it hashes a large buffer, so threads hashing run on "
        "separate cores at once, as processes do: the GIL only serialises Python bytecode, "
        "not C code that lets go of it. Speed-up about min(workers, cores)×.",
        _HASH + "\n\ndata = os.urandom(1 << 20)  # 1 MiB: the GIL is released for buffers over 2 KiB\n"
        "threads = [Thread(target=hash_data, args=(data, N)) for _ in range(workers)]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()",
        baseline="seq-hash",
        theory="cores",
        threads_side_by_side=True,
    ),
    Scenario(
        "asyncio",
        "asyncio · many waits",
        "a thousand waits in one thread: asyncio.gather, ~one wait long",
        "An event loop runs many waits in one thread: a thousand tasks awaiting "
        "asyncio.sleep(1) take about one second, with no thread per wait. The same number "
        "of waits, one thread each, is measured in the same run for comparison: about as "
        "fast, but a thousand threads and their memory.",
        _ASYNC + "\n\nasyncio.run(wait_many(tasks, S))  # one thread\n\n"
        "# compared in the same run: one thread per wait\n"
        "threads = [Thread(target=wait_io, args=(S,)) for _ in range(tasks)]",
        baseline=None,
        theory=None,
        workers=1000,
        max_workers=MAX_TASKS,
        workers_are="tasks",
    ),
    Scenario(
        "convoy",
        "Convoy · I/O beside CPU",
        "an I/O thread beside a CPU thread: replies wait for the GIL",
        "An I/O thread answers pings in microseconds alone. Beside a CPU-bound thread, every "
        "blocking call it makes (recv, then sendall) gives the GIL away, and taking it back "
        "waits until the CPU thread is made to drop it, one switch interval (5 ms by default): each "
        "round trip takes about two switch intervals.",
        _CONVOY + "\n\na, b = socket.socketpair()\nThread(target=echo, args=(a,)).start()\n"
        "# another process pings over b: alone, then beside CPU-bound threads\n"
        "for _ in range(workers): Thread(target=count, args=(N,)).start()  # until the pings end",
        baseline=None,
        theory=None,
        workers=1,
        uses_processes=True,  # the pinger is another process
        threads_side_by_side=True,
        workers_are="CPU-bound threads",
    ),
    Scenario(
        "oversubscribed",
        "Processes · more than cores",
        "4× as many processes as cores: they wait for a core, no faster",
        "More CPU-bound processes than cores cannot run at once: the kernel gives each a "
        "turn, so each waits for a core most of the time (not for a GIL: each has its own) "
        "and the run is no faster than with one process per core. The work is the same in "
        "total, split among the processes.",
        _CPU + "\n\nworkers = 4 * len(os.sched_getaffinity(0))\n"
        "procs = [Process(target=count, args=(2 * N // workers,)) for _ in range(workers)]\n"
        "for p in procs: p.start()\nfor p in procs: p.join()",
        baseline="seq-cpu",
        theory="cores",
        workers=min(MAX_WORKERS, 4 * usable_cores()),
        uses_processes=True,
        split_work=True,
    ),
    Scenario(
        "start-methods",
        "Start methods",
        "fork, spawn, forkserver: what starting a process costs",
        "fork copies the running process; spawn starts a fresh interpreter that imports "
        "your program's main module; forkserver forks from a small server process started "
        "on first use. Each is timed over several starts (median): spawn costs many times "
        "what fork does.",
        _STARTS
        + "\n\nfor method in (%s):\n" % ", ".join('"%s"' % m for m in START_METHODS)
        + (
            "    times = []\n    for _ in range(K):\n        t0 = time.perf_counter()\n"
            "        start_and_join(method)\n        times.append(time.perf_counter() - t0)\n"
            "    print(method, statistics.median(times))"
        ),
        baseline=None,
        theory=None,
        workers=1,
        max_workers=1,
        uses_processes=True,
        workers_are="processes at a time",
    ),
]

BY_KEY = {s.key: s for s in SCENARIOS}
KEYS = tuple(BY_KEY)
