"""Writing files whole or not at all: a temporary file in the same directory, then a rename.

Screenshots, exports and pictures go through here, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile

_UMASK = os.umask(0o022)  # read once at import (umask can only be read by setting it) ...
os.umask(_UMASK)  # ... and put back at once


def write_atomically(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory (OSError if it cannot).

    Text is written as UTF-8; bytes (a PNG) as they are.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".gilviz-", suffix=".tmp", dir=directory)
    try:
        if isinstance(data, str):
            with os.fdopen(fd, "w", encoding="utf-8") as text_file:
                text_file.write(data)
        else:
            with os.fdopen(fd, "wb") as binary_file:
                binary_file.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a saved file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
