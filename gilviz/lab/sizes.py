"""How much work a lesson does: the sizes, and the limits on workers (standard library only).

Read by the lessons (``gilviz.lab.lessons``), the drivers, and through
``gilviz.lab.scenarios`` by the CLI and UI.
"""

from __future__ import annotations

import os


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
