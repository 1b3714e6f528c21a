"""PNG screenshots: the screen's cells painted on a pixel grid with Pillow.

How: the screen is rendered the way Textual's ``App.export_screenshot`` renders it for
its SVG (the compositor's full update, printed into a recording rich ``Console``), which
gives one line of styled segments per terminal row. Every character is one cell of a
fixed grid (a wide one, such as CJK, two). Each cell is painted with its background
colour, then its character in its foreground colour (reverse and dim resolved as rich's
SVG export resolves them), all within the cell:

- letters and symbols from the DejaVu Sans Mono shipped in ``gilviz/ui/fonts`` (bold
  from its bold face), each drawn alone at its own cell's left edge on the row's
  baseline and cut at the cell's edges, so no character drifts or spills into its
  neighbour's cell;
- block elements (``▁``…``█``, ``▏``, ``▚``) as rectangles that fill the cell to its
  edges, and the shades (``░ ▒ ▓``) as a pixel pattern aligned to the whole picture,
  so bars and patches join without seams as in a terminal;
- box-drawing lines (``─ │ └ ┼``, heavy ones too) as rectangles through the cell's
  middle, and rounded corners (``╭ ╮ ╯ ╰``) as arcs drawn four times larger and scaled
  down (smooth edges), so borders are continuous and their corners meet.

Why this and not an SVG renderer on Textual's SVG: that SVG writes each run of text as
one ``<text>`` of ``&#160;`` and letters stretched to a ``textLength``, which rsvg and
Inkscape lay out wrongly (``for_  in range(n)``: spaces lost or moved); resvg gets
them right but leaves gaps in vertical borders and, like every renderer, needs a
monospace font the machine may not have. Here a space is never drawn, so it is always
exactly where the terminal had it; nothing but Pillow and the bundled font is needed
(no system library, no installed font); and the same screen gives the same PNG, byte
for byte (Pillow's basic text layout without shaping, no time stamps in the file).

The picture is at least ``MIN_WIDTH`` pixels wide: cells are 12×24 pixels (a 20 px
font) and larger for terminals of fewer than 100 columns, with a margin of one cell
width in the screen's most common background colour. CJK and other characters that
DejaVu Sans Mono lacks are drawn as its empty box, in the right cells.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from rich.cells import get_character_cell_size
from rich.color import Color, blend_rgb
from rich.color_triplet import ColorTriplet
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import SVG_EXPORT_THEME
from textual.app import App

MIN_WIDTH = 1200  # pixels: wide enough for a slide
FONTS = Path(__file__).resolve().parent / "fonts"
_ADVANCE = 1233 / 2048  # DejaVu Sans Mono's advance width, as a share of the font size

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Grid:
    """Where each cell of a ``columns`` × ``rows`` screen lands in the picture, in pixels."""

    columns: int
    rows: int
    cell_width: int
    cell_height: int
    margin: int

    @classmethod
    def for_screen(cls, columns: int, rows: int) -> Grid:
        cell_width = max(12, math.ceil(MIN_WIDTH / columns))
        return cls(columns, rows, cell_width, 2 * cell_width, cell_width)

    @property
    def size(self) -> tuple[int, int]:
        return (self.columns * self.cell_width + 2 * self.margin, self.rows * self.cell_height + 2 * self.margin)

    @property
    def font_size(self) -> int:
        return round(self.cell_width / _ADVANCE)  # the font whose letters are one cell wide

    def box(self, column: int, row: int, span: int = 1) -> tuple[int, int, int, int]:
        """The cell's pixels: left, top, right, bottom (right and bottom excluded)."""
        left = self.margin + column * self.cell_width
        top = self.margin + row * self.cell_height
        return left, top, left + span * self.cell_width, top + self.cell_height


@dataclass(frozen=True)
class Cell:
    """One character of the screen with its colours resolved."""

    char: str
    fg: RGB
    bg: RGB
    bold: bool = False
    underline: bool = False
    strike: bool = False
    span: int = 1  # 2 for a wide character


def screen_png(app: App) -> bytes:
    """The app's current screen as PNG bytes (the app must be running, headless or not)."""
    width, height = app.size
    screen = app.screen.rich_style  # the screen's own colours: for a segment that leaves its colour unset
    default_fg = _triplet(screen.color, SVG_EXPORT_THEME.foreground_color)
    default_bg = _triplet(screen.bgcolor, SVG_EXPORT_THEME.background_color)
    return paint(screen_lines(app), width, height, default_fg=default_fg, default_bg=default_bg)


