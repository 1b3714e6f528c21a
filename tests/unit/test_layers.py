"""The layers of docs/architecture.md, for every module: who may import whom, and no import cycles.

- ``gilviz/lab/`` imports only the standard library (and itself): it runs under any CPython >= 3.9.
- Nothing outside ``gilviz/ui/`` imports textual or rich, except ``cli``'s lazy imports of the UI.
- Each folder or module imports only the layers below it (ALLOWED), read from the source
  with ``ast`` (module-level and function-level imports alike), so a new module is covered
  the day it is added.
- Module-level imports form no cycle; inside the lab, imports inside functions count too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gilviz"

# layer -> the gilviz layers it may import. A layer is a folder (lab, probe, sources, ui, cli) or a top-level module.
ALLOWED = {
    "lab": set(),
    "outside": set(),
    "speedup": {"outside"},
    "noise": {"outside"},
    "states": {"outside"},
    "files": {"outside"},
    "interpreter": {"outside"},
    "probe": {"outside", "noise", "lab", "states", "timeline"},
    "gil_figures": {"outside"},
    "gil_json": {"outside", "gil_figures", "timeline", "lab"},
    "timeline": {"outside", "lab", "states", "gil_figures", "retired", "window_times"},
    "retired": {"outside", "states"},
    "window_times": {"states"},
    "thread_table": {"outside", "lab", "states", "timeline", "retired"},
    "labproc": {"outside", "lab"},
    "model": {"outside", "noise", "states", "lab", "timeline", "speedup", "figures"},
    "figures": {"outside", "noise", "lab", "model", "speedup"},
    "explain": {"outside", "noise", "states", "lab", "model", "figures", "probe", "timeline"},
    "trace_schema": {"outside", "lab"},
    "trace_file": {"outside"},
    "trace_format": {"lab", "model"},
    "trace_migrate": {"states"},
    "trace_writer": {"outside", "noise", "states", "lab", "model", "timeline", "trace_format"},
    "pending_intervals": {"timeline"},
    "trace": {"outside", "noise", "states", "lab", "model", "probe", "timeline", "trace_file", "trace_schema"}
    | {"trace_format", "trace_migrate", "trace_writer", "pending_intervals"},
    "departs": {"outside", "noise", "states", "lab", "model", "figures", "probe", "timeline", "explain"},
    "measure": {"outside", "noise", "states", "lab", "labproc", "model", "probe", "timeline", "trace"},
    "watch": {"outside", "measure", "noise", "states", "lab", "labproc", "model", "probe", "timeline", "trace"},
    "machine_text": {"outside", "noise", "model"},
    "report": {
        "machine_text",
        "outside",
        "noise",
        "speedup",
        "states",
        "lab",
        "model",
        "probe",
        "timeline",
        "figures",
        "explain",
        "thread_table",
        "gil_json",
        "lane_fold",
    },
    "lane_fold": {"states", "lab", "timeline", "retired", "thread_table"},
    "parked": {"outside", "noise", "states", "lab", "model", "timeline", "watch"},
    "formats": {"chrome_trace", "trace"},
    "chrome_trace": {"outside", "noise", "states", "lab", "model", "probe", "timeline", "trace"},
    "bench": {"outside", "noise", "speedup", "states", "lab", "measure", "model", "report", "figures", "probe", "timeline"}
    | {"gil_cost"},
    "gil_cost": {"outside", "probe", "timeline"},
    "sources": {"outside", "noise", "states", "lab", "measure", "model", "probe", "timeline", "trace", "watch"},
    "ui": {
        "outside",
        "retired",
        "noise",
        "states",
        "lab",
        "model",
        "probe",
        "timeline",
        "trace",
        "files",
        "report",
        "sources",
        "measure",
        "figures",
        "explain",
        "thread_table",
        "gil_figures",
        "gil_json",
        "departs",
        "formats",
    },
    "cli": {"*"},
    "__main__": {"cli"},
}
OUTSIDE_UI_MAY_NOT = ("textual", "rich")


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update("%s.%s" % (node.module, alias.name) for alias in node.names)
        elif top_level_only and isinstance(node, ast.If):  # TYPE_CHECKING blocks are not imports at run time
            continue
    return found


def test_every_module_imports_only_the_layers_below_it():
    wrong = []
    for name, path in modules().items():
        mine = layer(name)
        allowed = ALLOWED.get(mine)
        assert allowed is not None or mine == "__init__", "%s: a new layer? add it to ALLOWED" % name
        for target in imports(path):
            top = target.split(".")[0]
            if mine != "ui" and mine != "cli" and top in OUTSIDE_UI_MAY_NOT:
                wrong.append("%s imports %s (only gilviz/ui may)" % (name, target))
            if top != "gilviz" or target == "gilviz":
                continue
            theirs = layer(target if target in modules() else target.rsplit(".", 1)[0])
            if theirs in (mine, "__init__") or "*" in (allowed or ()):
                continue
            if theirs not in (allowed or ()):
                wrong.append("%s (%s) imports %s (%s)" % (name, mine, target, theirs))
    assert wrong == []


def test_the_lab_imports_only_the_standard_library():
    wrong = []
    for name, path in modules().items():
        if layer(name) != "lab":
            continue
        for target in imports(path):
            top = target.split(".")[0]
            if top not in sys.stdlib_module_names and top != "gilviz" and top != "__future__":
                wrong.append("%s imports %s" % (name, target))
            if top == "gilviz" and layer(target) not in ("lab", "__init__"):
                wrong.append("%s imports %s" % (name, target))
    assert wrong == []


def import_graph(*, top_level_only: bool, within: str = "gilviz") -> dict[str, set[str]]:
    """Module -> the gilviz modules it imports (``within`` a package: only among its modules)."""
    graph = {}
    all_modules = {name: path for name, path in modules().items() if name == within or name.startswith(within + ".")}
    for name, path in all_modules.items():
        targets = set()
        for target in imports(path, top_level_only=top_level_only):
            if target in all_modules and target != name:
                targets.add(target)
            elif target.rsplit(".", 1)[0] in all_modules and target.rsplit(".", 1)[0] != name:
                targets.add(target.rsplit(".", 1)[0])
        graph[name] = targets - {within}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    seen: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node):
        if node in stack:
            found.append(stack[stack.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    return found


def test_module_level_imports_have_no_cycle():
    assert cycles(import_graph(top_level_only=True)) == []


def test_the_lab_has_no_import_cycle_counting_imports_inside_functions():
    graph = import_graph(top_level_only=False, within="gilviz.lab")
    lessons = {name for name in graph if name.startswith("gilviz.lab.lessons.")}
    assert len(lessons) >= 15
    graph["gilviz.lab.lessons"] |= lessons  # the registry imports every module of its package (pkgutil)
    assert cycles(graph) == []


def test_imports_inside_functions_are_counted(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\n\ndef f():\n    from gilviz.lab import convoy\n")
    assert "gilviz.lab.convoy" in imports(module)
    assert "gilviz.lab.convoy" not in imports(module, top_level_only=True)


def test_the_cycle_finder_finds_a_cycle_closed_inside_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def imported_after(modules_to_import):
    code = (
        "import sys, json, importlib\n"
        "before = set(sys.modules)\n"
        "for m in %r: importlib.import_module(m)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))" % (modules_to_import,)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def test_importing_everything_outside_ui_loads_no_textual():
    engine = [name for name in modules() if layer(name) not in ("ui", "__main__")]
    loaded = imported_after(engine)
    assert not [m for m in loaded if m.split(".")[0] in OUTSIDE_UI_MAY_NOT]


def test_the_lab_loads_only_the_standard_library():
    lab = [name for name in modules() if layer(name) == "lab"]
    loaded = imported_after(lab)
    outside = [m for m in loaded if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "gilviz"]
    assert outside == []


def test_package_init_imports_nothing():
    assert imported_after(["gilviz"]) == ["gilviz"]


def test_commands_without_a_dashboard_load_no_textual(tmp_path):
    """The CLI imports the UI only inside the commands that draw: list, run's refusals and export never load it."""
    trace = ROOT / "assets" / "traces" / "seq-cpu.jsonl.gz"
    code = (
        "import contextlib, io, json, sys\n"
        "from gilviz.cli import main\n"
        "codes = []\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    for argv in (['list', '--json'], ['run', 'nosuch'], ['export', %r, '-o', %r]):\n"
        "        codes.append(main(argv))\n"
        "print(json.dumps([codes, sorted(m for m in sys.modules if m.split('.')[0] in %r)]))"
        % (str(trace), str(tmp_path / "out.json"), OUTSIDE_UI_MAY_NOT)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    codes, loaded = json.loads(out.stdout)
    assert codes == [0, 2, 0]  # each command ran (the export wrote its file), or refused its input
    assert (tmp_path / "out.json").exists()
    assert loaded == []


DOCS = ROOT / "docs" / "architecture.md"


def docs_layers() -> dict[str, int]:
    """Module or folder -> its layer's row in docs/architecture.md's table (0: the lab, at the bottom)."""
    import re

    ranks: dict[str, int] = {}
    rows = [line for line in DOCS.read_text().splitlines() if line.startswith("| ") and line.count("|") == 4]
    for rank, row in enumerate(rows[1:]):  # the first is the heading
        modules_cell = re.sub(r"\([^()]*\)", "", row.split("|")[2])
        for name in re.findall(r"`([a-z_]+)/?`", modules_cell):
            ranks[name] = rank
    return ranks


def test_the_docs_map_and_this_table_agree():
    ranks = docs_layers()
    assert ranks["lab"] == 0 and ranks["cli"] == max(ranks.values())
    assert set(ALLOWED) - {"__main__"} == set(ranks)
    upward = [
        (mine, theirs)
        for mine, allowed in ALLOWED.items()
        if mine in ranks
        for theirs in allowed
        if theirs != "*" and ranks[theirs] > ranks[mine]
    ]
    assert upward == []


def test_module_docstrings_do_not_restate_the_layers():
    said = [name for name, path in modules().items() if "(layer:" in (ast.get_docstring(ast.parse(path.read_text())) or "")]
    assert said == []


def test_the_lessons_past_the_textbook_use_only_the_runs_public_api():
    """``convoy``, ``starts`` and ``waits`` get the Run as ``run(r)``: no ``r._private`` and no ``r.extra``."""
    from gilviz.lab.drivers import Run

    public = {name for name in dir(Run) if not name.startswith("_")} | {
        "board",
        "workers",
        "size",
        "iterations",
        "lock",
        "executor",
        "start_method",
        "switch_interval_s",
    }
    used = {}
    for name in ("convoy", "starts", "waits"):
        tree = ast.parse((PACKAGE / "lab" / (name + ".py")).read_text())
        run = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "run")
        r = run.args.args[0].arg
        used[name] = {
            n.attr for n in ast.walk(run) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == r
        }
    assert all(used.values())  # each reads its run
    assert {name: attrs - public for name, attrs in used.items()} == {name: set() for name in used}
