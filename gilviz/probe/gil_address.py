"""Which futex addresses are the GIL's: the interpreter's static data, from /proc/PID/maps.

CPython keeps its runtime state, the GIL's mutex and condition variables among it, in
static data: ``_PyRuntime`` lives in the writable mapping of libpython (3.11–3.13 here)
or, on 3.9, in the anonymous mapping right after it (the .bss); a statically linked
python (Debian's /usr/bin/python3) has it in the executable's own mappings. A
``threading.Lock``, ``Condition``, ``Event``, ``queue.Queue`` or ``Thread.join`` waits on
a lock allocated at run time: heap or anonymous memory. So a futex wait on an address
inside the interpreter's static data is a wait for the GIL, and any other is a wait on
a lock. Measured on CPython 3.9, 3.11, 3.12 and 3.13 (docs/measurements.md).

A process whose interpreter is not CPython (PyPy, a shell, a C program) gets no ranges
and a reason: its futex waits are shown as "blocked (futex)", never guessed. A
free-threaded build with the GIL disabled gets empty ranges: it has no GIL to wait for.
"""

from __future__ import annotations

import mmap
import os
import re
from typing import NamedTuple

from gilviz.outside import NAME_LIMIT, visible

_LIBPYTHON = re.compile(r"libpython(\d+\.\d+)(t?)\.so")
_PYTHON_EXE = re.compile(r"python(\d+(?:\.\d+)?)?(t?)$")
_MARKER = b"_PyRuntime"  # a symbol every CPython 3.7+ exports; PyPy and non-Python programs do not


class GilLocation(NamedTuple):
    """Where a process's GIL lives, or why it cannot be told."""

    ranges: tuple[tuple[int, int], ...] | None  # None: unknown; (): there is no GIL
    detail: str  # one line for the header and the JSON

    @property
    def known(self) -> bool:
        return self.ranges is not None


class Mapping(NamedTuple):
    start: int
    end: int
    perms: str
    inode: int
    path: str


def read_maps(pid: int) -> list[Mapping]:
    """The process's mappings (OSError if it is gone or not ours to read)."""
    out = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) < 5:
                continue
            start, _, end = parts[0].partition("-")
            path = parts[5].strip() if len(parts) > 5 else ""
            out.append(Mapping(int(start, 16), int(end, 16), parts[1], int(parts[4]), path))
    return out


def interpreter_file(maps: list[Mapping], exe: str) -> str | None:
    """The file holding CPython's runtime: a mapped libpython, else the executable itself."""
    for m in maps:
        if _LIBPYTHON.search(os.path.basename(m.path)):
            return m.path
    if any(m.path == exe for m in maps):
        return exe
    return None


def static_ranges(maps: list[Mapping], path: str) -> tuple[tuple[int, int], ...]:
    """The file's writable mappings, each with the anonymous mapping that directly follows it (its .bss)."""
    ranges = []
    for i, m in enumerate(maps):
        if m.path != path or "w" not in m.perms:
            continue
        end = m.end
        after = maps[i + 1] if i + 1 < len(maps) else None
        if after is not None and after.start == m.end and after.inode == 0 and not after.path:
            end = after.end
        ranges.append((m.start, end))
    return tuple(ranges)


_marker_cache: dict[tuple[str, int, int], bool] = {}


def has_cpython_runtime(path: str) -> bool:
    """True when the file exports CPython's ``_PyRuntime`` (read once per file version)."""
    try:
        st = os.stat(path)
        key = (path, st.st_ino, int(st.st_mtime))
        if key not in _marker_cache:
            with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                _marker_cache[key] = data.find(_MARKER) >= 0
        return _marker_cache[key]
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return False


def free_threaded_name(path: str) -> bool:
    """``libpython3.13t.so`` or ``python3.13t``: a free-threaded build, by its file name."""
    name = os.path.basename(path)
    m = _LIBPYTHON.search(name) or _PYTHON_EXE.search(name)
    return bool(m and m.group(2))


def locate_gil(pid: int, *, gil_enabled: bool | None = None) -> GilLocation:
    """Where ``pid``'s GIL is. ``gil_enabled`` is the interpreter's own word when known (the lab says it)."""
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
        maps = read_maps(pid)
    except OSError as exc:
        return GilLocation(None, "cannot read /proc/%d/maps (%s)" % (pid, exc.strerror or exc))
    path = interpreter_file(maps, exe)
    if path is None or not has_cpython_runtime(path):
        name = visible(os.path.basename(exe), NAME_LIMIT)  # a file name is outside text
        return GilLocation(None, "%s is not CPython: GIL and lock waits look alike" % name)
    free_threaded = free_threaded_name(path)
    if gil_enabled is None:
        gil_enabled = not free_threaded or gil_reenabled(pid)
    if not gil_enabled:
        return GilLocation((), "free-threaded, GIL disabled: no GIL to wait for")
    ranges = static_ranges(maps, path)
    if not ranges:
        return GilLocation(None, "no writable mapping of %s" % visible(os.path.basename(path), NAME_LIMIT))
    where = "GIL = a futex in %s's static data" % visible(os.path.basename(path), NAME_LIMIT)
    return GilLocation(ranges, ("free-threaded, GIL re-enabled; " if free_threaded else "") + where)


def gil_reenabled(pid: int) -> bool:
    """A free-threaded program told to run with the GIL (``PYTHON_GIL=1`` in its environment; an
    extension that re-enables it at run time is seen only by the lab, which asks the interpreter)."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return b"PYTHON_GIL=1" in f.read().split(b"\0")
    except OSError:
        return False


def in_ranges(address: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= address < hi for lo, hi in ranges)
