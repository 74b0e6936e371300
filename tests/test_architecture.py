"""Architecture: no import cycle anywhere in ``mrmkit/``.

The import graph is read from the source with :mod:`ast`, not by importing: every ``import`` and
``from ... import`` statement at any depth (module level, inside functions, methods and classes),
relative imports, and ``importlib.import_module`` calls whose argument is a literal string, a name looped
over a literal tuple of strings, a subscript of a literal dict of strings (any of its values), or an
f-string with a literal ``"pkg.sub."`` prefix (resolved, conservatively, to every module directly under
that prefix). Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they cannot make an
import cycle (they only name a type for an annotation).

Edges: ``import a.b.c`` gives ``-> a.b.c``; ``from a.b import c`` gives ``-> a.b.c`` when ``c`` is a
submodule of ``a.b`` and ``-> a.b`` when it is a name defined there. Importing a submodule also runs
its parent package's ``__init__``, but that implicit step is not an edge (otherwise every package whose
``__init__`` re-exports its submodules would be a cycle). So a package ``__init__`` re-exporting its
submodules (``pkg -> pkg.sub``) together with a submodule that imports a *name* from its parent package
(``pkg.sub -> pkg``) is a cycle: the fix is to import the name from the submodule that defines it.

Two levels are checked: modules, and top-level packages (``mrmkit.stats``, ``mrmkit.workbooks``, ...:
every module mapped to the first component under ``mrmkit``).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "mrmkit"

# Edges allowed to close a cycle, each (importer, imported) with the reason: none. An entry whose edge no
# longer exists fails test_allowlist_is_not_stale.
ALLOWED_EDGES: frozenset[tuple[str, str]] = frozenset()


# ------------------------------------------------------------------------------------------- the graph
def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Every module under ``root``: dotted name -> file (``pkg/__init__.py`` is ``pkg``)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _absolute(node: ast.ImportFrom, name: str, modules: dict[str, Path]) -> str:
    """The absolute module a ``from`` import reads from (relative imports resolved against ``name``)."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if _is_package(name, modules) else name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _literal_strings(node: ast.AST) -> list[str] | None:
    """The strings of a literal string, tuple or list of strings, or the values of a dict of strings."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Dict):
        return _literal_strings(ast.Tuple(elts=list(node.values)))
    if isinstance(node, (ast.Tuple, ast.List)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]
    return None


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` except the bodies of ``if TYPE_CHECKING:`` (their ``else`` runs, so it stays)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _constants(nodes: list[ast.AST]) -> dict[str, list[str]]:
    """Names bound to literal strings: ``X = ("a", "b")``, ``X = {"k": "a"}``, and loop variables over
    them (``for x in X`` / ``for x in ("a", "b")``)."""
    constants: dict[str, list[str]] = {}
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            values = _literal_strings(node.value)
            if values is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
                constants[targets[0].id] = values
    for node in nodes:
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            it = node.iter
            values = constants.get(it.id) if isinstance(it, ast.Name) else _literal_strings(it)
            if values is not None:
                constants.setdefault(node.target.id, []).extend(values)
    return constants


def _dynamic_targets(call: ast.Call, constants: dict[str, list[str]], modules: dict[str, Path]) -> list[str]:
    """Modules an ``importlib.import_module(...)`` / ``import_module(...)`` call may import."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called != "import_module" or not call.args:
        return []
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.Subscript):  # TABLE[name] with TABLE a literal dict of module names
        arg = arg.value
    if isinstance(arg, ast.Name):
        return constants.get(arg.id, [])
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        prefix = str(arg.values[0].value)
        if prefix.endswith("."):  # f"pkg.sub.{name}": any module directly under pkg.sub
            return [m for m in modules if m.startswith(prefix) and "." not in m[len(prefix) :]]
    return []