def screen_lines(app: App) -> list[list[Segment]]:
    """The screen as rows of styled segments, as ``App.export_screenshot`` renders it."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    segments = list(Segment.filter_control(console._record_buffer))
    return list(Segment.split_and_crop_lines(segments, width, pad=True, include_new_lines=False))[:height]


def _triplet(color: Color | None, default: ColorTriplet) -> RGB:
    triplet = default if color is None or color.is_default else color.get_truecolor(SVG_EXPORT_THEME)
    return (triplet.red, triplet.green, triplet.blue)


def cells(lines: list[list[Segment]], default_fg: RGB, default_bg: RGB) -> list[list[Cell | None]]:
    """Each row's cells, left to right; the second cell of a wide character is None."""
    fallback_fg, fallback_bg = ColorTriplet(*default_fg), ColorTriplet(*default_bg)
    grid: list[list[Cell | None]] = []
    for line in lines:
        row: list[Cell | None] = []
        for text, style, _control in line:
            style = style or Style()
            fg, bg = _triplet(style.color, fallback_fg), _triplet(style.bgcolor, fallback_bg)
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:  # as rich's SVG export: 40% of the way to the background
                dimmed = blend_rgb(ColorTriplet(*fg), ColorTriplet(*bg), 0.4)
                fg = (dimmed.red, dimmed.green, dimmed.blue)
            for char in text:
                span = get_character_cell_size(char)
                if span == 0:  # a combining mark: the font draws none without shaping
                    continue
                row.append(Cell(char, fg, bg, bool(style.bold), bool(style.underline), bool(style.strike), span))
                row.extend([None] * (span - 1))
        grid.append(row)
    return grid


def paint(lines: list[list[Segment]], columns: int, rows: int, *, default_fg: RGB, default_bg: RGB) -> bytes:
    """Paint ``rows`` lines of segments, ``columns`` cells wide, as PNG bytes."""
    grid = Grid.for_screen(columns, rows)
    screen = cells(lines[:rows], default_fg, default_bg)
    page = _most_common_background(screen) or default_bg
    image = Image.new("RGB", grid.size, page)
    painter = _Painter(image, ImageDraw.Draw(image), grid)
    placed = [(cell, grid.box(x, y, cell.span)) for y, row in enumerate(screen) for x, cell in enumerate(row) if cell is not None]
    for cell, box in placed:
        painter.fill(cell.bg, box)
        painter.cell(cell, box)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _most_common_background(screen: list[list[Cell | None]]) -> RGB | None:
    counts = Counter(cell.bg for row in screen for cell in row if cell is not None)
    return min(counts, key=lambda bg: (-counts[bg], bg)) if counts else None  # ties broken by colour: deterministic


# Box drawing: the weight of each arm (up, right, down, left): 1 light, 2 heavy.
_LINES: dict[str, tuple[int, int, int, int]] = {
    "─": (0, 1, 0, 1), "│": (1, 0, 1, 0), "━": (0, 2, 0, 2), "┃": (2, 0, 2, 0),
    "┌": (0, 1, 1, 0), "┐": (0, 0, 1, 1), "└": (1, 1, 0, 0), "┘": (1, 0, 0, 1),
    "┏": (0, 2, 2, 0), "┓": (0, 0, 2, 2), "┗": (2, 2, 0, 0), "┛": (2, 0, 0, 2),
    "├": (1, 1, 1, 0), "┤": (1, 0, 1, 1), "┬": (0, 1, 1, 1), "┴": (1, 1, 0, 1), "┼": (1, 1, 1, 1),
    "┣": (2, 2, 2, 0), "┫": (2, 0, 2, 2), "┳": (0, 2, 2, 2), "┻": (2, 2, 0, 2), "╋": (2, 2, 2, 2),
    "╴": (0, 0, 0, 1), "╵": (1, 0, 0, 0), "╶": (0, 1, 0, 0), "╷": (0, 0, 1, 0),
    "╸": (0, 0, 0, 2), "╹": (2, 0, 0, 0), "╺": (0, 2, 0, 0), "╻": (0, 0, 2, 0),
}  # fmt: skip
_ARCS = "╭╮╯╰"  # rounded corners: right+down, down+left, left+up, up+right
_SHADES = {"░": 1, "▒": 2, "▓": 3}  # quarters of the cell's pixels in the foreground colour
# Quadrants: (upper left, upper right, lower left, lower right).
_QUADRANTS = {
    "▖": (0, 0, 1, 0), "▗": (0, 0, 0, 1), "▘": (1, 0, 0, 0), "▙": (1, 0, 1, 1), "▚": (1, 0, 0, 1),
    "▛": (1, 1, 1, 0), "▜": (1, 1, 0, 1), "▝": (0, 1, 0, 0), "▞": (0, 1, 1, 0), "▟": (0, 1, 1, 1),
}  # fmt: skip
_SPACES = {" ", "\u00a0"}


