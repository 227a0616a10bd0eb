"""Models and scorers are plugins: built-ins and third-party packages alike."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import pandas as pd
import pytest

from dffml_nb import plugins
from dffml_nb.model import Model
from dffml_nb.scorer import Scorer

DIST = "dffml-nb-test-mypkg"

MYPKG = '''
"""A third-party model: predicts the training mean of the target."""

from dffml_nb.model import Model


class MyModel(Model):
    kind = "regressor"

    def _fit(self, X, y):
        self.mean = float(y.mean())

    def _predict(self, X):
        import numpy as np

        return np.full(len(X), self.mean), None

    def _get_state(self):
        return {"mean": self.mean}

    def _set_state(self, state):
        self.mean = state["mean"]
'''

PYPROJECT = f'''
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{DIST}"
version = "0.0.1"

[project.entry-points."dffml_nb.model"]
mymodel = "mypkg:MyModel"

[tool.hatch.build.targets.wheel]
packages = ["mypkg"]
'''


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "-q"],
        capture_output=True,
        text=True,
    )


@pytest.fixture
def third_party_package(tmp_path):
    package = tmp_path / "pkg"
    (package / "mypkg").mkdir(parents=True)
    (package / "mypkg" / "__init__.py").write_text(textwrap.dedent(MYPKG))
    (package / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    installed = _pip("install", "--no-deps", "--no-build-isolation", "--no-index", str(package))
    assert installed.returncode == 0, installed.stderr
    importlib.invalidate_caches()  # the new dist-info and module are on disk now
    try:
        yield
    finally:
        _pip("uninstall", "-y", DIST)
        sys.modules.pop("mypkg", None)
        importlib.invalidate_caches()


def test_third_party_model_loads_by_name(third_party_package, tmp_path):
    assert "mymodel" in plugins.names("model")
    MyModel = Model.load("mymodel")
    assert MyModel.__module__ == "mypkg" and MyModel.name == "mymodel"
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.0]})
    model = MyModel(features=["x"], predict="y", location=tmp_path / "m").fit(data)
    assert model.predict({"x": 10.0}, as_frame=True)["y"].tolist() == [4.0]
    # persisted through the same skops + JSON machinery as the built-ins
    reloaded = MyModel(location=tmp_path / "m")
    assert [r.prediction("y").value for r in reloaded.predict(data)] == [4.0, 4.0, 4.0]
    assert repr(reloaded).startswith("mymodel(features=['x:float:1'], predict='y:float:1'")


def test_builtin_entry_points_resolve():
    for kind, base in (("model", Model), ("scorer", Scorer)):
        registered = [
            ep for ep in entry_points(group=f"dffml_nb.{kind}") if ep.value.startswith("dffml_nb.")
        ]
        assert registered, kind
        for ep in registered:
            loaded = ep.load()
            assert issubclass(loaded, base) if kind == "model" else isinstance(loaded, base), ep


def test_model_by_import_path():
    assert Model.load("dffml_nb.model.slr:SLR").name == "slr"


def test_model_plugin_that_is_not_a_class_is_refused():
    with pytest.raises(plugins.PluginError, match="not a class"):
        Model.load("dffml_nb.scorer:mse")


# -- one registry: pyproject.toml's entry points ---------------------------------------


def _pyproject_entry_points() -> dict[str, dict[str, str]]:
    from pathlib import Path

    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    return tomllib.loads(pyproject.read_text())["project"]["entry-points"]


def test_installed_registry_is_pyproject_toml():
    # a stale install (pip install -e . not re-run after editing pyproject.toml) fails here
    declared = _pyproject_entry_points()
    for kind in plugins.GROUPS:
        assert plugins.builtins(kind) == declared.get(f"dffml_nb.{kind}", {}), kind


def test_registered_names_match_the_tables_that_build_them():
    from dffml_nb.model.sklearn import ESTIMATORS
    from dffml_nb.scorer import SCORERS

    models = plugins.builtins("model")
    assert {name for name in models if name != "slr"} == set(ESTIMATORS)
    for name in ESTIMATORS:
        assert models[name] == f"dffml_nb.model.sklearn:{name}"
    assert plugins.builtins("scorer") == {name: f"dffml_nb.scorer:{name}" for name in SCORERS}


def test_builtins_are_found_without_scanning_installed_packages(monkeypatch):
    from dffml_nb.source import CSVSource, source_class

    def no_scan(**kwargs):
        raise AssertionError("scanned every installed package's entry points")

    monkeypatch.setattr(plugins, "entry_points", no_scan)
    monkeypatch.setattr(plugins, "_found", {})
    assert Model.load("scikitlr").name == "scikitlr"
    assert Model.load("slr").name == "slr"
    assert source_class("csv") is CSVSource
    assert Scorer.load("mse").name == "mse"
    with pytest.raises(AssertionError, match="scanned"):  # other names do scan
        Model.load("not-built-in")


def test_unknown_names_list_the_known_ones():
    with pytest.raises(plugins.PluginError) as raised:
        Model.load("scikitnope")
    message = str(raised.value)
    assert "unknown model 'scikitnope'" in message and "scikitlr" in message and "slr" in message
    with pytest.raises(plugins.PluginError, match="not a class"):
        from dffml_nb.source import source_class

        source_class("dffml_nb.scorer:mse")
