"""CPU-bound threads take turns on the GIL."""

from __future__ import annotations

from gilviz.lab.lesson import CPU, Lesson


class ThreadsCPU(Lesson):
    order = 40
    key = "threads-cpu"
    title = "Threads · CPU"
    summary = "CPU threads take turns on the GIL: no speed-up"
    lesson = (
        "Only the thread holding the GIL runs Python bytecode, so CPU-bound threads take "
        "turns: each runs about half the time and waits for the GIL the other half. "
        "No speed-up over running the loops one after the other."
    )
    code = (
        CPU + "\n\nthreads = [Thread(target=count, args=(N,)) for _ in range(workers)]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()"
    )
    baseline = "seq-cpu"
    theory = "gil"
    threads_side_by_side = True
    gil_figures = "handoffs"
    bench_rows = ((3, "threads CPU", {}),)
    bench_role = "overhead"

    def run(self, ctx) -> float:
        return ctx.threads("cpu", (ctx.iterations,), ctx.iterations)


LESSON = ThreadsCPU()