class _Painter:
    """Draws one cell's foreground: geometry for blocks and lines, a glyph otherwise."""

    def __init__(self, image: Image.Image, draw: ImageDraw.ImageDraw, grid: Grid) -> None:
        self.image, self.draw, self.grid = image, draw, grid
        self.fonts = {bold: _font(grid.font_size, bold) for bold in (False, True)}
        ascent, descent = self.fonts[False].getmetrics()
        self.baseline = (grid.cell_height - ascent - descent) // 2 + ascent  # from the cell's top
        self.line = max(1, round(grid.cell_width / 8))  # a light line's thickness
        self.shade_masks: dict[int, Image.Image] = {}
        self.glyphs: dict[tuple[str, bool, int], Image.Image] = {}

    def cell(self, cell: Cell, box: tuple[int, int, int, int]) -> None:
        char = cell.char
        if char in _LINES:
            self.lines(_LINES[char], cell.fg, box)
        elif char in _ARCS:
            self.arc(char, cell.fg, box)
        elif char in _SHADES:
            self.shade(_SHADES[char], cell.fg, box)
        elif char not in _SPACES and not self.block(char, cell.fg, box):
            self.glyph(cell, box)
        if cell.underline:
            top = box[1] + self.baseline + self.line
            self.fill(cell.fg, (box[0], top, box[2], top + self.line))
        if cell.strike:
            top = box[1] + self.grid.cell_height // 2 - self.line // 2
            self.fill(cell.fg, (box[0], top, box[2], top + self.line))

    def fill(self, color: RGB, box: tuple[int, int, int, int]) -> None:
        """Fill pixels left..right-1, top..bottom-1 (nothing when empty)."""
        left, top, right, bottom = box
        if right > left and bottom > top:
            self.draw.rectangle((left, top, right - 1, bottom - 1), fill=color)

    def block(self, char: str, color: RGB, box: tuple[int, int, int, int]) -> bool:
        """The block elements U+2580..U+2590, U+2594..U+259F as rectangles; False for other characters."""
        left, top, right, bottom = box
        width, height = right - left, bottom - top
        code = ord(char)
        if 0x2581 <= code <= 0x2588:  # lower one eighth .. full block
            self.fill(color, (left, bottom - round(height * (code - 0x2580) / 8), right, bottom))
        elif 0x2589 <= code <= 0x258F:  # left seven eighths .. left one eighth
            self.fill(color, (left, top, left + round(width * (0x2590 - code) / 8), bottom))
        elif char == "▀":
            self.fill(color, (left, top, right, top + height // 2))
        elif char == "▐":
            self.fill(color, (left + width // 2, top, right, bottom))
        elif char == "▔":
            self.fill(color, (left, top, right, top + round(height / 8)))
        elif char == "▕":
            self.fill(color, (right - round(width / 8), top, right, bottom))
        elif char in _QUADRANTS:
            middle_x, middle_y = left + width // 2, top + height // 2
            quarters = [(left, top, middle_x, middle_y), (middle_x, top, right, middle_y)]
            quarters += [(left, middle_y, middle_x, bottom), (middle_x, middle_y, right, bottom)]
            for on, quarter in zip(_QUADRANTS[char], quarters):
                if on:
                    self.fill(color, quarter)
        else:
            return False
        return True

    def bands(self, box: tuple[int, int, int, int], weight: int) -> tuple[int, int, int]:
        """A line's thickness, and where the vertical and the horizontal band of that weight start."""
        left, top, right, bottom = box
        thickness = self.line * weight
        return thickness, left + (right - left - thickness) // 2, top + (bottom - top - thickness) // 2

    def lines(self, arms: tuple[int, int, int, int], color: RGB, box: tuple[int, int, int, int]) -> None:
        left, top, right, bottom = box
        up, rightward, down, leftward = arms
        heaviest = max(arms)
        _, x_center, y_center = self.bands(box, heaviest)  # arms meet inside the heaviest band
        for weight, arm in ((up, "up"), (rightward, "right"), (down, "down"), (leftward, "left")):
            if not weight:
                continue
            thickness, x0, y0 = self.bands(box, weight)
            far = self.line * heaviest
            if arm == "up":
                self.fill(color, (x0, top, x0 + thickness, y_center + far))
            elif arm == "down":
                self.fill(color, (x0, y_center, x0 + thickness, bottom))
            elif arm == "left":
                self.fill(color, (left, y0, x_center + far, y0 + thickness))
            else:
                self.fill(color, (x_center, y0, right, y0 + thickness))

    def arc(self, char: str, color: RGB, box: tuple[int, int, int, int]) -> None:
        mask = _arc_mask(char, box[2] - box[0], box[3] - box[1], self.line)
        self.image.paste(color, box, mask)

    def shade(self, quarters: int, color: RGB, box: tuple[int, int, int, int]) -> None:
        if quarters not in self.shade_masks:
            self.shade_masks[quarters] = _shade_mask(quarters, self.image.size, max(1, self.grid.cell_width // 6))
        self.image.paste(color, box, self.shade_masks[quarters].crop(box))

    def glyph(self, cell: Cell, box: tuple[int, int, int, int]) -> None:
        key = (cell.char, cell.bold, cell.span)
        if key not in self.glyphs:
            self.glyphs[key] = self.glyph_mask(*key)
        self.image.paste(cell.fg, box, self.glyphs[key])

    def glyph_mask(self, char: str, bold: bool, span: int) -> Image.Image:
        """The character's anti-aliased ink within its cell(s): what reaches past them is cut off.

        The font's letters are one cell wide, but a few (``W``, ``_``, ``R``) reach a fraction of a
        pixel further; cut, they leave the next cell, a space, untouched, as in a terminal.
        """
        font = self.fonts[bold]
        mask = Image.new("L", (span * self.grid.cell_width, self.grid.cell_height), 0)
        left = 0
        if span > 1:  # centre a wide character in its cells
            left = max(0, mask.width - round(font.getlength(char))) // 2
        ImageDraw.Draw(mask).text((left, self.baseline), char, font=font, fill=255, anchor="ls")
        return mask


@lru_cache(maxsize=4)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=16)
def _arc_mask(char: str, width: int, height: int, line: int) -> Image.Image:
    """A rounded corner as an anti-aliased mask: drawn four times larger, then scaled down."""
    scale = 4
    big = Image.new("L", (width * scale, height * scale), 0)
    draw = ImageDraw.Draw(big)
    thickness = line * scale
    x0 = (width - line) // 2 * scale  # the vertical band's left edge, as in _Painter.bands
    y0 = (height - line) // 2 * scale
    radius = width // 2 * scale
    right, down = char in "╭╰", char in "╭╮"
    cx = x0 + radius if right else x0 + thickness - radius  # the arc's centre
    cy = y0 + radius if down else y0 + thickness - radius
    start = {"╭": 180, "╮": 270, "╯": 0, "╰": 90}[char]
    draw.arc((cx - radius, cy - radius, cx + radius - 1, cy + radius - 1), start, start + 90, fill=255, width=thickness)
    if right:
        draw.rectangle((cx, y0, width * scale - 1, y0 + thickness - 1), fill=255)
    else:
        draw.rectangle((0, y0, cx - 1, y0 + thickness - 1), fill=255)
    if down:
        draw.rectangle((x0, cy, x0 + thickness - 1, height * scale - 1), fill=255)
    else:
        draw.rectangle((x0, 0, x0 + thickness - 1, cy - 1), fill=255)
    return big.resize((width, height), Image.Resampling.BOX)


def _shade_mask(quarters: int, size: tuple[int, int], unit: int) -> Image.Image:
    """A shade's pattern over the whole picture, so neighbouring cells continue it.

    Squares of ``unit`` pixels: one in four on (░), a checkerboard (▒), three in four (▓).
    """
    width, height = size

    def row(parity: int) -> bytes:
        on = []
        for x in range(width):
            column = (x // unit) % 2
            if quarters == 1:
                lit = parity == 0 and column == 0
            elif quarters == 2:
                lit = column != parity
            else:
                lit = not (parity == 1 and column == 1)
            on.append(255 if lit else 0)
        return bytes(on)

    rows = (row(0), row(1))
    data = b"".join(rows[(y // unit) % 2] for y in range(height))
    return Image.frombytes("L", size, data)
