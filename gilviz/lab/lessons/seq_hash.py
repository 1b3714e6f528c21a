"""The hashing baseline: sha256 of big buffers, one after the other."""

from __future__ import annotations

import os

from gilviz.lab.lesson import HASH, Lesson
from gilviz.lab.sizes import HASH_BYTES
from gilviz.lab.workers import hash_job


class SeqHash(Lesson):
    order = 100
    key = "seq-hash"
    title = "Sequential · hashing"
    summary = "the hashing baseline: sha256 of big buffers, one after the other"
    lesson = (
        "One thread hashes a 1 MiB buffer N times per worker, one worker's share after the "
        "other. This is the baseline for threads hashing in C."
    )
    code = HASH + "\n\ndata = os.urandom(1 << 20)  # 1 MiB\nfor _ in range(workers):\n    hash_data(data, N)"
    baseline = "seq-hash"
    theory = "one"
    n_is = "hashes"

    def run(self, ctx) -> float:
        data = os.urandom(HASH_BYTES)
        return ctx.sequential(hash_job, ctx.size.hashes, data, ctx.size.hashes)


LESSON = SeqHash()
