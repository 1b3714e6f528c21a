"""What a trace line may hold: one table row per record field, with bounds (no textual).

A trace is outside input (anyone can hand one over), so each line ``gilviz.trace_file`` reads
is checked before it is trusted:

- each record kind has a table, ``RECORDS``: field -> (check, required), and the objects
  inside records that gilviz reads field by field have one too (``NESTED``). Times are whole
  nanoseconds in [0, ``MAX_NS``], seconds are finite and non-negative, ``cores`` at most
  ``MAX_CORES``, ``bin_s`` in [0.001, 1], strings at most ``TEXT_LIMIT`` characters, lists at
  most ``MAX_LIST`` items, and any other field or nested value is bounded the same way;
  ``RELATIONS`` holds the checks between fields (an interval's ``t0 <= t1 <= t``). A new
  record kind or field is one row;
- every string read goes through :func:`gilviz.outside.visible` (shown, never obeyed).

A check returns what is wrong, in words, or None; ``gilviz.trace`` turns it into a
``TraceError`` naming the file and the line.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from gilviz.lab.scenarios import SCENARIOS
from gilviz.outside import TEXT_LIMIT, visible

MAX_LIST = 4096
MAX_CORES = 4096
MAX_NS = 30 * 86_400 * 10**9  # 30 days: longer than any recording
MAX_SECONDS = MAX_NS / 1e9
MAX_INT = 2**63 - 1
BIN_S = (0.001, 1.0)


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
    "gilstate": {"t": (NS, REQUIRED), "pid": (COUNT, REQUIRED), "readable": (flag, REQUIRED), "detail": (text, REQUIRED)},
    "gilread": {
        "t": (NS, REQUIRED),
        "pid": (COUNT, REQUIRED),
        "at": (NS, REQUIRED),
        "locked": (flag, REQUIRED),
        "n": (COUNT, REQUIRED),
        "interval_us": (_int(0, 10**9, "a switch interval in microseconds, at most 1000 s"), REQUIRED),
        "holder": (SLOT, OPTIONAL),
        "call": (text, OPTIONAL),
    },
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
        "python": (obj, OPTIONAL),
    },
}

AMOUNT = _number(0, 1e18, "a finite non-negative number")
KINDS: dict[str, Check] = {"count": COUNT, "signed": SIGNED, "flag": flag, "seconds": SECONDS, "amount": AMOUNT}
KINDS.update({"object": obj, "text": text})


def _kind(name: str) -> Check:
    """A lesson's kind of field (``Lesson.result_fields``) as its check: "count", "seconds or none"..."""
    return _or_none(KINDS[name[: -len(" or none")]]) if name.endswith(" or none") else KINDS[name]


# Each lesson's own figures in a run's result, as the lesson says they are.
LESSON_FIELDS: dict[tuple[str, ...], dict[str, tuple[Check, bool]]] = {
    ("end", "result", *path): {key: (_kind(kind), required) for key, (kind, required) in fields.items()}
    for lesson in SCENARIOS
    for path, fields in lesson.result_fields().items()
}

# Objects inside records that the rest of gilviz reads field by field (a path of keys): the same kind of table.
NESTED: dict[tuple[str, ...], dict[str, tuple[Check, bool]]] = {
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
        "event": (text, OPTIONAL),
        **{path[2]: (obj, OPTIONAL) for path in LESSON_FIELDS if len(path) == 3},  # each lesson's own figures
    },
    **LESSON_FIELDS,
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
    "gilread": lambda e: None if e["at"] <= e["t"] else "a GIL reading read after it is written",
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
    for (record, *path), table in NESTED.items():  # parents before children: each parent's table checked its type
        inner: Any = event if record == kind else None
        for key in path:
            inner = inner.get(key) if type(inner) is dict else None
        if type(inner) is dict:
            problem = check_fields(inner, table, "%s's %s" % (what, ".".join(path)))
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
