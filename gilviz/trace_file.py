"""Reading a trace file safely: regular files only, sizes capped, lines parsed within bounds.

- only a regular file (not a device such as ``/dev/zero``, a pipe or a directory): checked with
  ``stat`` before a non-blocking open and with ``fstat`` after it, so a pipe swapped in cannot
  hang the open;
- at most ``MAX_FILE_BYTES`` on disk, ``MAX_DATA_BYTES`` and ``MAX_LINES`` once decompressed
  (a gzip file's size is counted, decompressing in C, before a line is parsed: a gzip bomb
  stops at the cap), no line over ``MAX_LINE_BYTES``, read a line at a time;
- a line's bracket depth is counted before ``json.loads`` sees it (at most ``MAX_DEPTH``), and
  NaN and Infinity are not JSON here.

What the lines may hold is ``gilviz.trace_schema``'s business. Each failure is a
``TraceError`` whose one line names the file (made visible) and the line.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from typing import Any

from gilviz.outside import visible

MAX_FILE_BYTES = 64 << 20
MAX_DATA_BYTES = 64 << 20
MAX_LINE_BYTES = 1 << 20
MAX_LINES = 600_000  # at ~10-15 µs a line to read and check: seconds, not minutes
MAX_DEPTH = 32


class TraceError(Exception):
    """A trace that cannot be read: the message names the file, the line and what is wrong."""


def fail(path: str, line: int, message: str) -> TraceError:
    return TraceError("%s, line %d: %s" % (visible(path), line, message))


_SPECIAL = re.compile(rb'[\[\]{}"\\]')


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when brackets nest deeper than ``limit`` outside strings: counted before a parser recurses."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # the usual line: too few brackets to be deep
    depth, in_string, skip_to = 0, False, -1
    for match in _SPECIAL.finditer(raw):
        pos = match.start()
        if pos < skip_to:
            continue  # the character after a backslash, inside a string
        ch = raw[pos]
        if in_string:
            if ch == 0x5C:
                skip_to = pos + 2
            elif ch == 0x22:
                in_string = False
        elif ch == 0x22:
            in_string = True
        elif ch in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif ch in (0x5D, 0x7D):
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise ValueError("%s is not a number a trace may hold" % name)


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def parse(path: str, number: int, raw: bytes) -> dict:
    """One line as a JSON object, within the nesting limit."""
    if too_deep(raw):
        raise fail(path, number, "nested deeper than %d levels (not a gilviz trace)" % MAX_DEPTH)
    try:
        event = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise fail(path, number, "not JSON (the file is corrupt)") from None
    if not isinstance(event, dict):
        raise fail(path, number, "not a JSON object (the file is corrupt)")
    return event


def _open_regular(path: str):
    """The file, opened for reading, when it is a regular file within the size cap."""
    shown = visible(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise TraceError("cannot read %s: %s" % (shown, exc.strerror or exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise TraceError("cannot read %s: it is a directory, not a trace file" % shown)
    if not stat.S_ISREG(info.st_mode):
        raise TraceError("cannot read %s: not a regular file (a device, a pipe or a socket is never a trace)" % shown)
    if info.st_size > MAX_FILE_BYTES:
        raise TraceError("%s is %d MB: a trace may be at most %d MB" % (shown, info.st_size >> 20, MAX_FILE_BYTES >> 20))
    try:  # non-blocking: a pipe put in its place since the stat must not hang the open
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise TraceError("cannot read %s: %s" % (shown, exc.strerror or exc)) from None
    f = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise TraceError("cannot read %s: not a regular file" % shown)
    return f


def _check_unpacked_size(path: str, f: Any) -> None:
    total = 0
    try:
        with gzip.GzipFile(fileobj=f, mode="rb") as unpacked:
            while True:
                chunk = unpacked.read(1 << 20)
                if not chunk:
                    return
                total += len(chunk)
                if total > MAX_DATA_BYTES:
                    raise TraceError(
                        "%s decompresses to more than %d MB: larger than a trace may be" % (visible(path), MAX_DATA_BYTES >> 20)
                    )
    except (OSError, EOFError, zlib.error):
        raise TraceError("%s: a gzip file that is corrupt or truncated" % visible(path)) from None


def lines(path: str) -> Iterator[tuple[int, bytes]]:
    """Each line of the trace at ``path`` with its number (from 1), decompressed as it is read; TraceError when not."""
    with _open_regular(path) as f:
        packed = f.read(2) == b"\x1f\x8b"
        f.seek(0)
        if packed:
            _check_unpacked_size(path, f)  # a gzip bomb stops here, in C, before a line is parsed
            f.seek(0)
        stream = gzip.GzipFile(fileobj=f, mode="rb") if packed else f
        number = total = 0
        while True:
            try:
                raw = stream.readline(MAX_LINE_BYTES + 1)
            except (OSError, EOFError, zlib.error):
                raise fail(path, number + 1, "a gzip file that is corrupt or truncated") from None
            if not raw:
                return
            number += 1
            total += len(raw)
            if total > MAX_DATA_BYTES or number > MAX_LINES:
                too_big = "more than %d MB or %d lines of trace" % (MAX_DATA_BYTES >> 20, MAX_LINES)
                raise fail(path, number, too_big + ": larger than a trace may be")
            if not raw.endswith(b"\n"):
                if len(raw) > MAX_LINE_BYTES:
                    raise fail(path, number, "a line longer than %d MB (not a gilviz trace)" % (MAX_LINE_BYTES >> 20))
                raise fail(path, number, "the last line is cut short: the file is truncated (was the recording interrupted?)")
            yield number, raw
