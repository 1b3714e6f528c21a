"""What interpreter this is: ``python -m gilviz.lab.facts`` prints it as JSON (standard library only).

The lab says it in its hello, so the header can name its interpreter and whether its GIL
is enabled. A watched program's interpreter is never asked this way (that would run its
``site`` and ``.pth`` files): ``gilviz.probe.pyfacts`` reads the same facts from /proc.
The GIL state is the interpreter's default here: an extension module can re-enable the
GIL of a free-threaded build later, in the program itself.
"""

import json
import sys
import sysconfig

IMPLEMENTATION_NAMES = {"cpython": "CPython", "pypy": "PyPy"}


def implementation_name(name):
    """How an interpreter's ``sys.implementation.name`` is written for a reader: cpython -> CPython."""
    return IMPLEMENTATION_NAMES.get(name, name)


def interpreter_facts() -> dict:
    gil_check = getattr(sys, "_is_gil_enabled", None)
    free_threaded_build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {
        "implementation": sys.implementation.name,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "free_threaded_build": free_threaded_build,
        "gil_enabled": bool(gil_check()) if gil_check else True,
        "switch_interval_s": sys.getswitchinterval(),
    }


if __name__ == "__main__":
    print(json.dumps(interpreter_facts()))
