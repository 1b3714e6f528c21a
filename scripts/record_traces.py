"""Record the traces the snapshot tests (and the README's pictures) are drawn from.

    python scripts/record_traces.py tests/data/traces

One gzip'd trace per picture: every scenario at the demo size, the race with the lock
off and on, and the pools with both executors. Each is a real run on this machine, so
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


def main(directory: str, names: list[str]) -> int:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name in names or list(VARIANTS):
        args = VARIANTS[name]
        path = out / (name + ".jsonl.gz")
        print("recording %s -> %s" % (" ".join(args), path), file=sys.stderr)
        subprocess.run([sys.executable, "-m", "gilviz", "record", *args, "-o", str(path)], check=True, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python scripts/record_traces.py DIRECTORY [NAME...]  (names: %s)" % ", ".join(VARIANTS))
    sys.exit(main(sys.argv[1], sys.argv[2:]))
