"""More CPU-bound processes than cores: they wait for a core, no faster."""

from __future__ import annotations

from gilviz.lab.lesson import CPU, Lesson
from gilviz.lab.sizes import MAX_WORKERS, usable_cores


class Oversubscribed(Lesson):
    order = 140
    key = "oversubscribed"
    title = "Processes · more than cores"
    summary = "4× as many processes as cores: they wait for a core, no faster"
    lesson = (
        "More CPU-bound processes than cores cannot run at once: the kernel gives each a "
        "turn, so each waits for a core most of the time (not for a GIL: each has its own) "
        "and the run is no faster than with one process per core. The work is the same in "
        "total, split among the processes."
    )
    code = (
        CPU + "\n\nworkers = 4 * len(os.sched_getaffinity(0))\n"
        "procs = [Process(target=count, args=(2 * N // workers,)) for _ in range(workers)]\n"
        "for p in procs: p.start()\nfor p in procs: p.join()"
    )
    baseline = "seq-cpu"
    theory = "cores"
    workers = min(MAX_WORKERS, 4 * usable_cores())
    uses_processes = True
    split_work = True
    sections = ("oversubscribed",)

    def run(self, ctx) -> float:
        ctx.record("oversubscribed", {"workers": ctx.workers, "iterations_per_worker": ctx.iterations})
        return ctx.processes("cpu", (ctx.iterations,), ctx.iterations)

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        says = "only min(workers, cores) run at a time: each waits 1 − cores/workers for a core"
        return ("mean core wait", "share", 1 - min(workers, cores) / workers, says)

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        return worker_share("core_wait"), theory

    def json_extra(self, doc: dict, cores: int) -> None:
        if "oversubscribed" in doc:
            doc["oversubscribed"] = dict(doc["oversubscribed"], cores=cores, mean_core_wait=doc["figure"]["measured"])

    def text_lines(self, doc: dict) -> list[str]:
        o = doc.get("oversubscribed")
        if not o:
            return []
        wait = "—" if o["mean_core_wait"] is None else "%d %%" % round(o["mean_core_wait"] * 100)
        line = "%d processes on %d cores, count(%d) each: mean core wait %s"
        return [line % (o["workers"], o["cores"], o["iterations_per_worker"], wait)]


LESSON = Oversubscribed()
