"""Record the traces the snapshot tests (and the README's pictures) are drawn from.

    python scripts/record_traces.py assets/traces

One gzip'd trace per picture: every scenario at the demo size, the race with the lock
off and on (and both in one session, as after pressing `l`), and the pools with both
executors. Each is a real run on this machine, so
re-recording changes the pictures: review them (see tests/test_snapshots.py) and
update the snapshots with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

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
}


def record_race_off_then_on(path: Path) -> None:
    """One session: the race with the lock off, then on, as the dashboard runs them after `l`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from gilviz.measure import Session
    from gilviz.model import RunConfig
    from gilviz.trace import TraceWriter

    writer = TraceWriter(str(path))
    try:
        session = Session(recorder=writer)
        for lock in (False, True):
            session.run(RunConfig("race", lock=lock))
    finally:
        writer.close()


def main(directory: str, names: list[str]) -> int:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if not names or "race-off-then-on" in names:
        print("recording race-off-then-on", file=sys.stderr)
        record_race_off_then_on(out / "race-off-then-on.jsonl.gz")
    for name in names or list(VARIANTS):
        if name == "race-off-then-on":
            continue
        args = VARIANTS[name]
        path = out / (name + ".jsonl.gz")
        print("recording %s -> %s" % (" ".join(args), path), file=sys.stderr)
        subprocess.run([sys.executable, "-m", "gilviz", "record", *args, "-o", str(path)], check=True, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python scripts/record_traces.py DIRECTORY [NAME...]  (names: %s)" % ", ".join(VARIANTS))
    sys.exit(main(sys.argv[1], sys.argv[2:]))
