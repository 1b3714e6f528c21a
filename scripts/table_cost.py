"""What the table view costs a frame, against the lanes', with many threads.

    python scripts/table_cost.py [--parked 1000] [--frames 40]

A developer's tool. It writes a made-up trace of a thread-per-request server with
``--parked`` more long-lived threads (``tests/fake_server.py``), replays it headless at
120×36 and draws it frame by frame, the way the live dashboard does (a new snapshot, then
``draw``), once with the lanes on screen and once with the table view (``T``) open,
sorted by GIL wait. It prints the CPU per frame of each (the whole process: Textual's
compositor included) and what that is as a share of a core at two frames a second, the
lanes' pace at the default zoom.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gilviz.thread_table import matching, sorted_rows, thread_rows  # noqa: E402
from gilviz.trace import frames, read_trace  # noqa: E402
from gilviz.ui.app import replay_app  # noqa: E402
from gilviz.ui.state import LANES  # noqa: E402
from gilviz.ui.table_screen import TableScreen  # noqa: E402

from fake_server import write_server_trace  # noqa: E402

FRAMES_PER_S = 2


async def per_frame(trace, snapshots, table: bool) -> float:
    app = replay_app(trace, at=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        if table:
            await pilot.press("T")
            await pilot.pause()
            assert isinstance(app.screen, TableScreen)
        for snap in snapshots[:3]:  # warm up
            app.state.snapshot = snap
            app.draw({LANES})
            await pilot.pause()
        t0 = time.process_time()
        for snap in snapshots[3:]:
            app.state.snapshot = snap
            app.draw({LANES})
            await pilot.pause()
        return (time.process_time() - t0) / (len(snapshots) - 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parked", type=int, default=1000)
    parser.add_argument("--frames", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_server_trace(Path(tmp) / "server.jsonl.gz", parked=args.parked, seconds=8.0, requests=300)
        trace = read_trace(str(path))
    snapshots = [f.snapshot for f in frames(trace) if f.snapshot is not None]
    snapshots = snapshots[len(snapshots) // 3 :][: args.frames + 3]
    last = snapshots[-1]
    rows = thread_rows(last)
    t0 = time.process_time()
    for _ in range(20):
        thread_rows(last)
    rows_ms = (time.process_time() - t0) / 20 * 1000
    t0 = time.process_time()
    for _ in range(20):
        matching(sorted_rows(rows, "gil"), "")
    sort_ms = (time.process_time() - t0) / 20 * 1000
    print("%d lanes, %d table rows" % (len(last.lanes), len(rows)))
    print("rows from a snapshot: %.2f ms; sorted and filtered: %.2f ms" % (rows_ms, sort_ms))
    for table in (False, True):
        cost = asyncio.run(per_frame(trace, snapshots, table))
        what = "table view" if table else "lanes     "
        share = cost * FRAMES_PER_S
        print("%s: %.1f ms a frame = %.3f of a core at %d frames a second" % (what, cost * 1000, share, FRAMES_PER_S))


if __name__ == "__main__":
    main()
