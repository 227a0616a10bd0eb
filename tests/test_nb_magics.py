"""%dffml / %%dffml through a real IPython shell."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import textwrap

import pytest
from IPython import get_ipython
from IPython.core.error import UsageError
from IPython.testing.globalipapp import start_ipython

from dffml_nb import load_ipython_extension
from dffml_nb.df import DataFlow, run_sync
from dffml_nb.nb import magics as magics_module

CALC = """
from math import sqrt   # imported: must not become an operation

def add(a: int, b: int) -> int:
    return a + b

async def double(add: int) -> int:
    return add * 2

helper = lambda x: x    # not a def: not an operation
"""


@pytest.fixture
def shell():
    start_ipython()  # the test process's one shell (later calls do nothing)
    ip = get_ipython()
    ip.run_line_magic("load_ext", "dffml_nb")  # registers once per process
    # a fresh registry per test
    ip._dffml_magics = None
    load_ipython_extension(ip)
    magics = ip._dffml_magics
    yield ip
    for graph in magics.graphs.values():
        graph.close()
    for name in list(magics.flows):
        ip.user_ns.pop(name, None)


def define(ip, name: str, cell: str):
    return ip.run_cell_magic("dffml", f"flow {name}", textwrap.dedent(cell))


def registry(ip):
    return ip._dffml_magics


def test_define_binds_the_flow_and_shows_its_graph(shell, monkeypatch):
    shown = []
    monkeypatch.setattr(magics_module, "_display", shown.append)
    define(shell, "calc", CALC)
    flow = shell.user_ns["calc"]
    assert isinstance(flow, DataFlow)
    assert [o.name for o in flow] == ["add", "double"]
    graph = registry(shell).graphs["calc"]
    assert shown == [graph]
    assert graph.flow is flow
    assert callable(shell.user_ns["add"])  # the functions stay plain functions in the namespace


def test_redefining_replaces_the_operations_on_the_same_graph(shell):
    define(shell, "calc", CALC)
    graph = registry(shell).graphs["calc"]
    define(
        shell,
        "calc",
        """
        def add(a: int, b: int) -> int:
            return a + b

        def triple(add: int) -> int:
            return add * 3
        """,
    )
    flow = shell.user_ns["calc"]
    assert [o.name for o in flow] == ["add", "triple"]
    assert registry(shell).graphs["calc"] is graph
    assert graph.flow is flow
    assert "op:triple" in graph.view._nodes and "op:double" not in graph.view._nodes
    assert shell.run_line_magic("dffml", "run calc a=1 b=2") == {"triple": 9}
    # %dffml show returns that one graph, and displaying the flow shows it too
    assert shell.run_line_magic("dffml", "show calc") is graph
    from dffml_nb.nb.graph.display import graph_for

    assert graph_for(flow) is graph


def test_run_converts_values_and_returns_results(shell, monkeypatch):
    shown = []
    monkeypatch.setattr(magics_module, "_display", shown.append)
    define(shell, "calc", CALC)
    shown.clear()
    result = shell.run_line_magic("dffml", "run calc a=1 b=2")
    assert result == {"double": 6}
    assert result.errors == []
    assert shown == []  # returned, not displayed: IPython shows a cell's last value
    assert "<td><b>double</b></td>" in result._repr_html_()  # as an HTML table
    graph = registry(shell).graphs["calc"]
    assert graph.status == {"add": "done", "double": "done"}
    # through a cell, as a user writes it
    shell.run_cell("r = %dffml run calc a=20 b=1", store_history=True)
    assert shell.user_ns["r"]["double"] == 42
    define(
        shell,
        "kinds",
        """
        def describe(n: float, flag: bool, tags: list, word: str) -> str:
            return f"{n!r} {flag!r} {tags!r} {word!r}"
        """,
    )
    out = shell.run_line_magic(
        "dffml", """run kinds n=2.5 flag=yes tags='["x", 1]' word="two words\""""
    )
    assert out == {"describe": "2.5 True ['x', 1] 'two words'"}


def test_results_follow_ipythons_display_convention(shell, monkeypatch):
    """A magic returns its value: IPython echoes a cell's last expression, once; `;` or an
    assignment shows nothing; only %%dffml flow draws (its live graph)."""
    shown = []
    monkeypatch.setattr(magics_module, "_display", shown.append)
    define(shell, "calc", CALC)
    graph = registry(shell).graphs["calc"]
    assert shown == [graph]
    shown.clear()
    echoed = shell.run_cell("%dffml run calc a=1 b=1", store_history=True).result
    assert echoed == {"double": 4} and shown == []
    assert shell.run_cell("%dffml run calc a=1 b=1;", store_history=True).result is None
    assigned = shell.run_cell("r = %dffml run calc a=1 b=2", store_history=True)
    assert assigned.result is None and shell.user_ns["r"] == {"double": 6}
    assert shell.run_cell("%dffml show calc", store_history=True).result is graph
    assert shell.run_cell("g = %dffml show calc\nx = 1", store_history=True).result is None
    assert shell.user_ns["g"] is graph
    # with a variable expanded in the line (what the quickstart's magics do)
    shell.user_ns["first"] = 5
    assert shell.run_cell("%dffml run calc a=$first b=1", store_history=True).result == {
        "double": 12
    }
    assert shown == []


