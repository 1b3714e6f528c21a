"""Record the traces the snapshot tests (and the README's pictures) are drawn from.

    python scripts/record_traces.py assets/traces

One gzip'd trace per picture: every scenario at the demo size, the race with the lock
off and on (and both in one session, as after pressing `l`), the pools with both
executors, threads-cpu in slow motion, threads-cpu then procs-cpu in one session (a
comparison), `gilviz watch` on examples/busy_server.py, and on a program started through
a pyenv shim (``~/.pyenv/shims/python3``). Each is a real run on this
machine, so
re-recording changes the pictures: review them (see tests/ui/test_snapshots.py) and
update the snapshots with ``pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gilviz.lab.scenarios import KEYS

VARIANTS = {
    **{key: [key] for key in KEYS if key not in ("race", "pools")},
    "pools-thread": ["pools", "--executor", "thread"],
    "pools-process": ["pools", "--executor", "process"],
    "race-lock-off": ["race", "--no-lock"],
    "race-lock-on": ["race", "--lock"],
    "threads-cpu-slow": ["threads-cpu", "--switch-interval", "50"],
}
SESSIONS = {  # several runs in one recording, as the dashboard makes them
    "race-off-then-on": [("race", {"lock": False}), ("race", {"lock": True})],
    "threads-then-procs": [("threads-cpu", {}), ("procs-cpu", {})],
}
SHIM_PROGRAM = """import threading, time
def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))
threads = [threading.Thread(target=spin, args=(2,)) for _ in range(2)] + [threading.Thread(target=time.sleep, args=(3,))]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""
WATCHED = {  # `gilviz watch` on a program; "python3" as the PATH finds it (here, a pyenv shim)
    "watch-busy-server": ["python3", "examples/busy_server.py", "6"],
    "watch-pyenv-shim": ["~/.pyenv/shims/python3", "-c", SHIM_PROGRAM],  # the shim's helper shells are no rows
}


ROOT = Path(__file__).resolve().parent.parent


def record_session(path: Path, runs: list) -> None:
    """Several runs in one recording, as the dashboard records them (each after its baseline)."""
    sys.path.insert(0, str(ROOT))
    from gilviz.measure import Session
    from gilviz.model import RunConfig
    from gilviz.trace import TraceWriter

    writer = TraceWriter(str(path))
    try:
        session = Session(recorder=writer)
        for key, options in runs:
            session.run(RunConfig(key, **options))
    finally:
        writer.close()


def main(directory: str, names: list[str]) -> int:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name in names or [*SESSIONS, *VARIANTS, *WATCHED]:
        path = out / (name + ".jsonl.gz")
        print("recording %s -> %s" % (name, path), file=sys.stderr)
        if name in SESSIONS:
            record_session(path, SESSIONS[name])
        elif name in WATCHED:
            program = [os.path.expanduser(WATCHED[name][0]), *WATCHED[name][1:]]
            command = [sys.executable, "-m", "gilviz", "watch", "--json", "--record", str(path), "--", *program]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        else:
            args = VARIANTS[name]
            subprocess.run(
                [sys.executable, "-m", "gilviz", "record", *args, "-o", str(path)], check=True, stdout=subprocess.DEVNULL
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(
            "usage: python scripts/record_traces.py DIRECTORY [NAME...]  (names: %s)"
            % ", ".join([*SESSIONS, *VARIANTS, *WATCHED])
        )
    sys.exit(main(sys.argv[1], sys.argv[2:]))
