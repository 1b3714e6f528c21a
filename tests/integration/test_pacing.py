"""Frame pacing: snapshots that come faster than frames are coalesced, and the latest is always drawn."""

import os
import time
from pathlib import Path

from gilviz.lab import protocol
from gilviz.lab.board import Board, SlotView
from gilviz.probe.gil_address import GilLocation
from gilviz.probe.sampler import NEW_LANE_GAP_S, Sampler
from gilviz.timeline import MANY_LANES, Timeline
from gilviz.trace import read_trace
from gilviz.ui.app import replay_app
from gilviz.ui.pacing import EARLY, FRAME_S, FramePacer, frame_interval

from conftest import poll

TRACES = Path(__file__).resolve().parents[2] / "assets" / "traces"


def test_a_frame_waits_for_its_interval_unless_it_brings_something_new():
    pacer = FramePacer(0.5)
    assert pacer.wait(10.0) == 0  # nothing drawn yet: at once
    pacer.drawn(10.0)
    assert abs(pacer.wait(10.1) - 0.4) < 1e-9
    assert abs(pacer.wait(10.1, at_once=True) - 0.1) < 1e-9  # new rows: drawn soon, 5 frames a second at most
    assert pacer.wait(10.2, at_once=True) == 0  # (a thread-per-request server brings new rows at every snapshot)
    assert pacer.wait(10.5) == 0
    assert pacer.wait(10.5 - 0.5 * EARLY / 2) == 0  # a source's clock a little ahead of ours
    pacer.restart()  # a new run
    assert pacer.wait(10.2) == 0


def test_the_lanes_move_five_columns_a_frame_within_five_frames_and_one_a_second():
    assert FRAME_S == frame_interval(0.1) == 0.5  # the default 100 ms columns
    assert frame_interval(0.05) == 0.25
    assert frame_interval(0.01) == 0.2  # slow motion
    assert frame_interval(1.0) == 1.0  # zoomed out
    assert frame_interval(1.0, run_age_s=0.4) == frame_interval(0.1, run_age_s=0.4) == 0.2  # a run's first second
    assert frame_interval(1.0, run_age_s=1.5) == 1.0
    assert frame_interval(0.1, lanes=MANY_LANES) == 0.5
    assert frame_interval(0.01, run_age_s=0.4, lanes=MANY_LANES + 1) == 1.5  # a big program: as htop


def test_the_sampler_takes_its_next_snapshot_when_the_dashboard_asks():
    board = Board.create()
    try:
        counts = {}
        for wanted in (0.05, None):
            taken = []

            def sink(snapshot, taken=taken, wanted=wanted):
                taken.append(snapshot)
                return wanted

            sampler = Sampler(board, Timeline(), on_snapshot=sink)
            sampler.start()
            time.sleep(0.6)  # the span counted: the workload, not a wait for something to happen
            sampler.stop()
            sampler.close()
            counts[wanted] = len(taken)
        assert counts[0.05] >= 6 and counts[None] <= 3, counts  # every 50 ms; or its own 0.5 s
    finally:
        board.close()


async def test_a_fast_replay_is_drawn_at_the_frame_rate_and_ends_on_its_last_picture():
    """A replay at 4× posts 40 snapshots a second; the lanes get about 2 of them, always the newest."""
    app = replay_app(read_trace(str(TRACES / "threads-cpu.jsonl.gz")), speed=4)
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        deadline = time.monotonic() + 30
        while not app.state.status.startswith("replay ended"):
            assert time.monotonic() < deadline, "the replay did not end"
            await pilot.pause(0.05)
        elapsed = time.monotonic() - (deadline - 30)
        pacer = app.pacer
        assert pacer.coalesced > 2 * pacer.frames  # most snapshots were replaced by a newer one before a frame
        assert pacer.frames <= elapsed / (pacer.interval * (1 - EARLY)) + 4 * len(app.state.reports) + 2
        await pilot.pause(0.2)
        assert lanes.snapshot is app.state.snapshot is app.state.reports[0].snapshot  # nothing stale left on screen


