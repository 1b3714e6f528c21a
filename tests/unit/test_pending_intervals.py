"""A replayed moment fills a parked lane from its next reading, and the timeline ends as if nothing were split."""

from gilviz.lab import protocol
from gilviz.lab.board import SlotView
from gilviz.pending_intervals import PendingIntervals
from gilviz.states import IO, RUNNING, STATES
from gilviz.timeline import Timeline

MS = 1_000_000


def _lane(slot: int) -> SlotView:
    return SlotView(slot, 1, 10 + slot, protocol.THREAD, protocol.WORKER, protocol.NONE, 0, 0, 0, "t%d" % slot, "")


def _iv(slot: int, t0_ms: int, t1_ms: int, running: float, io: float) -> dict:
    times = [0.0] * len(STATES)
    times[RUNNING], times[IO] = running, io
    return {"ev": "iv", "t": t1_ms * MS + 1, "slot": slot, "t0": t0_ms * MS, "t1": t1_ms * MS, "times": times, "wait": "read"}


def _events() -> list[dict]:
    """Slot 0 busy, read every 100 ms; slot 1 parked, read once after 1 s (0.01 s of CPU in it)."""
    events: list[dict] = [{"ev": "lane", "slot": s, "born": 0} for s in (0, 1)]
    events += [_iv(0, t, t + 100, 0.1, 0.0) for t in range(1000, 2000, 100)]
    events.append(_iv(1, 1000, 2000, 0.01, 0.99))  # written when the rest ends
    return events


def _replay(events: list[dict], snapshot_after: int | None) -> tuple[Timeline, list]:
    timeline, pending, shots = Timeline(), PendingIntervals(events), []
    timeline.set_window(1000 * MS, 0)
    for index, event in enumerate(events):
        if event["ev"] == "lane":
            timeline.lane_seen(_lane(event["slot"]))
            pending.declared(event["slot"])
        else:
            pending.applied(timeline, index, event)
        if index == snapshot_after:
            pending.fill(timeline)
            shots.append(timeline.snapshot())
    return timeline, shots


def test_a_parked_lane_is_drawn_up_to_the_moment_and_the_whole_is_unchanged():
    events = _events()
    mid = next(i for i, e in enumerate(events) if e["ev"] == "iv" and e["slot"] == 0 and e["t1"] == 1500 * MS)
    split, (shot,) = _replay(events, mid)
    parked = shot.lanes[1]
    assert parked.bins and parked.bins[-1].index == 1500 * MS // round(shot.bin_s * 1e9) - 1  # up to 1.5 s, not 1 s
    assert abs(sum(parked.run_times[: len(STATES)]) - 0.5) < 1e-6  # half the rest, every second of it accounted
    assert abs(parked.run_times[IO] - 0.495) < 1e-6  # its reading's times, in proportion
    whole, _ = _replay(events, None)
    a, b = split.snapshot().lanes[1], whole.snapshot().lanes[1]
    assert all(abs(x - y) < 1e-9 for x, y in zip(a.run_times, b.run_times))
    assert [bin_.index for bin_ in a.bins] == [bin_.index for bin_ in b.bins]
    assert all(abs(x - y) < 1e-9 for p, q in zip(a.bins, b.bins) for x, y in zip(p.times, q.times))
