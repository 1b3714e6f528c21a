"""Text from outside gilviz, made safe to show: the one sanitiser every ingestion point calls.

Thread and process names (the kernel's ``comm``, which any program sets with
``prctl(PR_SET_NAME)``), command lines, executable paths, program output, a trace's text
fields, file paths and error messages all come from outside. They are data: shown, never
obeyed. :func:`visible` turns every character a terminal, an SVG or a JSON reader could act
on into a visible stand-in, once, where the text enters gilviz, and bounds its length:

- C0 controls become their Control Pictures (ESC ``\\x1b`` → ``␛``, BEL → ``␇``, newline →
  ``␊``), DEL becomes ``␡``;
- C1 controls (U+0080–U+009F: CSI, OSC and ST in their 8-bit forms), the bidirectional
  overrides and isolates (the "Trojan Source" characters), zero-width joiners and other
  format characters, lone surrogates and non-characters become ``\\u202e``-style escapes;
- other spaces (no-break, thin, ideographic) become a plain space;
- text longer than the limit is cut, with ``…`` in place of the rest.

Markup is not this module's business: outside text reaches widgets as ``Text``, never as a
markup string (see ``gilviz/ui``). Colour in program output is the one exception to "shown,
not obeyed", and it is handled there, from the raw output, by keeping only SGR sequences.
"""

from __future__ import annotations

import unicodedata

NAME_LIMIT = 256  # a thread or process name, an executable path shown in a row
TEXT_LIMIT = 4096  # a trace's text field, a command line, an error message, an output line

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"  # ␡


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code in _PICTURES:
        return _PICTURES[code]
    category = unicodedata.category(ch)
    if 0x80 <= code <= 0x9F or category in ("Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return "\\u%04x" % code if code <= 0xFFFF else "\\U%08x" % code
    if category == "Zs":
        return " "  # no-break and other wide or thin spaces: one plain space keeps the columns true
    return ch


def _is_plain(text: str) -> bool:
    return text.isprintable() and text.isascii()


def visible(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` as something safe to draw, print or write into a file: no character in it acts."""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > limit * 4:
        text = text[: limit * 4]  # bound the work before the per-character pass
    shown = text if _is_plain(text) else "".join(_stand_in(ch) for ch in text)
    if len(shown) > limit:
        shown = shown[: max(limit - 1, 0)] + "…"
    return shown


def visible_bytes(data: bytes, limit: int = TEXT_LIMIT) -> str:
    """Bytes from outside (a ``comm``, a command line from /proc) as :func:`visible` text."""
    return visible(data.decode("utf-8", "backslashreplace"), limit)