async def test_slow_motion_is_drawn_five_times_a_second_and_the_sampler_follows():
    """10 ms columns: a frame every 0.2 s, so a turn (5 columns at a 50 ms switch interval) stays in sight."""
    from gilviz.model import RunConfig
    from gilviz.ui.app import scenario_app

    app = scenario_app(RunConfig("threads-cpu", size="tiny", switch_interval_ms=50))
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 60
        while not (app.state.snapshot is not None and app.state.snapshot.bin_s == 0.01 and app.state.snapshot.lanes):
            assert time.monotonic() < deadline, "the slow-motion run did not start"
            await pilot.pause(0.02)
        await pilot.pause(0.1)
        assert app.pacer.interval == 0.2 and app.source.frame_s == 0.2
        await pilot.press("q")


async def test_a_held_snapshot_is_drawn_even_when_a_program_prints_meanwhile():
    """A watched program's output arrives between snapshots; it must not drop the one waiting for its frame."""
    from gilviz.sources.events import ProgramOutput, SnapshotTaken
    from gilviz.trace import frames
    from gilviz.ui.app import SourceEvent

    t = read_trace(str(TRACES / "threads-cpu.jsonl.gz"))
    run = t.runs[-1]
    live = [
        f.snapshot for f in frames(t) if f.kind == "snapshot" and f.run is run and f.snapshot.lanes and not f.snapshot.window[1]
    ]
    app = replay_app(t, at=0.0)
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        first, held = live[-10], live[-1]
        app.on_source_event(SourceEvent(app.token, SnapshotTaken(first)))  # drawn: nothing drawn before
        app.on_source_event(SourceEvent(app.token, SnapshotTaken(held)))  # too soon: held for the next frame
        assert lanes.snapshot is first
        app.on_source_event(SourceEvent(app.token, ProgramOutput(("a line",), "/tmp/out.log")))
        await pilot.pause(app.pacer.interval + 0.2)
        assert lanes.snapshot is held


class _OneMoreThreadEachLook:
    """A watch list that finds a new thread at every look (a thread-per-request server), all of them us."""

    def __init__(self) -> None:
        self.views: list = []
        self.started = time.monotonic_ns()

    def window_ns(self):
        return self.started, 0

    def lanes(self):
        pid = os.getpid()
        view = SlotView(len(self.views), pid, pid, protocol.THREAD, protocol.WORKER, protocol.NONE, 0, 0, 0, "t", "")
        self.views = [*self.views, view]
        return self.views

    def gil(self, pid):
        return GilLocation(None, "not looked for")


def test_new_threads_bring_a_snapshot_soon_but_five_a_second_at_most_and_a_big_programs_wait():
    taken: list[tuple[float, int]] = []

    def sink(snapshot):
        taken.append((time.monotonic(), len(snapshot.lanes)))
        return 60.0  # the dashboard's next frame: far off, so every snapshot here is a new lane's

    watch = _OneMoreThreadEachLook()
    sampler = Sampler(watch, Timeline(), on_snapshot=sink)  # type: ignore[arg-type]
    sampler.start()
    try:
        assert poll(lambda: len(watch.views) > MANY_LANES + 60, 30), "the sampler did not tick"
    finally:
        sampler.stop()
        sampler.close()
    early = taken[1:]  # after the first, which is due at once
    assert len(early) >= 2, taken  # new lanes did bring snapshots
    gaps = [b[0] - a[0] for a, b in zip(taken, early)]
    assert min(gaps) >= NEW_LANE_GAP_S / 2, gaps  # never at every tick (10 ms; a tick or a snapshot may run long)
    assert all(lanes <= MANY_LANES + 1 for _, lanes in early), taken  # above MANY_LANES: the next frame's
