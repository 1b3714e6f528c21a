"""Frame pacing: how often the dashboard draws the lanes, and which snapshot (no textual).

The lanes move ``COLUMNS_PER_FRAME`` columns a frame: a frame every 0.5 s at the default
100 ms columns, 0.2 s in slow motion's 10 ms columns (the turns stay in sight from one
frame to the next), 1 s zoomed out to 200 ms columns and wider, as htop. A run's first
second is drawn every 0.2 s whatever the zoom, so its lanes do not sit empty ("idle")
for a whole interval after they appear. A program of many threads (``MANY_LANES``) is
drawn every 1.5 s, as htop draws: a frame's snapshot, its reading of every parked thread
and its drawing all cost in proportion to the lanes (docs/measurements.md: 260 lanes
twice a second took a tenth of a core from the program watched). The app tells
the source (``frame_s``), and the sampler takes its next snapshot then.

Snapshots can still come faster: a replay posts ten a second, and the sampler posts one
at once when a worker appears. Each holds the whole timeline, so the app keeps only the
latest until the next frame is due and drops the ones it replaced ("coalesced"). A
snapshot that brings new rows, and a run's first, are drawn at once: a new worker shows
up without waiting for the next frame.

Why not more often: a frame costs the UI thread Textual's composing whatever it changes
(more with many lanes), and on a 2-core machine that CPU is taken from the lesson being
measured; the UI's CPU follows the frame rate (docs/measurements.md, "The dashboard's
own cost"). Keys (zoom, pause, scroll) redraw at once.
"""

from __future__ import annotations

from gilviz.timeline import MANY_LANES

COLUMNS_PER_FRAME = 5
SHORTEST_S = 0.2  # 5 frames a second at most
LONGEST_S = 1.0  # 1 at least
MANY_LANES_S = 1.5  # a program of more than MANY_LANES lanes
EARLY = 0.2  # a snapshot this much of an interval early is drawn anyway (its source's clock is not ours)
YOUNG_S = 1.0  # a run's first second is drawn at the shortest interval: its first columns fill in at once


def frame_interval(column_s: float, run_age_s: float | None = None, lanes: int = 0) -> float:
    """Seconds between frames for columns ``column_s`` wide (in a run ``run_age_s`` old, when it has begun,
    of ``lanes`` lanes)."""
    if lanes > MANY_LANES:
        return MANY_LANES_S
    if run_age_s is not None and run_age_s < YOUNG_S:
        return SHORTEST_S
    return max(SHORTEST_S, min(LONGEST_S, COLUMNS_PER_FRAME * column_s))


FRAME_S = frame_interval(0.1)  # at the default zoom


class FramePacer:
    """When the next frame may be drawn."""

    def __init__(self, interval: float = FRAME_S) -> None:
        self.interval = interval
        self.frames = 0  # frames drawn
        self.coalesced = 0  # snapshots dropped for a newer one
        self._drawn_at: float | None = None  # monotonic time of the last frame

    def wait(self, now: float, *, at_once: bool = False) -> float:
        """Seconds until a frame may be drawn (0: now); ``at_once`` (new rows) still waits out ``SHORTEST_S``."""
        if self._drawn_at is None:
            return 0.0
        gap = min(self.interval, SHORTEST_S) if at_once else self.interval
        wait = self._drawn_at + gap - now
        return 0.0 if wait <= gap * EARLY else wait

    def drawn(self, now: float) -> None:
        self._drawn_at = now
        self.frames += 1

    def restart(self) -> None:
        """A new run: its first snapshot is drawn at once."""
        self._drawn_at = None
