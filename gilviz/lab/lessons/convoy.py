"""The convoy effect: an I/O thread beside a CPU thread waits for the GIL."""

from __future__ import annotations

from gilviz.lab import convoy, textbook
from gilviz.lab.lesson import Lesson, source
from gilviz.lab.wording import duration, times


def _either(figures: dict, key: str, older: str) -> float | None:
    return figures[key] if key in figures else figures.get(older)


class Convoy(Lesson):
    order = 130
    key = "convoy"
    title = "Convoy · I/O beside CPU"
    summary = "an I/O thread beside a CPU thread: replies wait for the GIL"
    lesson = (
        "An I/O thread answers pings in microseconds alone. Beside a CPU-bound thread, every "
        "blocking call it makes (recv, then sendall) gives the GIL away, and taking it back "
        "waits until the CPU thread is made to drop it, one switch interval (5 ms by default): each "
        "round trip takes about two switch intervals."
    )
    code = (
        "import socket\n\n"
        + source(textbook.echo, textbook.ping, textbook.count)
        + "\n\na, b = socket.socketpair()\nThread(target=echo, args=(a,)).start()\n"
        "# another process pings over b: alone, then beside CPU-bound threads\n"
        "for _ in range(workers): Thread(target=count, args=(N,)).start()  # until the pings end"
    )
    workers = 1
    uses_processes = True  # the pinger is another process
    threads_side_by_side = True
    workers_are = "CPU-bound threads"
    sections = ("convoy",)
    figure_on_timing_line = True
    gil_figures = "handoffs"
    why = "round_trip"

    def result_fields(self) -> dict[tuple[str, ...], dict[str, tuple[str, bool]]]:
        amounts = {key: ("amount", False) for key in ("alone_ms", "with_cpu_ms")}
        counts = {key: ("count", False) for key in ("alone_round_trips", "with_cpu_round_trips", "cpu_threads")}
        return {("convoy",): {**amounts, **counts, "ping_s": ("seconds", False)}}

    def run(self, ctx) -> float:
        return convoy.run(ctx)

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        if gil_enabled:
            says = (
                "each blocking call (recv, sendall) takes the GIL back after a switch interval: two per round trip "
                "(with one CPU thread; with more, others may take their turn first)"
            )
            return ("round trip beside CPU threads", "ms", 2 * interval_s * 1000, says)
        return ("round trip beside CPU threads", "ms", None, "no GIL to take back: about the round trip alone")

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        c = result.get("convoy") or {}
        value = _either(c, "with_cpu_mean_ms", "with_cpu_ms")  # the mean (a recording from before: the median)
        alone = _either(c, "alone_mean_ms", "alone_ms")
        return value, alone if theory is None and alone is not None else theory

    def text_lines(self, doc: dict) -> list[str]:
        c = doc.get("convoy")
        if not c:
            return []

        def trip(phase: str) -> str:
            mean, median, n = c.get(phase + "_mean_ms"), c[phase + "_ms"], c[phase + "_round_trips"]
            if median is None:
                return "not measured"
            if mean is None:  # recorded before the mean was
                return "%s (median of %d)" % (duration(median / 1000), n)
            return "%s mean (median %s, %d trips)" % (duration(mean / 1000), duration(median / 1000), n)

        line = "convoy: round trip alone %s · beside %d CPU thread%s %s" % (
            trip("alone"),
            c["cpu_threads"],
            "" if c["cpu_threads"] == 1 else "s",
            trip("with_cpu"),
        )
        alone, beside = c.get("alone_mean_ms") or c["alone_ms"], c.get("with_cpu_mean_ms") or c["with_cpu_ms"]
        if alone and beside:
            ratio = beside / alone
            line += " · %s %s" % (times(ratio), "slower") if ratio >= 1 else " · %s faster" % times(1 / ratio)
        return [line]


LESSON = Convoy()
