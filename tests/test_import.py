"""``import dffml_nb`` stays light: no Jupyter, scikit-learn, matplotlib or pandas."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "IPython",
    "ipywidgets",
    "ipycytoscape",
    "sklearn",
    "matplotlib",
    "pandas",
    "numpy",
    "skops",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}; import sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_import_dffml_nb_is_light():
    assert _loaded_after("import dffml_nb") == []


def test_dataflow_core_is_standard_library_only():
    assert _loaded_after("import dffml_nb.df; from dffml_nb import DataFlow, op, run_sync") == []


def test_lazy_names_resolve():
    import dffml_nb

    assert dffml_nb.DataFlow is __import__("dffml_nb.df", fromlist=["DataFlow"]).DataFlow
    assert "train" in dir(dffml_nb)
