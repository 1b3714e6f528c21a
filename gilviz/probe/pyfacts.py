"""A running process's interpreter, learned from /proc and its files alone: nothing of it is run.

``gilviz watch --pid`` often runs as root; running the target's interpreter to ask its
version would run that interpreter's ``site`` and every ``.pth`` file of its environment
with root's rights. So the facts come from what the kernel shows and the files hold:

- the executable, from ``/proc/PID/exe``;
- the file holding the runtime (a mapped ``libpython3.X[t].so``, or the executable), from
  ``/proc/PID/maps``: its name gives the version's major and minor and the ``t`` of a
  free-threaded build;
- the exact version from the exported ``Py_Version`` constant (3.11+; its ELF symbol's
  bytes, read from the file), or else the ``PY_VERSION`` string ("3.9.18") in its read-only data;
- a free-threaded build's GIL is off unless the process was started with ``PYTHON_GIL=1``
  (``/proc/PID/environ``) or ``-X gil=1`` (``/proc/PID/cmdline``); a C extension can turn it
  on later, which only the program itself could say.

Every text taken from there is passed through ``visible`` before it is shown.
"""

from __future__ import annotations

import mmap
import os
import re
import stat
import struct

from gilviz.outside import NAME_LIMIT, visible, visible_bytes
from gilviz.probe.gil_address import _LIBPYTHON, _PYTHON_EXE, has_cpython_runtime, interpreter_file, read_maps

_SHT_SYMTAB, _SHT_DYNSYM = 2, 11
_MAX_SYMBOLS = 500_000
_cache: dict[tuple[str, int, int], str | None] = {}


def _open_regular(path: str):
    """The file opened for reading, only when it is a regular file (never a FIFO or a device)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError("%s is not a regular file" % path)
    return os.fdopen(fd, "rb")


def elf_symbol_bytes(data, name: bytes) -> bytes | None:
    """The bytes of an ELF file's defined symbol ``name`` (dynamic symbols first), or None."""
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        shoff, shentsize, shnum = struct.unpack_from(order + "Q10xHH", data, 0x28)
        shdr, sym = order + "IIQQQQIIQQ", order + "IBBHQQ"
    else:
        shoff, shentsize, shnum = struct.unpack_from(order + "I10xHH", data, 0x20)
        shdr, sym = order + "IIIIIIIIII", order + "IIIBBH"
    if not shoff or shoff + shnum * shentsize > len(data):
        return None
    sections = [struct.unpack_from(shdr, data, shoff + i * shentsize) for i in range(shnum)]
    for kind in (_SHT_DYNSYM, _SHT_SYMTAB):
        for sec in sections:
            if sec[1] != kind or not sec[9] or sec[6] >= shnum:
                continue
            strtab = sections[sec[6]]
            for i in range(min(sec[5] // sec[9], _MAX_SYMBOLS)):
                entry = struct.unpack_from(sym, data, sec[4] + i * sec[9])
                if wide:
                    st_name, shndx, value, size = entry[0], entry[3], entry[4], entry[5]
                else:
                    st_name, value, size, shndx = entry[0], entry[1], entry[2], entry[5]
                start = strtab[4] + st_name
                if data[start : start + len(name) + 1] != name + b"\0" or not 0 < shndx < shnum:
                    continue
                home = sections[shndx]
                offset = home[4] + value - home[3]
                if home[1] == 8 or not 0 <= offset <= len(data) - size:  # SHT_NOBITS: no bytes in the file
                    return None
                return bytes(data[offset : offset + size])
    return None


def version_in_file(path: str, major_minor: str | None) -> str | None:
    """The CPython version a libpython or a python executable holds, read, never run (cached per file version)."""
    try:
        with _open_regular(path) as f:
            st = os.fstat(f.fileno())
            key = (path, st.st_ino, int(st.st_mtime))
            if key in _cache:
                return _cache[key]
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                found = _read_version(data, major_minor)
    except (OSError, ValueError, struct.error):
        return None
    _cache[key] = found
    return found


def _read_version(data, major_minor: str | None) -> str | None:
    raw = elf_symbol_bytes(data, b"Py_Version")
    if raw is not None and len(raw) in (4, 8):
        order = "<" if data[5] == 1 else ">"
        hexversion = struct.unpack(order + ("I" if len(raw) == 4 else "Q"), raw)[0]
        major, minor, micro = hexversion >> 24 & 0xFF, hexversion >> 16 & 0xFF, hexversion >> 8 & 0xFF
        if major == 3:
            return "%d.%d.%d" % (major, minor, micro)
    if major_minor is None:
        return None
    # PY_VERSION's bytes; the linker may share them with the end of a longer string (".../versions/3.9.18")
    pattern = re.compile(rb"(?<![\d.])(" + re.escape(major_minor.encode()) + rb"\.\d{1,3})(?:(?:a|b|rc)\d{1,3})?\+?\x00")
    match = pattern.search(data)
    return match.group(1).decode() if match else None


def _gil_asked(pid: int) -> bool:
    """Started with ``PYTHON_GIL=1`` or ``-X gil=1``: a free-threaded build then runs with its GIL."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            if b"PYTHON_GIL=1" in f.read(1 << 20).split(b"\0"):
                return True
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read(1 << 20).split(b"\0")
    except OSError:
        return False
    joined = [a + b for a, b in zip(args, args[1:] + [b""])]
    return b"-Xgil=1" in args or b"-Xgil=1" in joined or any(a == b"-X" and b == b"gil=1" for a, b in zip(args, args[1:]))


def facts_of(pid: int) -> dict:
    """The facts ``python -m gilviz.lab.facts`` would print for ``pid``'s interpreter, from /proc; {} when it is not CPython."""
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
        path = interpreter_file(read_maps(pid), exe)
    except OSError:
        return {}
    if path is None or not has_cpython_runtime(path):
        return {}
    name = os.path.basename(path)
    named = _LIBPYTHON.search(name) or _PYTHON_EXE.search(name)
    major_minor = named.group(1) if named and named.group(1) and "." in named.group(1) else None
    free_threaded = bool(named and named.group(2))
    version = version_in_file(path, major_minor) or major_minor or "?"
    return {
        "implementation": "cpython",
        "version": visible(version, 32),
        "executable": visible_bytes(os.fsencode(exe), NAME_LIMIT),
        "free_threaded_build": free_threaded,
        "gil_enabled": not free_threaded or _gil_asked(pid),
    }
