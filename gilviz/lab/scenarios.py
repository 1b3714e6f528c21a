"""The scenario catalogue: keys, titles, lessons, the code each runs, sizes (layer: lab).

Standard library only: the lab reads it to run a scenario, the CLI and UI read it to
list and explain them. The code shown for a scenario is the textbook's source
(``gilviz.lab.textbook``, taken with ``inspect``) plus the few lines that start it.
"""

from __future__ import annotations

import inspect

from gilviz.lab import textbook


class Size:
    """How much work one worker does."""

    def __init__(self, name: str, iterations: int, sleep_s: float, race_n: int, items: int, item_s: float) -> None:
        self.name = name
        self.iterations = iterations  # `count(n)` per worker
        self.sleep_s = sleep_s  # `time.sleep(s)` per worker
        self.race_n = race_n  # updates per racing thread
        self.items = items  # items the producer puts on the queue
        self.item_s = item_s  # what a consumer spends on each item


# seed: the textbook's own numbers. demo: ~2-4 s a run on a 2-core machine.
# tiny: a fraction of a second, for tests and quick checks.
SIZES = {
    "tiny": Size("tiny", 5_000_000, 0.2, 100_000, 40, 0.005),
    "demo": Size("demo", 80_000_000, 1.0, 250_000, 200, 0.01),
    "seed": Size("seed", 100_000_000, 1.0, 100_000, 200, 0.01),
}

EXECUTORS = ("thread", "process")


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
    ) -> None:
        self.key = key
        self.title = title
        self.summary = summary  # one line, for `gilviz list`
        self.lesson = lesson
        self.code = code
        self.baseline = baseline  # key of the sequential scenario it is compared with
        self.theory = theory  # "workers", "one", "gil", "cores" or "executor" (see gilviz.speedup)
        self.workers = workers  # default worker count
        self.uses_processes = uses_processes


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
    ),
    Scenario(
        "race",
        "Race · shared counter",
        "unsynchronised updates get lost; a Lock fixes it at a cost",
        "Threads share globals. A read-modify-write that another thread can interrupt loses "
        "updates; `with lock:` makes it exact, at a cost in time. The switch interval is "
        "shortened to 0.1 ms so the race shows within a short run.",
        "sys.setswitchinterval(1e-4)  # shortened to make the race visible\n\n"
        + _source(textbook.bump, textbook.add, textbook.add_locked),
        baseline=None,
        theory=None,
        workers=4,
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

BY_KEY = {s.key: s for s in SCENARIOS}
KEYS = tuple(BY_KEY)
MAX_WORKERS = 64
