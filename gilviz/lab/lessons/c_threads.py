"""Threads hashing in C run at once: the GIL only serialises bytecode."""

from __future__ import annotations

import os

from gilviz.lab.lesson import HASH, Lesson
from gilviz.lab.sizes import HASH_BYTES


class CThreads(Lesson):
    order = 110
    key = "c-threads"
    title = "Threads · C code"
    summary = "threads hashing in C run at once: ~min(workers, cores)×"
    lesson = (
        "hashlib releases the GIL while it hashes a large buffer, so threads hashing run on "
        "separate cores at once, as processes do: the GIL only serialises Python bytecode, "
        "not C code that lets go of it. Speed-up about min(workers, cores)×."
    )
    code = (
        HASH + "\n\ndata = os.urandom(1 << 20)  # 1 MiB: the GIL is released for buffers over 2 KiB\n"
        "threads = [Thread(target=hash_data, args=(data, N)) for _ in range(workers)]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()"
    )
    baseline = "seq-hash"
    theory = "cores"
    threads_side_by_side = True
    n_is = "hashes"
    gil_figures = "held"

    def run(self, ctx) -> float:
        data = os.urandom(HASH_BYTES)  # one buffer, read by every thread
        return ctx.threads("hash", (data, ctx.size.hashes), ctx.size.hashes)


LESSON = CThreads()
