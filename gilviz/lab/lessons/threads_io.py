"""Threads overlap I/O waits."""

from __future__ import annotations

from gilviz.lab.lesson import IO, Lesson


class ThreadsIO(Lesson):
    order = 20
    key = "threads-io"
    title = "Threads · I/O"
    summary = "threads overlap I/O waits: ~workers× faster"
    lesson = (
        "A thread that sleeps, as one blocked on I/O does, releases the GIL, so the threads "
        "sleep at the same time: two 1 s sleeps take about 1 s. Threads help I/O-bound work."
    )
    code = (
        IO + "\n\nthreads = [Thread(target=wait_io, args=(S,)) for _ in range(workers)]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()"
    )
    baseline = "seq-io"
    theory = "workers"
    threads_side_by_side = True
    bench_rows = ((1, "threads I/O", {}),)

    def run(self, ctx) -> float:
        return ctx.threads("io", (ctx.size.sleep_s,), int(ctx.size.sleep_s * 1000))


LESSON = ThreadsIO()
