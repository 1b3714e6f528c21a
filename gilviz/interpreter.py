"""Checking that ``--python PATH`` is an interpreter the lab can run on.

The check runs it from an empty folder of its own, so nothing in the user's folder is imported.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

MIN_VERSION = (3, 9)
# Runs under Python 2 too, so that one can be named rather than crash.
_PROBE = (
    "import sys; print('%s %d %d' % (getattr(getattr(sys, 'implementation', None), 'name', 'python2'),"
    " sys.version_info[0], sys.version_info[1]))"
)


class InterpreterError(ValueError):
    """``--python`` names something the lab cannot run on; the message says why."""


def check_python(path: str) -> str:
    """The interpreter's resolved path, or InterpreterError with a one-line reason."""
    found = shutil.which(path)
    if found is None:
        raise InterpreterError("--python %s: no such executable" % path)
    folder = tempfile.mkdtemp(prefix="gilviz-check-")  # -E -s and an empty folder: nothing of the user's shadows what it imports
    try:
        out = subprocess.run([found, "-E", "-s", "-c", _PROBE], capture_output=True, text=True, timeout=20, cwd=folder)
    except (OSError, subprocess.SubprocessError) as exc:
        raise InterpreterError("--python %s: cannot run it (%s)" % (path, exc)) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        raise InterpreterError("--python %s is not a Python interpreter" % path)
    name, version = parts[0], (int(parts[1]), int(parts[2]))
    if version < MIN_VERSION:
        raise InterpreterError(
            "--python %s is Python %d.%d; the lab needs Python %d.%d or newer" % ((path,) + version + MIN_VERSION)
        )
    if name == "python2":
        raise InterpreterError("--python %s is Python 2; the lab needs Python 3.9 or newer" % path)
    return found
