"""Trust is explicit: a flow file runs no code unless the caller says it trusts the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dffml_nb.df import DataFlow, DataFlowError, run_sync

TRAP = """
import pathlib
pathlib.Path({marker!r}).write_text("imported")

def shout(text: str) -> str:
    return text.upper()
"""


def trap_module(folder: Path, name: str = "trapmod") -> Path:
    """A module that leaves a marker file when it is imported."""
    marker = folder / f"{name}.imported"
    (folder / f"{name}.py").write_text(TRAP.format(marker=str(marker)))
    return marker


def shout_flow(module: str = "trapmod") -> dict:
    return {
        "definitions": {"text": "str", "shout": "str"},
        "operations": {"shout": {"func": f"{module}:shout", "inputs": {"text": "text"}}},
    }


@pytest.fixture
def trap(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield trap_module(tmp_path)
    sys.modules.pop("trapmod", None)


def test_a_flow_naming_a_module_not_imported_imports_nothing_without_trust(trap, tmp_path):
    with pytest.raises(DataFlowError) as info:
        DataFlow.from_dict(shout_flow())
    message = str(info.value)
    assert "operation 'shout'" in message and "'trapmod'" in message
    assert "not imported" in message and "trust=True" in message and "-trust" in message
    assert not trap.exists() and "trapmod" not in sys.modules
    # a file: the error names it too
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(shout_flow()))
    with pytest.raises(DataFlowError, match=str(path).replace("\\", "\\\\")):
        DataFlow.load(path)
    assert not trap.exists()


def test_trust_imports_what_the_flow_names(trap, tmp_path):
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(shout_flow()))
    flow = DataFlow.load(path, trust=True)
    assert trap.exists()
    assert run_sync(flow, {"c": {"text": "hi"}})["c"] == {"shout": "HI"}
    # once imported (by the user, or a trusted load), the module's functions resolve untrusted
    again = DataFlow.from_dict(shout_flow())
    assert run_sync(again, {"c": {"text": "yo"}})["c"] == {"shout": "YO"}


@pytest.mark.parametrize("path", ["os:system", "subprocess:run", "builtins:eval", "shutil.rmtree"])
def test_functions_of_imported_standard_modules_are_refused_without_trust(path):
    __import__(path.replace(":", ".").rsplit(".", 1)[0])  # imported: still refused
    data = {"definitions": {"x": "str"}, "operations": {"danger": {"func": path}}}
    with pytest.raises(DataFlowError, match="operation 'danger'.*not an operation made with @op"):
        DataFlow.from_dict(data)
    with pytest.raises(DataFlowError, match="trust=True"):
        DataFlow.from_dict(data)
    assert DataFlow.from_dict(data, trust=True)["danger"].func is not None


def test_a_validator_named_by_a_file_follows_the_same_rule(trap):
    data = {
        "definitions": {"n": {"primitive": "list", "validate": "os:system"}},
        "operations": {"get_single": {"func": "get_single", "inputs": {"spec": "n"}}},
    }
    with pytest.raises(DataFlowError, match="definition 'n'.*validate.*trust=True"):
        DataFlow.from_dict(data)
    data["definitions"]["n"]["validate"] = "trapmod:shout"
    with pytest.raises(DataFlowError, match="'trapmod', which is not imported"):
        DataFlow.from_dict(data)
    assert not trap.exists()
    flow = DataFlow.from_dict(data, trust=True)
    assert flow.definitions["n"].validate("a") == "A" and trap.exists()


def test_operations_and_validators_of_imported_modules_round_trip_untrusted():
    from dffml_nb.examples.calc import calc_flow

    flow = calc_flow()
    assert run_sync(DataFlow.from_dict(flow.to_dict()), {"c": {"calc_string": "add 1 and 2"}}) == (
        run_sync(flow, {"c": {"calc_string": "add 1 and 2"}})
    )


def test_registered_names_resolve_without_trust():
    flow = DataFlow.from_dict({"operations": {"get_single": {"func": "get_single"}}})
    assert flow["get_single"].stage == "output"


# -- the command line -------------------------------------------------------------------------


def cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dffml_nb", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_cli_dataflow_run_and_diagram_need_trust_to_import(tmp_path):
    modules = tmp_path / "modules"
    modules.mkdir()
    marker = trap_module(modules)
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(shout_flow()))
    env = {"PYTHONPATH": str(modules)}
    for command in (["run", str(path), "-inputs", "hi=text"], ["diagram", str(path)]):
        refused = cli("dataflow", *command, cwd=tmp_path, env=env)
        assert refused.returncode == 1, refused.stderr
        assert "not imported" in refused.stderr and "-trust" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert not marker.exists()
    ran = cli("dataflow", "run", str(path), "-inputs", "hi=text", "-trust", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"0": {"shout": "HI"}} and marker.exists()
    marker.unlink()
    drawn = cli("dataflow", "diagram", str(path), "-trust", cwd=tmp_path, env=env)
    assert drawn.returncode == 0 and drawn.stdout.startswith("flowchart") and marker.exists()


def test_python_m_dffml_nb_never_imports_from_the_current_directory(tmp_path):
    """`python -m` puts the current directory on sys.path; the command removes it."""
    marker = trap_module(tmp_path)  # trapmod.py, named by the flow
    (tmp_path / "flow.json").write_text(json.dumps(shout_flow()))
    result = cli("dataflow", "run", "flow.json", "-trust", "-inputs", "hi=text", cwd=tmp_path)
    assert not marker.exists(), "trapmod.py in the current directory was imported"
    assert result.returncode == 1 and "cannot import module 'trapmod'" in result.stderr
    # a yaml.py here is not the PyYAML a .yaml flow file is read with
    yaml_marker = trap_module(tmp_path, "yaml")
    (tmp_path / "flow.yaml").write_text(
        textwrap.dedent(
            """\
            operations:
              get_single:
                func: get_single
            """
        )
    )
    drawn = cli("dataflow", "diagram", "flow.yaml", cwd=tmp_path)
    assert not yaml_marker.exists(), "yaml.py in the current directory was imported"
    assert drawn.returncode == 0 and drawn.stdout.startswith("flowchart"), drawn.stderr
