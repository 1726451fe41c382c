"""The library's two layers, read from the code's own imports.

``landscape`` is the science (data, models, losses, training, cache, experiments, analysis,
theory); ``landscape.companion`` is everything that knows notebooks, the book and the command
line. The science never imports the companion, never prints, never reads the repository's
layout, and imports with the runtime dependencies alone; no module imports itself in a circle.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "landscape"
COMPANION = "landscape.companion"
#: What the companion layer and the tests need and the science must not (pyproject's extras).
NOT_RUNTIME = ("papermill", "nbformat", "nbclient", "jupytext", "myst_nb", "jupyter_book",
               "jupyter_client", "ipykernel", "IPython", "pytest", "nbval", "dask", "distributed",
               "playwright", "pypdf", "sphinx")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module if _is_package(module) else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{node.module}" if node.module else base


def imports_of(module: str) -> set[str]:
    """The landscape modules ``module`` imports anywhere in its source (lazy imports included):
    ``from .x import y`` counts as an import of ``x.y`` when that is a module, else of ``x``."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in MODULES and t != module)
    return out


GRAPH = {m: imports_of(m) for m in MODULES}


def _science(module: str) -> bool:
    return not (module == COMPANION or module.startswith(COMPANION + "."))


def test_the_graph_is_read_from_the_code():
    """The parser sees real edges (a broken parser would make the next tests pass vacuously)."""
    assert "landscape.train" in GRAPH["landscape.cache"]
    assert "landscape.analysis.claims" in GRAPH["landscape.companion.page"]
    assert "landscape.companion.runs" in GRAPH["landscape.companion.sweep"]
    assert "landscape.theory.theorem3" in GRAPH["landscape.theory"]
    assert len(MODULES) >= 25


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_finds_a_planted_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    planted = {**GRAPH, "landscape.companion.runs": GRAPH["landscape.companion.runs"] | {"landscape.companion.sweep"}}
    assert find_cycle(planted) is not None


def test_no_circle_in_the_import_graph():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_the_science_never_imports_the_companion():
    bad = {m: sorted(t for t in GRAPH[m] if not _science(t)) for m in GRAPH if _science(m)}
    assert not {m: t for m, t in bad.items() if t}


def _calls(module: str, name: str) -> list[int]:
    tree = ast.parse(MODULES[module].read_text())
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == name]


def test_the_science_never_prints():
    printing = {m: _calls(m, "print") for m in MODULES if _science(m)}
    assert not {m: lines for m, lines in printing.items() if lines}
    assert _calls("landscape.companion.page", "print")  # the check itself sees print calls


def test_the_science_does_not_read_the_repository_layout():
    """No ``Path(__file__).parents[...]`` climbing out of the package, no repository root."""
    for m, path in MODULES.items():
        if _science(m):
            text = path.read_text()
            assert ".parents[" not in text and "REPO_ROOT" not in text, m


def test_the_science_imports_and_trains_with_runtime_dependencies_alone(tmp_path):
    """In a fresh interpreter, outside the checkout, with every non-runtime package made
    unimportable: import the science and train a tiny configuration into a user-level cache."""
    script = textwrap.dedent(f"""
        import importlib.abc, sys
        BLOCKED = {NOT_RUNTIME!r}
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"{{name}} is not a runtime dependency")
        sys.meta_path.insert(0, Block())
        import landscape, landscape.analysis, landscape.theory, landscape.experiments
        from landscape import cache, paper_vs_code
        from landscape.config import TrainConfig
        cfg = TrainConfig(n=40, batch_size=20, epochs=3, log_every=1, m=10)
        res = cache.cached_train([cfg], progress=False)
        assert res.maxcos.shape == (1, 4, 3), res.maxcos.shape
        assert cache.find_cached([cfg]) is not None
        print("ok", landscape.__file__)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANDSCAPE_")}
    env["HOME"] = str(tmp_path / "home")
    env.pop("XDG_CACHE_HOME", None)
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok")
    assert list((tmp_path / "home" / ".cache" / "landscape" / "runs").glob("*.npz"))


@pytest.mark.parametrize("package", ["papermill", "pytest"])
def test_the_blocker_of_that_test_blocks(package, tmp_path):
    script = (f"import importlib.abc, sys\nclass B(importlib.abc.MetaPathFinder):\n"
              f"    def find_spec(self, n, p=None, t=None):\n"
              f"        if n.split('.')[0] == {package!r}: raise ImportError(n)\n"
              f"sys.meta_path.insert(0, B())\nimport {package}\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode != 0 and "ImportError" in run.stderr
