"""The textbook's code, exactly as the lab runs it (standard library only).

These functions are what a learner compares with their book, so they keep its shape.
The lab's drivers call them in chunks (``count(250_000)`` many times rather than
``count(100_000_000)`` once) so a run can be cancelled and its progress shown; the
work done is the same. The UI shows this source, taken from here with ``inspect``.

``asyncio``, ``hashlib``, ``multiprocessing`` and ``socket`` are imported on first use
(``_Later``): every worker process imports this module, and importing asyncio alone
takes ~60 ms, which would be counted in every spawned process's start.
"""

import importlib
import threading
import time


class _Later:
    """A module imported when one of its names is first used."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)


asyncio = _Later("asyncio")
hashlib = _Later("hashlib")
multiprocessing = _Later("multiprocessing")
socket = _Later("socket")

# -- CPU-bound and I/O-bound work ------------------------------------------------


def count(n):
    for _ in range(n):
        x = 1 + 1


def wait_io(seconds):
    time.sleep(seconds)


# -- the race --------------------------------------------------------------------
# A read-modify-write with a call in between. Plain ``counter += 1`` loses no updates
# on CPython 3.10+ in practice (3.9 loses millions); this shape loses them on all.

counter = 0
lock = threading.Lock()


def bump(value):
    return value + 1


def add(n):
    global counter
    for _ in range(n):
        tmp = counter
        tmp = bump(tmp)
        counter = tmp


def add_locked(n):
    global counter
    for _ in range(n):
        with lock:
            tmp = counter
            tmp = bump(tmp)
            counter = tmp


# -- processes share nothing unless you pass it ----------------------------------

items_made = 0  # a global: each process has its own copy


def make_item(i):
    count(20_000)  # a little CPU work per item
    return i


def handle_item(item, seconds):
    time.sleep(seconds)  # as if writing the item somewhere


# -- C code that releases the GIL ------------------------------------------------
# hashlib lets go of the GIL while it hashes a buffer of more than 2 KiB.


def hash_data(data, n):
    for _ in range(n):
        hashlib.sha256(data).hexdigest()


# -- many waits in one thread ---------------------------------------------------


async def wait_async(seconds):
    await asyncio.sleep(seconds)


async def wait_many(n, seconds):
    await asyncio.gather(*(wait_async(seconds) for _ in range(n)))


# -- the convoy effect ---------------------------------------------------------


def echo(sock):
    while True:
        data = sock.recv(64)
        if not data:
            break
        sock.sendall(data)


def ping(sock):
    t0 = time.perf_counter()
    sock.sendall(b"ping")
    sock.recv(64)
    return time.perf_counter() - t0


# -- what starting a process costs -----------------------------------------------


def nothing():
    pass


def start_and_join(method):
    p = multiprocessing.get_context(method).Process(target=nothing)
    p.start()
    p.join()
