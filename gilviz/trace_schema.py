"""What a trace file may hold, and its limits: one table row per record field (layer: engine, no textual).

A trace is outside input (anyone can hand one over), so reading one is bounded before it
is trusted:

- only a regular file (not a device such as ``/dev/zero``, a pipe or a directory), at most
  ``MAX_FILE_BYTES`` on disk and ``MAX_DATA_BYTES`` once decompressed, read a line at a time
  (a gzip file's size is counted, decompressing in C, before a line is parsed: a gzip bomb
  stops at the cap), at most ``MAX_LINES`` lines, none over ``MAX_LINE_BYTES``;
- a line's bracket depth is counted before ``json.loads`` sees it (at most ``MAX_DEPTH``), and
  NaN and Infinity are not JSON here;
- each record kind has a table, ``RECORDS``: field -> (check, required). Times are whole
  nanoseconds in [0, ``MAX_NS``], seconds are finite and non-negative, ``cores`` at most
  ``MAX_CORES``, ``bin_s`` in [0.001, 1], strings at most ``TEXT_LIMIT`` characters, lists at
  most ``MAX_LIST`` items; ``RELATIONS`` holds the checks between fields (an interval's
  ``t0 <= t1 <= t``). A new record kind or field is one row;
- every string read goes through :func:`gilviz.outside.visible` (shown, never obeyed).

Each failure is a ``TraceError`` whose one line names the file and the line.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import stat
import zlib
from collections.abc import Iterator
from typing import Any, Callable, Optional

from gilviz.outside import TEXT_LIMIT, visible

MAX_FILE_BYTES = 64 << 20
MAX_DATA_BYTES = 64 << 20
MAX_LINE_BYTES = 1 << 20
MAX_LINES = 600_000  # at ~10 µs a line to read and check: seconds, not minutes
MAX_DEPTH = 32
MAX_LIST = 4096
MAX_CORES = 4096
MAX_NS = 30 * 86_400 * 10**9  # 30 days: longer than any recording
MAX_SECONDS = MAX_NS / 1e9
MAX_INT = 2**63 - 1
BIN_S = (0.001, 1.0)


class TraceError(Exception):
    """A trace that cannot be read: the message names the file, the line and what is wrong."""


def fail(path: str, line: int, message: str) -> TraceError:
    return TraceError("%s, line %d: %s" % (visible(path), line, message))


# -- checks: each gives what a value should have been, or None when it is right ------------------------------

Check = Callable[[Any], Optional[str]]


def _int(low: int, high: int, what: str) -> Check:
    def check(value: Any) -> str | None:
        if type(value) is not int or not low <= value <= high:
            return what
        return None

    return check


def _number(low: float, high: float, what: str) -> Check:
    def check(value: Any) -> str | None:
        if type(value) not in (int, float) or not low <= value <= high:  # NaN and inf fail the comparison
            return what
        return None

    return check


def _list_of(item: Check, longest: int) -> Check:
    def check(value: Any) -> str | None:
        if type(value) is not list or len(value) > longest:
            return "a list of at most %d items" % longest
        for x in value:
            if item(x) is not None:
                return "a list of %s" % item(x)
        return None

    return check


_NUMERIC = {int, float}


def _numbers(low: float, high: float, longest: int, what: str) -> Check:
    """A list of numbers: checked with built-ins, as most lines hold one (NaN and inf cannot be parsed here)."""

    def check(value: Any) -> str | None:
        if type(value) is not list or len(value) > longest:
            return "a list of at most %d %s" % (longest, what)
        if value and not (set(map(type, value)) <= _NUMERIC and low <= min(value) and max(value) <= high):
            return "a list of %s" % what
        return None

    return check


def _or_none(check: Check) -> Check:
    def either(value: Any) -> str | None:
        problem = check(value) if value is not None else None
        return None if problem is None else problem + " or null"

    return either


def text(value: Any) -> str | None:
    return None if type(value) is str and len(value) <= TEXT_LIMIT else "text of at most %d characters" % TEXT_LIMIT


def flag(value: Any) -> str | None:
    return None if type(value) is bool else "true or false"


def obj(value: Any) -> str | None:
    return None if type(value) is dict else "a JSON object"


NS = _int(0, MAX_NS, "whole nanoseconds from 0 to 30 days")
COUNT = _int(0, MAX_INT, "a whole number from 0 to 2**63-1")
SIGNED = _int(-MAX_INT, MAX_INT, "a whole number")
SLOT = _int(0, 2**31, "a slot number from 0 to 2**31")
CODE = _int(0, 1000, "a code from 0 to 1000")
SECONDS = _number(0, MAX_SECONDS, "finite seconds from 0 to 30 days")
CORES = _int(1, MAX_CORES, "a number of cores from 1 to %d" % MAX_CORES)
BIN = _number(*BIN_S, "a bin width from 0.001 to 1 seconds")
PERCENTS = _numbers(0, 100, MAX_CORES, "percentages from 0 to 100")
SHARES = _numbers(0, 1e6, MAX_CORES, "finite non-negative numbers")
STATE_TIMES = _numbers(0, MAX_SECONDS, 64, "finite seconds from 0 to 30 days")
REQUIRED, OPTIONAL = True, False

HEADER: dict[str, tuple[Check, bool]] = {
    "format": (text, REQUIRED),
    "version": (_int(1, 1000, "a format version"), REQUIRED),
    "gilviz": (text, OPTIONAL),
    "recorded_at": (text, OPTIONAL),
    "host": (obj, OPTIONAL),
}

RECORDS: dict[str, dict[str, tuple[Check, bool]]] = {
    "run": {
        "t": (NS, REQUIRED),
        "config": (obj, REQUIRED),
        "python": (obj, REQUIRED),
        "cores": (CORES, REQUIRED),
        "bin_s": (BIN, OPTIONAL),
        "coarse": (flag, OPTIONAL),
        "as_baseline": (flag, OPTIONAL),
    },
    "window": {"t": (NS, REQUIRED), "start": (NS, REQUIRED), "end": (NS, REQUIRED)},
    "lane": {
        "t": (NS, REQUIRED),
        "slot": (SLOT, REQUIRED),
        "pid": (COUNT, REQUIRED),
        "tid": (COUNT, REQUIRED),
        "kind": (CODE, REQUIRED),
        "role": (CODE, REQUIRED),
        "phase": (CODE, REQUIRED),
        "done": (COUNT, REQUIRED),
        "total": (COUNT, REQUIRED),
        "count": (COUNT, REQUIRED),
        "name": (text, REQUIRED),
        "note": (text, REQUIRED),
        "born": (NS, OPTIONAL),
    },
    "iv": {
        "t": (NS, REQUIRED),
        "slot": (SLOT, REQUIRED),
        "t0": (NS, REQUIRED),
        "t1": (NS, REQUIRED),
        "times": (STATE_TIMES, REQUIRED),
        "wait": (text, OPTIONAL),
        "dis": (SECONDS, OPTIONAL),
    },
    "sw": {"t": (NS, REQUIRED), "slot": (SLOT, REQUIRED), "at": (NS, REQUIRED), "n": (COUNT, REQUIRED)},
    "cpu": {"t": (NS, REQUIRED), "percents": (PERCENTS, REQUIRED)},
    "gil": {"t": (NS, REQUIRED), "pid": (COUNT, REQUIRED), "detail": (text, REQUIRED), "known": (flag, REQUIRED)},
    "denied": {"t": (NS, REQUIRED)},
    "end": {
        "t": (NS, REQUIRED),
        "result": (obj, OPTIONAL),
        "error": (text, OPTIONAL),
        "core_busy": (SHARES, OPTIONAL),
        "sampler_cpu_s": (SECONDS, OPTIONAL),
        "sampler_ticks": (COUNT, OPTIONAL),
        "sampler_calm_ticks": (COUNT, OPTIONAL),
        "sampler_interval_s": (SECONDS, OPTIONAL),
        "sampler_calm_interval_s": (SECONDS, OPTIONAL),
        "watched": (flag, OPTIONAL),
        "machine": (obj, OPTIONAL),
    },
}

# Objects inside records that the rest of gilviz reads field by field: the same kind of table.
NESTED: dict[tuple[str, str], dict[str, tuple[Check, bool]]] = {
    ("run", "python"): {
        "implementation": (text, OPTIONAL),
        "version": (text, OPTIONAL),
        "executable": (text, OPTIONAL),
        "free_threaded_build": (flag, OPTIONAL),
        "gil_enabled": (flag, OPTIONAL),
        "switch_interval_s": (SECONDS, OPTIONAL),
    },
    ("end", "result"): {
        "wall_s": (SECONDS, REQUIRED),
        "t_start_ns": (COUNT, REQUIRED),
        "t_end_ns": (COUNT, REQUIRED),
        "cancelled": (flag, OPTIONAL),
        "failed": (_list_of(text, MAX_LIST), OPTIONAL),
        "switch_interval_s": (SECONDS, OPTIONAL),
        "gil_enabled": (flag, OPTIONAL),
        "parts_s": (_numbers(0, MAX_SECONDS, MAX_LIST, "finite seconds"), OPTIONAL),
        "pid": (_or_none(COUNT), OPTIONAL),
        "exit_code": (_or_none(SIGNED), OPTIONAL),
        "signal": (_or_none(SIGNED), OPTIONAL),
    },
}


def _interval(event: dict) -> str | None:
    if not event["t0"] <= event["t1"] <= event["t"]:
        return "an interval must have t0 <= t1 <= t (it ends before it is written)"
    return None


def _window(event: dict) -> str | None:
    if event["start"] > event["t"] or event["end"] > event["t"] or (event["end"] and event["end"] < event["start"]):
        return "a window must start before it ends, and both before t"
    return None


def _end(event: dict) -> str | None:
    return None if "result" in event or "error" in event else "an 'end' event needs a result or an error"


RELATIONS: dict[str, Callable[[dict], str | None]] = {
    "iv": _interval,
    "sw": lambda e: None if e["at"] <= e["t"] else "a switch count read after it is written",
    "lane": lambda e: None if e.get("born", 0) <= e["t"] else "a thread born after it is written",
    "window": _window,
    "end": _end,
}


def check_fields(event: dict, table: dict[str, tuple[Check, bool]], what: str) -> str | None:
    """What is wrong with ``event`` by ``table`` (None: nothing); its texts are made visible in place."""
    for key, (check, required) in table.items():
        if key not in event:
            if required:
                return "%s without %r" % (what, key)
            continue
        problem = check(event[key])
        if problem is not None:
            return "%s whose %r is %s, not %s" % (what, key, visible(repr(event[key]), 40), problem)
        if check is text and not (event[key].isascii() and event[key].isprintable()):
            event[key] = visible(event[key])
        elif check is obj:  # a nested object: its strings, lists and numbers bounded, its texts visible
            problem = bounded(event[key], "%s's %r" % (what, key))
            if problem is not None:
                return problem
            event[key] = _visible_all(event[key])
    for key in event.keys() - table.keys():
        problem = bounded(event[key], what + " field %s" % visible(repr(key), 64))
        if problem is not None:
            return problem
        event[key] = _visible_all(event[key])
    return None


def check_record(event: dict) -> str | None:
    """What is wrong with one record line (a dict with an ``ev`` the table knows), or None."""
    kind = event["ev"]
    what = "a %r event" % kind
    problem = check_fields(event, RECORDS[kind], what)
    if problem is not None:
        return problem
    for (record, key), table in NESTED.items():
        if record == kind and key in event:
            problem = check_fields(event[key], table, "%s's %r" % (what, key))
            if problem is not None:
                return problem
    relation = RELATIONS.get(kind)
    return relation(event) if relation is not None else None


def bounded(value: Any, what: str) -> str | None:
    """Any JSON value: its strings, lists, objects and numbers within the limits (depth was checked on the raw line)."""
    if type(value) is str:
        return None if len(value) <= TEXT_LIMIT else "%s holds text longer than %d characters" % (what, TEXT_LIMIT)
    if type(value) is float:
        return None if math.isfinite(value) else "%s holds a number that is not finite" % what
    if type(value) is int:
        return None if -MAX_INT <= value <= MAX_INT else "%s holds a whole number past 2**63" % what
    if type(value) in (list, dict):
        if len(value) > MAX_LIST:
            return "%s holds more than %d items" % (what, MAX_LIST)
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            if type(key) is str and len(key) > TEXT_LIMIT:
                return "%s holds a key longer than %d characters" % (what, TEXT_LIMIT)
            problem = bounded(item, what)
            if problem is not None:
                return problem
    return None


def _visible_all(value: Any) -> Any:
    if type(value) is str:
        return visible(value)
    if type(value) is list:
        return [_visible_all(x) for x in value]
    if type(value) is dict:
        return {visible(k, 256): _visible_all(v) for k, v in value.items()}
    return value


# -- reading lines ---------------------------------------------------------------------------

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
