"""Processes overlap I/O waits too, at the cost of starting."""

from __future__ import annotations

from gilviz.lab.lesson import IO, Lesson


class ProcsIO(Lesson):
    order = 60
    key = "procs-io"
    title = "Processes · I/O"
    summary = "processes overlap I/O too, at the cost of starting"
    lesson = (
        "Processes overlap sleeps as threads do, but each one costs a process start. For "
        "I/O-bound work threads are the lighter tool."
    )
    code = (
        IO + "\n\nprocs = [Process(target=wait_io, args=(S,)) for _ in range(workers)]\n"
        "for p in procs: p.start()\nfor p in procs: p.join()"
    )
    baseline = "seq-io"
    theory = "workers"
    uses_processes = True
    bench_rows = ((2, "processes I/O", {}),)

    def run(self, ctx) -> float:
        return ctx.processes("io", (ctx.size.sleep_s,), int(ctx.size.sleep_s * 1000))


LESSON = ProcsIO()
