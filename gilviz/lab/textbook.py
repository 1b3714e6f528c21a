"""The textbook's code, exactly as the lab runs it (layer: lab, standard library only).

These functions are what a learner compares with their book, so they keep its shape.
The lab's drivers call them in chunks (``count(250_000)`` many times rather than
``count(100_000_000)`` once) so a run can be cancelled and its progress shown; the
work done is the same. The UI shows this source, taken from here with ``inspect``.
"""

import threading
import time

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
