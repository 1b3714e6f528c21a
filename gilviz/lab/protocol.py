"""What the UI side and the lab say to each other (standard library only).

Commands go to the lab's stdin and events come back on its stdout, one JSON object a
line. The phases a worker declares on the board are numbered here, once, for both sides.
"""

import json

PROTOCOL_VERSION = 1

# Phases a worker declares on the board. The sampler combines them with the kernel's
# account of the thread (on CPU, runnable, asleep) to classify each interval.
NONE = 0  # slot unused or worker not started yet
STARTING = 1
CPU = 2  # running Python bytecode (needs the GIL)
IO = 3  # sleeping, as a blocking I/O call does (releases the GIL)
LOCK = 4  # in a loop that takes and releases a threading.Lock around its update
QUEUE_PUT = 5
QUEUE_GET = 6
JOIN = 7  # a main thread waiting for its workers
DONE = 8
FAILED = 9

PHASE_NAMES = {
    NONE: "none",
    STARTING: "starting",
    CPU: "cpu",
    IO: "io",
    LOCK: "lock",
    QUEUE_PUT: "queue-put",
    QUEUE_GET: "queue-get",
    JOIN: "join",
    DONE: "done",
    FAILED: "failed",
}

# Lane kinds and roles, as stored on the board.
THREAD = 1
PROCESS = 2
KIND_NAMES = {THREAD: "thread", PROCESS: "process"}
MAIN = 1
WORKER = 2
ROLE_NAMES = {MAIN: "main", WORKER: "worker"}


def encode(message):
    """One message as one line of JSON, newline included, as bytes."""
    return (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")


def decode(line):
    """Parse one line into a dict; ValueError if it is not a JSON object."""
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("not a JSON object: %r" % (line[:80],))
    return message
