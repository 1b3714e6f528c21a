"""The CPU baseline: loops one after the other."""

from __future__ import annotations

from gilviz.lab.lesson import CPU, Lesson
from gilviz.lab.workers import cpu_job


class SeqCPU(Lesson):
    order = 30
    key = "seq-cpu"
    title = "Sequential · CPU"
    summary = "the CPU baseline: loops one after the other"
    lesson = (
        "One thread runs a pure-Python loop once per worker, one loop after the other. "
        "This is the baseline for the CPU-bound runs."
    )
    code = CPU + "\n\nfor _ in range(workers):\n    count(N)"
    baseline = "seq-cpu"
    theory = "one"

    def run(self, ctx) -> float:
        return ctx.sequential(cpu_job, ctx.iterations, ctx.iterations)


LESSON = SeqCPU()