def _targets(node: ast.AST, name: str, modules: dict[str, Path], constants: dict[str, list[str]]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = _absolute(node, name, modules)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            yield sub if sub in modules else base
    elif isinstance(node, ast.Call):
        yield from _dynamic_targets(node, constants, modules)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules under ``root`` it imports (anywhere in its source), without self-edges."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        nodes = list(_runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
        constants = _constants(nodes)
        found = {t for node in nodes for t in _targets(node, name, modules, constants)}
        graph[name] = {t for t in found if t in modules and t != name}
    return graph


def package_graph(graph: dict[str, set[str]], top: str = "mrmkit") -> dict[str, set[str]]:
    """The module graph collapsed to top-level packages (``mrmkit.stats.drift.psi`` -> ``mrmkit.stats``)."""

    def group(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if parts[0] == top and len(parts) > 1 else module

    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        packages.setdefault(group(module), set()).update(group(t) for t in targets)
    return {p: t - {p} for p, t in packages.items()}


# ------------------------------------------------------------------------------------------ the cycles
def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one node (each one holds a cycle), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def shortest_cycle(graph: dict[str, set[str]], start: str, within: Iterable[str]) -> list[str]:
    """The shortest path start -> ... -> start inside one strongly connected component (breadth first)."""
    allowed = set(within)
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & allowed):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if child not in parent:
                parent[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is on no cycle")


def describe_cycles(graph: dict[str, set[str]]) -> list[str]:
    """One line per strongly connected component: its size and a shortest cycle through its first module."""
    lines = []
    for component in strongly_connected(graph):
        path = shortest_cycle(graph, component[0], component)
        lines.append(f"{len(component)} modules {component}; e.g. " + " -> ".join(path))
    return lines


def _without(graph: dict[str, set[str]], edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    out = {m: set(t) for m, t in graph.items()}
    for a, b in edges:
        out.get(a, set()).discard(b)
    return out


# ------------------------------------------------------------------------------------------------ tests
def test_no_import_cycle_between_modules():
    cycles = describe_cycles(_without(import_graph(), ALLOWED_EDGES))
    assert not cycles, "Import cycles in mrmkit/ (module level):\n" + "\n".join(cycles)


def test_no_import_cycle_between_packages():
    cycles = describe_cycles(package_graph(_without(import_graph(), ALLOWED_EDGES)))
    assert not cycles, "Import cycles between mrmkit's packages:\n" + "\n".join(cycles)


def test_allowlist_is_not_stale():
    graph = import_graph()
    stale = sorted(e for e in ALLOWED_EDGES if e[1] not in graph.get(e[0], set()))
    assert not stale, f"ALLOWED_EDGES lists edges that no longer exist; remove them: {stale}"


def test_every_registered_workbook_names_a_package_of_its_own():
    from mrmkit.registry import workbooks

    modules = module_names()
    for spec in workbooks.specs():
        assert spec.package == f"mrmkit.workbooks.{spec.name}" and _is_package(spec.package, modules), spec.name


# ------------------------------------------------------------------------------- the reader, on a toy package
def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "toy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "toy"


def test_reader_resolves_every_kind_of_import(tmp_path):
    toy = _package(
        tmp_path,
        {
            "__init__.py": "from toy.sub import thing\n",
            "sub/__init__.py": "from . import leaf\nfrom .leaf import VALUE\n",
            "sub/leaf.py": "def f():\n    from ..other import name\n",
            "other.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import toy.typed\nelse:\n    import toy.untyped\n"
            ),
            "typed.py": "",
            "untyped.py": "import importlib\nimportlib.import_module('toy.lit')\n",
            "lit.py": "NAMES = ('toy.a', 'toy.b')\nfor n in NAMES:\n    __import__('importlib').import_module(n)\n",
            "a.py": "import importlib\nT = {'x': 'toy.c'}\n\ndef g(k):\n    return importlib.import_module(T[k])\n",
            "b.py": "from importlib import import_module\n\ndef h(k):\n    return import_module(f'toy.deep.{k}')\n",
            "deep/__init__.py": "",
            "deep/x.py": "",
            "deep/y/__init__.py": "",
            "deep/y/z.py": "",
            "c.py": "class K:\n    def m(self):\n        import toy.typed as t\n",
        },
    )
    graph = import_graph(toy)
    assert graph == {
        "toy": {"toy.sub"},  # thing is a name of toy.sub
        "toy.sub": {"toy.sub.leaf"},  # a submodule, and a name of it (self-edges dropped)
        "toy.sub.leaf": {"toy.other"},  # relative, inside a function
        "toy.other": {"toy.untyped"},  # the TYPE_CHECKING branch is left out, its else kept
        "toy.typed": set(),
        "toy.untyped": {"toy.lit"},  # a literal string
        "toy.lit": {"toy.a", "toy.b"},  # a loop over a literal tuple
        "toy.a": {"toy.c"},  # a subscript of a literal dict
        "toy.b": {"toy.deep.x", "toy.deep.y"},  # an f-string prefix: every module directly under toy.deep
        "toy.c": {"toy.typed"},  # inside a method
        **{m: set() for m in ("toy.deep", "toy.deep.x", "toy.deep.y", "toy.deep.y.z")},
    }
    assert describe_cycles(graph) == []


def test_parent_re_export_and_child_import_of_a_name_is_a_cycle(tmp_path):
    toy = _package(
        tmp_path,
        {
            "__init__.py": "from toy.ctx import Context\nfrom toy import work\n\nclass Helper: ...\n",
            "ctx.py": "class Context: ...\n",
            "work/__init__.py": "from toy.work.analysis import run\n",
            "work/analysis.py": "def run():\n    from toy import Helper\n",
        },
    )
    graph = import_graph(toy)
    assert describe_cycles(graph) == [
        "3 modules ['toy', 'toy.work', 'toy.work.analysis']; e.g. toy -> toy.work -> toy.work.analysis -> toy"
    ]
    # importing the name from the submodule that defines it (here: Context from toy.ctx) is no cycle
    (toy / "work" / "analysis.py").write_text("def run():\n    from toy.ctx import Context\n", encoding="utf-8")
    assert describe_cycles(import_graph(toy)) == []


def test_package_level_cycles_are_found(tmp_path):
    toy = _package(
        tmp_path,
        {
            "__init__.py": "",
            "low/__init__.py": "",
            "low/a.py": "from toy.high import b\n",
            "high/__init__.py": "",
            "high/b.py": "",
            "high/c.py": "from toy.low import a\n",
        },
    )
    graph = import_graph(toy)
    assert describe_cycles(graph) == []  # no module imports itself back ...
    assert describe_cycles(package_graph(graph, top="toy")) == [  # ... but the two packages use each other
        "2 modules ['toy.high', 'toy.low']; e.g. toy.high -> toy.low -> toy.high"
    ]
