"""The sanitiser for outside text: nothing in its output can act on a terminal, an SVG or a reader."""

from __future__ import annotations

from gilviz.outside import NAME_LIMIT, visible, visible_bytes


def test_plain_text_is_kept_as_it_is():
    assert visible("worker-1 · GIL 50%") == "worker-1 · GIL 50%"


def test_escape_sequences_are_shown_not_sent():
    assert visible("\x1b]0;PWNED\x07") == "␛]0;PWNED␇"
    assert visible("\x1b[2J\x1b[H") == "␛[2J␛[H"
    assert visible("a\nb\tc\rd\x7f") == "a␊b␉c␍d␡"


def test_c1_controls_and_bidi_overrides_are_escaped():
    assert visible("\x9b31m") == "\\u009b31m"
    assert visible("abc\u202edef\u2066") == "abc\\u202edef\\u2066"
    assert visible("zero\u200bwidth") == "zero\\u200bwidth"


def test_nothing_control_survives_any_codepoint():
    everything = "".join(chr(c) for c in range(0x0, 0x3001))
    shown = visible(everything, limit=10**6)
    assert all(ch.isprintable() for ch in shown)


def test_length_is_bounded():
    assert visible("x" * 10_000, limit=NAME_LIMIT) == "x" * (NAME_LIMIT - 1) + "…"
    assert len(visible("\x1b" * 100_000, limit=50)) == 50


def test_bytes_that_are_not_utf8_are_shown_escaped():
    assert visible_bytes(b"ok\xff\x1b") == "ok\\xff␛"
