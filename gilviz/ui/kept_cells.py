"""A lane line's columns that can no longer change, kept from frame to frame as joined segments.

A live run's lanes scroll: each frame adds a few columns on the right and drops a few on
the left, and the columns in between cannot change any more. Keeping them as segments,
neighbouring cells of one style joined, saves building and styling every cell again
(``LanesView`` keeps one per lane line).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment


@dataclass
class KeptCells:
    """A lane line's columns that can no longer change, groups ``first`` to ``end`` (not included),
    as segments with neighbouring cells of one style joined (every cell is one column wide)."""

    first: int
    end: int
    segments: list[Segment]

    def drop_to(self, first: int) -> None:
        """Forget the columns before ``first`` (they scrolled out on the left)."""
        cut, self.first = first - self.first, first
        segments = self.segments
        i = 0
        while cut > 0 and i < len(segments):
            text = segments[i].text
            if len(text) > cut:
                segments[i] = Segment(text[cut:], segments[i].style)
                break
            cut -= len(text)
            i += 1
        del segments[:i]

    def extend(self, cells) -> None:
        """Add the columns that closed since, after ``end`` (joined onto the last segment where they match)."""
        self.segments[-1:] = joined(self.segments[-1:] + list(cells))


def joined(segments: list[Segment]) -> list[Segment]:
    """Neighbouring segments of one style made one (styles here are shared objects, so ``is`` tells)."""
    out: list[Segment] = []
    parts: list[str] = []
    style = None
    for segment in segments:
        if segment.style is not style and parts:
            out.append(Segment("".join(parts), style))
            parts = []
        style = segment.style
        parts.append(segment.text)
    if parts:
        out.append(Segment("".join(parts), style))
    return out
