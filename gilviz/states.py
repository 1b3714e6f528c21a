"""The states a lane's time is split into, in the one order every figure uses (pure).

Classification (``probe.classify``) produces them, the timeline adds them up, traces
record them in this order, reports and the UI name them. Kept apart so that none of
those needs another to know what the states are.
"""

STATES = (
    "running",
    "gil_wait",
    "core_wait",
    "io",
    "lock_wait",
    "queue_wait",
    "blocked",  # a futex wait that cannot be told apart (the GIL's address is unknown)
    "idle",
    "done",  # the thread has ended (or declared itself done)
    "failed",
    "not_started",  # inside the run's window, before the thread existed
    "unseen",  # blocked on something the sampler did not see
)
(
    RUNNING,
    GIL_WAIT,
    CORE_WAIT,
    IO,
    LOCK_WAIT,
    QUEUE_WAIT,
    BLOCKED,
    IDLE,
    DONE,
    FAILED,
    NOT_STARTED,
    UNSEEN,
) = range(len(STATES))
N_STATES = len(STATES)
WAITS = (GIL_WAIT, IO, LOCK_WAIT, QUEUE_WAIT, BLOCKED, IDLE)  # the states of a thread blocked in a system call
