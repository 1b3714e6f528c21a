"""The layers of DESIGN.md: the engine never imports textual; the lab only the standard library."""

import json
import subprocess
import sys

ENGINE = [
    "gilviz.lab",
    "gilviz.lab.__main__",
    "gilviz.lab.drivers",
    "gilviz.lab.board",
    "gilviz.lab.scenarios",
    "gilviz.probe.sampler",
    "gilviz.timeline",
    "gilviz.trace",
    "gilviz.measure",
    "gilviz.report",
    "gilviz.figures",
    "gilviz.explain",
    "gilviz.bench",
    "gilviz.cli",
]
LAB = [
    "gilviz.lab",
    "gilviz.lab.__main__",
    "gilviz.lab.drivers",
    "gilviz.lab.board",
    "gilviz.lab.scenarios",
    "gilviz.lab.textbook",
    "gilviz.lab.waits",
    "gilviz.lab.convoy",
    "gilviz.lab.starts",
]


def imported_after(modules):
    code = (
        "import sys, json, importlib\n"
        "before = set(sys.modules)\n"
        "for m in %r: importlib.import_module(m)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))" % (modules,)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_engine_never_imports_textual():
    mods = imported_after(ENGINE)
    assert not [m for m in mods if m.split(".")[0] in ("textual", "rich")]


def test_lab_imports_only_the_standard_library():
    mods = imported_after(LAB)
    outside = [m for m in mods if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "gilviz"]
    assert outside == []


def test_package_init_imports_nothing():
    mods = imported_after(["gilviz"])
    assert mods == ["gilviz"]
