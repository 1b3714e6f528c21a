"""Processes share nothing; a Queue passes data between them."""

from __future__ import annotations

from gilviz.lab import textbook
from gilviz.lab.lesson import Lesson
from gilviz.lab.workers import QUEUE_MAX, process_worker


class Queue(Lesson):
    order = 90
    key = "queue"
    title = "Queue · processes share nothing"
    summary = "processes share nothing; a Queue passes data between them"
    lesson = (
        "A child process gets a copy of the parent's globals: what it changes stays in the "
        "child. Data moves between processes only when passed, here through a "
        "multiprocessing.Queue from a producer to consumers."
    )
    code = (
        "items_made = 0\n\n"
        "def producer(q, n):\n    global items_made\n    for i in range(n):\n"
        "        q.put(make_item(i))\n        items_made += 1   # the child's copy\n"
        "    q.put(None)\n\n"
        "def consumer(q):\n    while (item := q.get()) is not None:\n        handle_item(item)\n\n"
        "# after join, the parent still has items_made == 0"
    )
    workers = 1
    uses_processes = True
    sections = ("queue",)
    text_place = "after"
    panel = "queue_panel"

    def result_fields(self) -> dict[tuple[str, ...], dict[str, tuple[str, bool]]]:
        return {
            ("queue",): {
                "put": ("count", True),
                "got": ("count", True),
                "parent_global": ("signed", True),
                "items": ("count", False),
                "child_global": ("signed", False),
            }
        }

    def run(self, ctx) -> float:
        mp = ctx.context()
        q = mp.Queue(maxsize=QUEUE_MAX)
        consumers, size = ctx.workers, ctx.size
        path = ctx.board.path
        procs = [
            mp.Process(
                target=process_worker,
                args=(path, 1, "producer", "produce", (q, size.items, consumers), size.items),
                name="producer",
            )
        ]
        for i in range(consumers):
            name = "consumer-%d" % (i + 1)
            procs.append(
                mp.Process(target=process_worker, args=(path, i + 2, name, "consume", (q, size.item_s), size.items), name=name)
            )

        def body() -> None:
            for p in procs:
                p.start()
            for p in procs:
                p.join()

        wall = ctx.timed(body)
        ctx.check_exits(procs, range(1, consumers + 2))
        views = {s.slot: s for s in ctx.board.slots()}
        put = views[1].count if 1 in views else 0
        got = sum(views[s].count for s in range(2, consumers + 2) if s in views)
        ctx.record(
            "queue",
            {
                "items": size.items,
                "put": put,
                "got": got,
                "child_global": put,  # the producer's own items_made, which it wrote on the board
                "parent_global": textbook.items_made,  # this process's copy: never changed
            },
        )
        return wall

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        return ("the parent's items_made", "", 0.0, "a child's globals are its own copy: the parent's stays 0")

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        return (result.get("queue") or {}).get("parent_global"), theory

    def results_note(self, result: dict) -> str | None:
        q = result.get("queue")
        return "%d/%d · parent %d" % (q["got"], q["put"], q["parent_global"]) if q else None

    def text_lines(self, doc: dict) -> list[str]:
        q = doc.get("queue")
        if not q:
            return []
        return [
            "queue: put %d · got %d of %d items" % (q["put"], q["got"], q["items"]),
            "global items_made: %d in the producer process, %d in the parent" % (q["child_global"], q["parent_global"]),
        ]


LESSON = Queue()
