"""Processes run CPU-bound loops on separate cores."""

from __future__ import annotations

from gilviz.lab.lesson import CPU, Lesson


class ProcsCPU(Lesson):
    order = 50
    key = "procs-cpu"
    title = "Processes · CPU"
    summary = "processes run on separate cores: ~min(workers, cores)×"
    lesson = (
        "Each process has its own interpreter and its own GIL, so the loops run on separate "
        "cores at once: about half the time with two, up to as many times faster as there are cores."
    )
    code = (
        CPU + "\n\nprocs = [Process(target=count, args=(N,)) for _ in range(workers)]\n"
        "for p in procs: p.start()\nfor p in procs: p.join()"
    )
    baseline = "seq-cpu"
    theory = "cores"
    uses_processes = True
    bench_rows = ((4, "processes CPU", {}),)
    bench_role = "all cores"

    def run(self, ctx) -> float:
        return ctx.processes("cpu", (ctx.iterations,), ctx.iterations)


LESSON = ProcsCPU()
