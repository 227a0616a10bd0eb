"""``import dffml_nb`` stays light: no Jupyter, scikit-learn, matplotlib or pandas."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dffml_nb"
DF = PACKAGE / "df"

HEAVY = (
    "IPython",
    "ipywidgets",
    "ipycytoscape",
    "ipyevents",
    "sklearn",
    "matplotlib",
    "pandas",
    "numpy",
    "skops",
    # scale-out: Dask loads only when a Client is passed as pool=
    "dask",
    "distributed",
    "cloudpickle",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}; import sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_import_dffml_nb_is_light():
    assert _loaded_after("import dffml_nb") == []


def test_dataflow_core_is_standard_library_only():
    assert _loaded_after("import dffml_nb.df; from dffml_nb import DataFlow, op, run_sync") == []


def test_a_run_on_a_process_pool_imports_no_dask():
    """pool= support lives behind a protocol: only a Dask Client loads the Dask adapter."""
    probe = (
        "from dffml_nb.df import DataFlow, op, run_sync\n"
        "from dffml_nb.examples.calc import parse_line\n"
        "flow = DataFlow(op(parse_line, runner='process'))\n"
        "if __name__ == '__main__':\n"
        "    assert run_sync(flow, {'c': {'calc_string': 'add 1 and 2'}})['c']['numbers'] == [1, 2]\n"
        "    import sys; print(','.join(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_lazy_names_resolve():
    import dffml_nb

    assert dffml_nb.DataFlow is __import__("dffml_nb.df", fromlist=["DataFlow"]).DataFlow
    assert "train" in dir(dffml_nb)


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, module)`` for every import statement in ``tree``, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_no_module_of_the_dataflow_core_names_the_rest_of_dffml_nb():
    """Not even inside a function (the first landing imported nb.display and plugins so)."""
    wrong = [
        f"{path.name}:{line}: {module}"
        for path in sorted(DF.glob("*.py"))
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if module.split(".")[0] == "dffml_nb" and not module.startswith("dffml_nb.df")
    ]
    assert wrong == []


def test_dataflow_core_imports_nothing_else_of_dffml_nb():
    """Loading every module of dffml_nb.df pulls in no other part of the package.

    The package root (``dffml_nb/__init__.py`` and the stdlib helpers it uses) is
    loaded by any import of a subpackage, so what it loads on its own is the
    baseline; every df module on top of it may add only ``dffml_nb.df.*``.
    """
    probe = (
        "import pkgutil, importlib, sys, dffml_nb\n"
        "root = {m for m in sys.modules if m.startswith('dffml_nb')}\n"
        "import dffml_nb.df as df\n"
        "for m in pkgutil.iter_modules(df.__path__): importlib.import_module('dffml_nb.df.' + m.name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('dffml_nb') "
        "and m not in root and not m.startswith('dffml_nb.df'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_yaml_is_imported_only_when_yaml_is_read_or_written(tmp_path):
    probe = (
        "import sys\n"
        "from dffml_nb.examples.calc import calc_flow\n"
        "from dffml_nb.df import DataFlow, run_sync\n"
        f"path = {str(tmp_path / 'calc.json')!r}\n"
        "calc_flow().save(path); flow = DataFlow.load(path, trust=True); flow.mermaid()\n"
        "run_sync(flow, {'c': {'calc_string': 'add 1 and 2'}})\n"
        "print('yaml' in sys.modules)\n"
        "calc_flow().save(path[:-5] + '.yaml')\n"
        "print('yaml' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_dataflow_display_goes_through_the_hook_the_package_root_sets():
    from dffml_nb.df import DataFlow, op
    from dffml_nb.df.display import set_mimebundle_hook

    @op
    def one() -> int:
        return 1

    flow = DataFlow(one)
    previous = set_mimebundle_hook(None)
    try:
        assert previous is not None  # dffml_nb/__init__.py registered one
        assert flow._repr_mimebundle_() is None  # no hook: IPython shows the plain repr
        set_mimebundle_hook(lambda f: {"text/plain": f"shown {f!r}"})
        assert flow._repr_mimebundle_() == {"text/plain": "shown DataFlow(one)"}
    finally:
        set_mimebundle_hook(previous)
    assert "text/html" in flow._repr_mimebundle_()  # the notebook layer's picture, loaded lazily


def test_every_public_name_of_the_core_resolves():
    import dffml_nb.df as df

    assert sorted(df.__all__) == sorted(df._LAZY)
    for name in df.__all__:
        assert getattr(df, name) is not None, name
    assert callable(df.events) and df.events.__module__ == "dffml_nb.df.executor"


# -- no heavy library at module level in the core or the package root ----------------------

HEAVY_AT_IMPORT = (
    "pandas",
    "numpy",
    "sklearn",
    "IPython",
    "ipywidgets",
    "matplotlib",
    "yaml",
    "fastapi",
    "dask",
)


def _runs_at_import(statements: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that run when the module is imported: module level, inside
    ``if`` / ``try`` / ``with`` and class bodies — not function bodies, and not the
    ``if TYPE_CHECKING:`` branch, which never runs."""
    found: list[ast.stmt] = []
    for node in statements:
        found.append(node)
        if isinstance(node, ast.If):
            test = node.test
            checking = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            )
            found += _runs_at_import(node.orelse if checking else node.body + node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                found += _runs_at_import(block)
            for handler in node.handlers:
                found += _runs_at_import(handler.body)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            found += _runs_at_import(node.body)
    return found


def heavy_imports_at_import_time(source: str) -> list[str]:
    names = []
    for node in _runs_at_import(ast.parse(source).body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return [n for n in names if n.split(".")[0] in HEAVY_AT_IMPORT]


def test_the_heavy_import_check_finds_what_runs_at_import_and_only_that():
    source = (
        "import os\n"
        "import numpy as np\n"
        "try:\n    import yaml\nexcept ImportError:\n    from pandas import DataFrame\n"
        "if True:\n    import sklearn.base\nelse:\n    import dask\n"
        "class Widget:\n    import ipywidgets\n"
        "if TYPE_CHECKING:\n    import matplotlib\n"
        "def later():\n    import fastapi\n"
    )
    assert heavy_imports_at_import_time(source) == [
        "numpy",
        "yaml",
        "pandas",
        "sklearn.base",
        "dask",
        "ipywidgets",
    ]


def test_no_heavy_library_is_imported_at_module_level_of_the_core_or_the_package_root():
    checked = [*sorted(DF.glob("*.py")), PACKAGE / "__init__.py"]
    found = {
        str(path.relative_to(PACKAGE.parent)): heavy
        for path in checked
        if (heavy := heavy_imports_at_import_time(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_import_dffml_nb_and_the_whole_core_load_no_heavy_library():
    probe = (
        "import sys, dffml_nb\n"
        "from dffml_nb.df import DataFlow, op, run_sync, events\n"
        "import pkgutil, importlib, dffml_nb.df as df\n"
        "for m in pkgutil.iter_modules(df.__path__): importlib.import_module('dffml_nb.df.' + m.name)\n"
        f"print(','.join(m for m in {HEAVY_AT_IMPORT!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_events_function_is_not_hidden_by_the_events_module():
    """``dffml_nb.df.events`` is the stream function, whichever is imported first."""
    probe = (
        "from dffml_nb.df.events import Event\n"
        "import dffml_nb.df.executor\n"
        "from dffml_nb.df import events\n"
        "import inspect; print(inspect.isasyncgenfunction(events))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
