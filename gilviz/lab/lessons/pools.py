"""Thread- and ProcessPoolExecutor: one interface, two pictures."""

from __future__ import annotations

from gilviz.lab import protocol
from gilviz.lab.lesson import CPU, Lesson
from gilviz.lab.sizes import EXECUTORS
from gilviz.lab.workers import pool_task


class Pools(Lesson):
    order = 70
    key = "pools"
    title = "Pools · concurrent.futures"
    summary = "Thread- vs ProcessPoolExecutor: one interface, two pictures"
    lesson = (
        "ThreadPoolExecutor and ProcessPoolExecutor share one interface: the same map call "
        "runs the loops in threads (taking turns on the GIL) or in processes (on separate "
        "cores). Flip the executor and compare."
    )
    code = (
        CPU + "\n\nwith Executor(max_workers=workers) as pool:  # Thread- or ProcessPoolExecutor\n"
        "    list(pool.map(count, [N] * workers))"
    )
    baseline = "seq-cpu"
    theory = "executor"
    uses_processes = True
    threads_side_by_side = True  # with the thread executor
    variant_option = "executor"
    variant_flag = "--executor"
    variant_misuse = "--executor is for the pools scenario; %s runs no executor (drop --executor, or run pools)"
    sections = ("executor",)
    bench_rows = ((5, "thread pool", {"executor": "thread"}), (6, "process pool", {"executor": "process"}))

    def variant(self, config) -> str | None:
        return config.executor

    def runs_threads_side_by_side(self, executor: str) -> bool:
        return executor != "process"

    def variant_label(self, config) -> tuple[str, str | None] | None:
        return "%s executor" % config.executor, config.executor

    def run(self, ctx) -> float:
        from concurrent import futures

        n, w = ctx.iterations, ctx.workers
        if ctx.executor not in EXECUTORS:
            raise ValueError("unknown executor %r (thread or process)" % ctx.executor)
        kind = protocol.PROCESS if ctx.executor == "process" else protocol.THREAD

        def pool_factory() -> futures.Executor:
            if ctx.executor == "process":
                return futures.ProcessPoolExecutor(max_workers=w, mp_context=ctx.context())
            return futures.ThreadPoolExecutor(max_workers=w)

        ctx.record("executor", ctx.executor)
        slots = list(range(1, w + 1))

        def body() -> None:
            with pool_factory() as pool:
                list(pool.map(pool_task, [ctx.board.path] * w, slots, [n] * w, [kind] * w))

        try:
            return ctx.timed(body)
        except Exception as exc:
            return ctx.failed(exc)


LESSON = Pools()
