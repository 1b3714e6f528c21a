"""PNG screenshots: wide enough for a slide, the same bytes each time, every space where the terminal had it."""

from __future__ import annotations

import io
from pathlib import Path

from gilviz.cli import SCREENSHOT_FORMATS
from gilviz.files import write_atomically
from gilviz.trace import read_trace
from gilviz.ui.app import replay_app
from gilviz.ui.png import MIN_WIDTH, Grid, paint, screen_lines, screen_png
from gilviz.ui.screenshot import FORMATS, render_png
from PIL import Image
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

TRACES = Path(__file__).resolve().parents[2] / "assets" / "traces"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CODE = "for _ in range(n):"  # a line of the threads-cpu lesson's code


def image(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(data)).convert("RGB")


def colours(picture: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many colours the pixels inside ``box`` have (1: background only, no ink)."""
    return len(picture.crop(box).getcolors(maxcolors=1 << 16) or ())


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def page_colour(picture: Image.Image) -> tuple[int, int, int]:
    counts = picture.getcolors(maxcolors=1 << 20)
    assert counts
    return max(counts)[1]


def test_the_cli_and_the_app_offer_the_same_formats():
    assert SCREENSHOT_FORMATS == FORMATS == ("svg", "png")


def test_write_atomically_writes_bytes_as_they_are_and_text_as_utf8(tmp_path):
    write_atomically(str(tmp_path / "a.png"), PNG_SIGNATURE + b"\x00\xff")
    write_atomically(str(tmp_path / "a.txt"), "lost · 56 %\n")
    assert (tmp_path / "a.png").read_bytes() == PNG_SIGNATURE + b"\x00\xff"
    assert (tmp_path / "a.txt").read_bytes() == "lost · 56 %\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a.txt"]  # no temporary left


async def test_the_code_line_keeps_every_space_where_the_terminal_has_it():
    trace = read_trace(str(TRACES / "threads-cpu.jsonl.gz"))
    app = replay_app(trace, at=trace.after_end_s)
    async with app.run_test(size=(150, 46)) as pilot:  # room enough for the lesson's code under the lanes
        await pilot.pause()
        rows = ["".join(text for text, _style, _control in line) for line in screen_lines(app)]
        picture = image(screen_png(app))
    found = [(y, row) for y, row in enumerate(rows) if CODE in row]
    assert found, "the lesson's code is not on the screen:\n" + "\n".join(rows)
    y, row = found[0]
    column = cell_len(row[: row.index(CODE)])
    grid = Grid.for_screen(150, 46)
    assert picture.size == grid.size and picture.size[0] >= MIN_WIDTH
    indent = "    "  # the loop is indented in the lesson's code: those cells are empty too
    assert row[column - len(indent) : column] == indent
    for offset, char in enumerate(indent + CODE, start=column - len(indent)):
        ink = colours(picture, grid.box(offset, y)) > 1
        assert ink == (char != " "), "column %d (%r) of %r" % (offset, char, row)


def test_png_is_wide_enough_deterministic_and_in_the_themes_colours():
    trace = read_trace(str(TRACES / "race-lock-off.jsonl.gz"))
    dark = render_png(trace, 0.3, size=(100, 30), theme="dark")
    assert render_png(trace, 0.3, size=(100, 30), theme="dark") == dark  # same trace, moment, size, theme: same bytes
    light = render_png(trace, 0.3, size=(100, 30), theme="light")
    small = render_png(trace, 0.3, size=(60, 16), theme="dark")
    assert image(dark).size[0] >= MIN_WIDTH and image(small).size[0] >= MIN_WIDTH
    assert luminance(page_colour(image(dark))) < 60
    assert luminance(page_colour(image(light))) > 180


def test_wide_characters_take_two_cells_and_blocks_and_lines_fill_their_cells():
    white, black = (255, 255, 255), (0, 0, 0)
    style = Style(color="#ffffff", bgcolor="#000000")
    text = "a中b█▄──▒ "
    picture = image(paint([[Segment(text, style)]], cell_len(text), 1, default_fg=white, default_bg=black))
    grid = Grid.for_screen(cell_len(text), 1)

    def cell(column: int) -> Image.Image:
        return picture.crop(grid.box(column, 0))

    assert colours(picture, grid.box(1, 0, span=2)) > 1  # 中 in cells 1 and 2
    assert colours(picture, grid.box(3, 0)) > 1  # so b is in cell 3
    assert cell(4).getcolors() == [(grid.cell_width * grid.cell_height, white)]  # █ fills its cell
    lower = cell(5)
    half = grid.cell_height // 2
    assert lower.crop((0, half, grid.cell_width, grid.cell_height)).getcolors() == [(grid.cell_width * half, white)]
    assert lower.crop((0, 0, grid.cell_width, half)).getcolors() == [(grid.cell_width * half, black)]
    middle = grid.cell_height // 2
    line = picture.crop((grid.box(6, 0)[0], grid.margin + middle, grid.box(7, 0)[2], grid.margin + middle + 1))
    assert line.getcolors() == [(2 * grid.cell_width, white)]  # ── joins without a gap
    shade = dict((c, n) for n, c in cell(8).getcolors())
    assert shade[white] == shade[black]  # ▒: half the pixels
    assert cell(9).getcolors() == [(grid.cell_width * grid.cell_height, black)]  # a space: nothing drawn
