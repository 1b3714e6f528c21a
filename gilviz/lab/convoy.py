"""The convoy effect: an I/O thread's latency alone and beside CPU-bound threads.

An I/O thread in the lab answers pings on one end of a ``socket.socketpair()``. A pinger,
another process (so its own waits are not for this GIL), times round trips on the other
end for ``size.ping_s`` seconds: first with the I/O thread alone, then, in a second
pinger process, with ``workers`` CPU-bound threads running beside it. Each pinger
writes its median round trip (ns) on the board as its count and its round trips as its
progress; the mean is the phase's length over them. The mean is the lesson's figure: on
a busy 2-core machine the median beside a CPU thread is now and then as quick as alone
(the CPU thread waits for a core, and most replies slip through meanwhile), while the
round trips that fit in the phase still collapse, and the mean says so.

With a GIL, every blocking call of the I/O thread (``recv``, then ``sendall``) lets the
GIL go and takes it back only when a CPU thread is made to drop it, after the switch
interval: a round trip of about two switch intervals.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time

from gilviz.lab import protocol, textbook
from gilviz.lab.workers import process_worker, thread_worker

ECHO_SLOT = 1


def ping_job(board, slot: int, sock, seconds: float) -> None:
    """Time round trips for ``seconds``; the median (ns) goes on the board as the count."""
    board.set_phase(slot, protocol.IO)
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not board.stop_requested():
        times.append(textbook.ping(sock))
        board.set_progress(slot, len(times))
    board.set_count(slot, int(statistics.median(times) * 1e9) if times else 0)


def echo_job(board, slot: int, sock) -> None:
    board.set_phase(slot, protocol.IO)
    textbook.echo(sock)


def run(r) -> float:
    """The convoy scenario for a ``drivers.Run``; returns the wall time of both phases."""
    board, cpu_threads, seconds = r.board, r.workers, r.size.ping_s
    ctx = r.context()
    a, b = socket.socketpair()
    until = threading.Event()
    echo = threading.Thread(target=thread_worker, args=(board, ECHO_SLOT, "io-thread", echo_job, (a,), 0), name="io-thread")
    cpus = [
        threading.Thread(
            target=thread_worker, args=(board, 2 + i, "cpu-%d" % (i + 1), "spin", (until,), 0), name="cpu-%d" % (i + 1)
        )
        for i in range(cpu_threads)
    ]
    alone_slot, beside_slot = 2 + cpu_threads, 3 + cpu_threads
    pingers = []

    def pinger(slot: int, name: str):
        p = ctx.Process(target=process_worker, args=(board.path, slot, name, ping_job, (b, seconds), 0), name=name)
        pingers.append((p, slot))
        p.start()
        p.join()

    def body() -> None:
        echo.start()
        try:
            pinger(alone_slot, "pinger alone")
            if board.stop_requested():
                return
            for t in cpus:
                t.start()
            pinger(beside_slot, "pinger w/ CPU")
        finally:
            until.set()
            for t in cpus:
                if t.ident is not None:
                    t.join()
            b.shutdown(socket.SHUT_RDWR)  # the I/O thread's recv returns b"": it ends
            echo.join()

    try:
        wall = r.timed(body)
    except Exception as exc:
        wall = r.failed(exc)
    finally:
        a.close()
        b.close()
    r.check_exits([p for p, _ in pingers], [slot for _, slot in pingers])
    views = {s.slot: s for s in board.slots()}

    def median_ms(slot: int):
        view = views.get(slot)
        return view.count / 1e6 if view is not None and view.done else None

    def trips(slot: int) -> int:
        view = views.get(slot)
        return view.done if view is not None else 0

    def mean_ms(slot: int):
        """The phase's length over its round trips (back to back; the last one may end up to a trip late)."""
        n = trips(slot)
        return seconds * 1000 / n if n else None

    r.record(
        "convoy",
        {
            "alone_ms": median_ms(alone_slot),
            "with_cpu_ms": median_ms(beside_slot),
            "alone_mean_ms": mean_ms(alone_slot),
            "with_cpu_mean_ms": mean_ms(beside_slot),
            "alone_round_trips": trips(alone_slot),
            "with_cpu_round_trips": trips(beside_slot),
            "cpu_threads": cpu_threads,
            "ping_s": seconds,
        },
    )
    return wall
