"""The I/O baseline: sleeps one after the other."""

from __future__ import annotations

from gilviz.lab.lesson import IO, Lesson
from gilviz.lab.workers import io_job


class SeqIO(Lesson):
    order = 10
    key = "seq-io"
    title = "Sequential · I/O"
    summary = "the I/O baseline: sleeps one after the other"
    lesson = (
        "One thread sleeps once per worker, one sleep after the other: two 1 s sleeps take "
        "about 2 s. This is the baseline the threaded and process runs are measured against."
    )
    code = IO + "\n\nfor _ in range(workers):\n    wait_io(S)"
    baseline = "seq-io"
    theory = "one"

    def run(self, ctx) -> float:
        return ctx.sequential(io_job, int(ctx.size.sleep_s * 1000), ctx.size.sleep_s)


LESSON = SeqIO()
