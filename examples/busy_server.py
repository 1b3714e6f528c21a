"""A small program with the waits real programs have, to try `gilviz watch` on.

    gilviz watch -- python examples/busy_server.py [SECONDS]

For 20 seconds (or SECONDS): two threads crunch numbers in pure Python (they take turns on the GIL),
two hash big buffers in C (hashlib lets the GIL go, so they run at once), three share a
lock they hold while "writing" (each waits for the others), four wait on a queue for
work like a server's handlers, and a process pool of two does CPU work in parallel.
Every thread is named, as a real program's often are (Python 3.14 shows the names to
the OS, and so to gilviz; older Pythons show "thread N").
"""

import hashlib
import multiprocessing
import queue
import sys
import threading
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
stop = threading.Event()


def crunch():
    while not stop.is_set():
        total = 0
        for i in range(200_000):
            total += i * i


def hash_files():
    blob = b"x" * (16 << 20)
    while not stop.is_set():
        hashlib.sha256(blob).digest()


journal_lock = threading.Lock()


def write_journal():
    while not stop.is_set():
        with journal_lock:
            time.sleep(0.03)  # holding the lock while "writing to disk"


requests: queue.Queue = queue.Queue()


def handle_requests():
    while not stop.is_set():
        try:
            request = requests.get(timeout=0.5)
        except queue.Empty:
            continue
        time.sleep(request)  # "talking to a database"


def square(n):
    return sum(i * i for i in range(n))


def main():
    threads = [threading.Thread(target=crunch, name="cruncher-%d" % i) for i in range(2)]
    threads += [threading.Thread(target=hash_files, name="hasher-%d" % i) for i in range(2)]
    threads += [threading.Thread(target=write_journal, name="journal-%d" % i) for i in range(3)]
    threads += [threading.Thread(target=handle_requests, name="handler-%d" % i) for i in range(4)]
    for t in threads:
        t.start()
    end = time.monotonic() + SECONDS
    with multiprocessing.Pool(2) as pool:
        while time.monotonic() < end:
            requests.put(0.05)
            pool.map(square, [300_000] * 4)
    stop.set()
    for t in threads:
        t.join()
    print("done after %.0f s" % SECONDS)


if __name__ == "__main__":
    main()