def test_export_all_formats(shell, tmp_path, monkeypatch):
    define(shell, "calc", CALC)
    monkeypatch.syspath_prepend(str(tmp_path))
    # python: an importable module that runs the same
    path = tmp_path / "calc_mod.py"
    shell.run_line_magic("dffml", f"export calc --format python -o {path}")
    spec = importlib.util.spec_from_file_location("calc_mod", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["calc_mod"] = module
    try:
        spec.loader.exec_module(module)
        assert [o.name for o in module.flow] == ["add", "double"]
        assert run_sync(module.flow, {"a": 4, "b": 5})["0"] == {"double": 18}
        assert run_sync(module.calc, {"a": 4, "b": 5}) == run_sync(
            shell.user_ns["calc"], {"a": 4, "b": 5}
        )
        # json / yaml naming that module load and run the same
        text = shell.run_line_magic("dffml", "export calc --format json --module calc_mod")
        data = json.loads(text)
        assert data["operations"]["add"]["func"] == "calc_mod:add"
        (tmp_path / "calc.json").write_text(text)
        assert run_sync(DataFlow.load(tmp_path / "calc.json"), {"a": 1, "b": 1})["0"] == {
            "double": 4
        }
        yaml_text = shell.run_line_magic("dffml", "export calc --format yaml --module calc_mod")
        (tmp_path / "calc.yaml").write_text(yaml_text)
        assert run_sync(DataFlow.load(tmp_path / "calc.yaml"), {"a": 1, "b": 1})["0"] == {
            "double": 4
        }
    finally:
        sys.modules.pop("calc_mod", None)
    # without --module the notebook's functions are named as they are: __main__
    assert json.loads(shell.run_line_magic("dffml", "export calc"))["operations"]["add"][
        "func"
    ].endswith(":add")
    mermaid = shell.run_line_magic("dffml", "export calc --format mermaid")
    assert mermaid.startswith("flowchart") and '"add"' in mermaid and '"double"' in mermaid


def test_python_export_notes_names_from_other_cells(shell):
    shell.run_cell("RATE = 3")
    define(
        shell,
        "rated",
        """
        %time 1 + 1
        def charge(amount: int) -> int:
            return amount * RATE
        """,
    )
    text = shell.run_line_magic("dffml", "export rated --format python")
    assert "# NOTE" in text and "RATE" in text
    assert "# (IPython only) %time 1 + 1" in text
    compile(text, "rated.py", "exec")  # valid Python


def test_list_show_help(shell, capsys):
    shell.run_line_magic("dffml", "list")
    assert "no flows yet" in capsys.readouterr().out
    define(shell, "calc", CALC)
    define(shell, "single", "def one() -> int:\n    return 1\n")
    capsys.readouterr()
    shell.run_line_magic("dffml", "list")
    out = capsys.readouterr().out
    assert "calc: 2 operations (add, double); inputs: a, b" in out
    assert "single: 1 operation (one); inputs: -" in out
    shell.run_line_magic("dffml", "help")
    assert "%dffml export [-f FORMAT] [-o FILE] [-m MODULE] NAME" in capsys.readouterr().out


def test_extension_hook_and_unknown_subcommand(shell, monkeypatch):
    monkeypatch.setattr(magics_module, "SUBCOMMANDS", dict(magics_module.SUBCOMMANDS))
    magics_module.register_subcommand(
        "train", lambda m, argv: ("trained", argv), "train a model", args="-model NAME ..."
    )
    assert shell.run_line_magic("dffml", "train -model slr -model-features Years:int:1") == (
        "trained",
        ["-model", "slr", "-model-features", "Years:int:1"],
    )
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("dffml", "frobnicate")
    assert "unknown subcommand 'frobnicate'" in str(caught.value)
    # registered subcommands are listed with their arguments and help
    assert "%dffml train -model NAME ...\n" in str(caught.value)
    assert "train a model" in str(caught.value)
    with pytest.raises(UsageError):
        shell.run_line_magic("dffml", "")


# -- mistakes leave the previous flow intact ----------------------------------------------------


def assert_intact(shell, flow, graph):
    assert shell.user_ns["calc"] is flow
    assert registry(shell).flows["calc"].flow is flow
    assert graph.flow is flow
    assert set(graph.view._nodes) == {
        "op:add",
        "op:double",
        "def:a",
        "def:b",
        "def:add",
        "def:double",
    }
    assert shell.run_line_magic("dffml", "run calc a=1 b=2") == {"double": 6}


@pytest.fixture
def calc(shell):
    define(shell, "calc", CALC)
    return shell, shell.user_ns["calc"], registry(shell).graphs["calc"]


def test_syntax_error_keeps_the_flow(calc):
    shell, flow, graph = calc
    with pytest.raises(UsageError) as caught:
        define(shell, "calc", "def add(a: int, b: int) -> int\n    return a + b\n")
    message = str(caught.value)
    assert "syntax error at line 1" in message and "flow 'calc' is unchanged" in message
    assert_intact(shell, flow, graph)


def test_error_shows_briefly_in_a_cell(calc, capsys):
    shell, flow, graph = calc
    result = shell.run_cell("%%dffml flow calc\ndef add(a: int, b: int) -> int\n    return a\n")
    assert isinstance(result.error_in_exec, UsageError)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "UsageError" in output and "Traceback" not in output
    assert_intact(shell, flow, graph)


def test_unannotated_function_that_does_not_connect(calc):
    shell, flow, graph = calc
    with pytest.raises(UsageError) as caught:
        define(
            shell,
            "calc",
            """
            def add(a, b):
                return a + b

            def double(add: int) -> int:
                return add * 2
            """,
        )
    message = str(caught.value)
    assert "definition 'add' is used with 2 primitives" in message
    assert "unannotated, so typed `object`" in message and "annotate" in message
    assert_intact(shell, flow, graph)


def test_same_definition_with_two_types(calc):
    shell, flow, graph = calc
    with pytest.raises(UsageError) as caught:
        define(
            shell,
            "calc",
            """
            def ratio(a: int, b: int) -> float:
                return a / b

            def other(c: str) -> str:
                return c

            def ratio2(ratio: int) -> int:
                return ratio
            """,
        )
    assert "definition 'ratio' is used with 2 primitives" in str(caught.value)
    assert_intact(shell, flow, graph)


def test_cell_that_raises_or_defines_nothing(calc):
    shell, flow, graph = calc
    with pytest.raises(UsageError, match=r"raised at line 3: ZeroDivisionError"):
        define(shell, "calc", "def add(a: int) -> int:\n    return a\n1 / 0\n")
    with pytest.raises(UsageError, match="defines no top-level function"):
        define(shell, "calc", "x = 1\n")
    with pytest.raises(UsageError, match="NAME: a Python identifier"):
        shell.run_cell_magic("dffml", "flow not-a-name", "def f(): pass\n")
    assert_intact(shell, flow, graph)


def test_run_mistakes(calc):
    shell, flow, graph = calc
    with pytest.raises(UsageError, match=r"missing input b \(flow inputs: a, b\)"):
        shell.run_line_magic("dffml", "run calc a=1")
    with pytest.raises(UsageError, match="missing inputs a, b"):
        shell.run_line_magic("dffml", "run calc")
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("dffml", "run calc a=1 b=two")
    assert "definition 'b' expects an int" in str(caught.value) and "'two'" in str(caught.value)
    with pytest.raises(UsageError, match="no definition 'c' in flow 'calc'; its inputs are a, b"):
        shell.run_line_magic("dffml", "run calc a=1 b=2 c=3")
    with pytest.raises(UsageError, match="expected definition=value"):
        shell.run_line_magic("dffml", "run calc a")
    with pytest.raises(UsageError, match="no flow named 'nope'; flows: calc"):
        shell.run_line_magic("dffml", "run nope a=1")
    with pytest.raises(UsageError, match="no flow named 'nope'; flows: calc"):
        shell.run_line_magic("dffml", "show nope")
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        shell.run_line_magic("dffml", "export calc --format xml")
    assert_intact(shell, flow, graph)


def test_failing_operation_is_reported_briefly(shell, capsys):
    define(shell, "bad", "def boom(a: int) -> int:\n    return 1 // a\n")
    capsys.readouterr()
    assert shell.run_line_magic("dffml", "run bad a=0") is None
    err = capsys.readouterr().err
    assert "operation 'boom' failed in context '0'" in err
    assert "line 2: return 1 // a" in err
    graph = registry(shell).graphs["bad"]
    assert graph.status == {"boom": "failed"}
    assert graph.details("boom")["error"].startswith("ZeroDivisionError")
    assert sys.last_value is registry(shell).last_error


def test_loading_the_extension_imports_no_cytoscape():
    code = textwrap.dedent(
        """
        import sys
        import dffml_nb
        assert not any(m in sys.modules for m in ("IPython", "ipywidgets", "ipycytoscape")), "import dffml_nb"
        from IPython.testing.globalipapp import start_ipython
        ip = start_ipython()
        ip.run_line_magic("load_ext", "dffml_nb")
        assert "ipycytoscape" not in sys.modules, "load_ext"
        ip.run_cell_magic("dffml", "flow f", "def one() -> int:\\n    return 1\\n")
        assert "ipycytoscape" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)


def test_export_to_file_returns_nothing_to_echo(shell, tmp_path):
    shell.run_cell("%%dffml flow tiny\ndef inc(x: int) -> int:\n    return x + 1\n")
    target = tmp_path / "tiny.json"
    result = shell.run_cell(f"%dffml export tiny --format json -o {target}")
    assert result.success and result.result is None
    assert '"inc"' in target.read_text()


# -- a refused redefinition changes nothing in the notebook ----------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        # the functions don't fit together (a definition with two types)
        "def add(a: int, b: int) -> str:\n    return str(a + b)\n\n"
        "def double(add: int) -> int:\n    return add * 2\n\nextra = 1\n",
        # the cell raises after redefining a function
        "def add(a: int, b: int) -> int:\n    return a - b\n\nextra = 1\n1 / 0\n",
        # a function rebound to something that cannot become an operation
        "def add(a: int, b: int) -> int:\n    return a\n\ndef double(add: int) -> int:\n"
        "    return 0\n\ndouble = 3\n",
    ],
    ids=["types-clash", "raises", "not-an-operation"],
)
def test_refused_redefinition_keeps_the_notebooks_functions(calc, cell):
    shell, flow, graph = calc
    add, double = shell.user_ns["add"], shell.user_ns["double"]
    assert "extra" not in shell.user_ns
    with pytest.raises(UsageError, match="flow 'calc' is unchanged"):
        define(shell, "calc", cell)
    assert shell.user_ns["add"] is add and shell.user_ns["double"] is double
    assert "extra" not in shell.user_ns  # names the refused cell added are gone too
    assert shell.user_ns["add"](2, 3) == 5
    assert_intact(shell, flow, graph)


def test_a_refused_first_definition_binds_nothing(shell):
    with pytest.raises(UsageError, match="flow 'fresh' was not defined"):
        define(shell, "fresh", "def lonely(a: int) -> int:\n    return a\n\nboom()\n")
    assert "lonely" not in shell.user_ns and "fresh" not in shell.user_ns


# -- options: IPython's magic_arguments ------------------------------------------------------


def test_options_are_parsed_and_mistakes_show_the_usage(calc, capsys):
    shell, flow, graph = calc
    text = shell.run_line_magic("dffml", "export calc --format=yaml")
    assert text.startswith("operations:") or "operations:" in text
    assert shell.run_line_magic("dffml", "export calc -f mermaid").startswith("flowchart")
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("dffml", "export calc --fromat yaml")
    message = str(caught.value)
    assert "unrecognized arguments: --fromat yaml" in message
    assert "usage: %dffml export [-f FORMAT] [-o FILE] [-m MODULE] NAME" in message
    with pytest.raises(UsageError, match="required: NAME"):
        shell.run_line_magic("dffml", "show")
    with pytest.raises(UsageError, match="unrecognized arguments: extra"):
        shell.run_line_magic("dffml", "list extra")
    with pytest.raises(UsageError, match="unrecognized arguments: --strict"):
        shell.run_line_magic("dffml", "run calc a=1 b=2 --strict")
    capsys.readouterr()
    assert shell.run_line_magic("dffml", "run -h") is None
    out = capsys.readouterr().out
    assert out.startswith("usage: %dffml run [-sources VAR [VAR ...]] [-record-def DEF]"), out
    assert "NAME [DEFINITION=VALUE ...]" in out and "-sources VAR [VAR ...]" in out
    assert re.search(r"DEFINITION=VALUE +an input by definition name", out), out


# -- writing files: one-line errors ---------------------------------------------------------


def test_export_into_a_missing_folder_is_one_line(calc, tmp_path, capsys):
    shell, flow, graph = calc
    target = tmp_path / "missing" / "dir" / "f.json"
    result = shell.run_cell(f"%dffml export calc --format json -o {target}")
    assert isinstance(result.error_in_exec, UsageError)
    message = str(result.error_in_exec)
    assert len(message.splitlines()) == 1, message
    assert str(target) in message and "no folder" in message and "create it" in message
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert not target.parent.exists()
    # a folder where the file should be: still one line, naming it
    folder = tmp_path / "taken.json"
    folder.mkdir()
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("dffml", f"export calc -o {folder}")
    assert str(folder) in str(caught.value) and len(str(caught.value).splitlines()) == 1
