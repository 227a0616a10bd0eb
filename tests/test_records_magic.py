"""``%dffml run NAME -sources VAR [-record-def DEF] [-columnar]``: a flow of the notebook over
records; returns the new DataFrame; the graph animated with a progress bar over records."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from IPython import get_ipython
from IPython.core.interactiveshell import InteractiveShell
from IPython.testing.globalipapp import start_ipython

from dffml_nb import load_ipython_extension

FEATURES = """
def years(Text: str) -> int:
    return int(Text.split()[0])

def ratio(Salary: float, years: int) -> float:
    if years == 0:
        raise ValueError("no years")
    return Salary / years
"""


@pytest.fixture
def shell():
    start_ipython()
    # the test process's shell; another test may have cleared it (InteractiveShell.clear_instance)
    ip = get_ipython() or InteractiveShell.instance()
    ip.run_line_magic("load_ext", "dffml_nb")
    ip._dffml_magics = None  # a fresh registry per test
    load_ipython_extension(ip)
    magics = ip._dffml_magics
    ip.run_cell_magic("dffml", "flow feats", textwrap.dedent(FEATURES))
    ip.user_ns["raw"] = pd.DataFrame(
        {"Text": [f"{n} years" for n in range(1, 6)], "Salary": [10.0 * n for n in range(1, 6)]},
        index=list("abcde"),
    )
    yield ip
    for graph in magics.graphs.values():
        graph.close()
    for name in ("feats", "raw", "out"):
        ip.user_ns.pop(name, None)


def test_returns_the_dataframe_and_animates_the_graph_over_records(shell):
    raw = shell.user_ns["raw"].copy()
    out = shell.run_line_magic("dffml", "run feats -sources raw")
    assert isinstance(out, pd.DataFrame) and list(out.index) == list("abcde")
    assert out["ratio"].tolist() == [10.0] * 5
    pd.testing.assert_frame_equal(shell.user_ns["raw"], raw)  # the variable is not changed
    graph = shell._dffml_magics.graphs["feats"]
    assert graph.status == {"years": "done", "ratio": "done"}
    assert graph.counts["years"]["finished"] == 5
    assert graph.progress.bar.value == 5 and graph.progress.bar.max == 5
    assert "5 records" in graph.progress.label.value


def test_record_def_inputs_and_columnar(shell):
    shell.run_cell_magic(
        "dffml", "flow tags", "def tag(key: str, prefix: str) -> str:\n    return prefix + key\n"
    )
    out = shell.run_line_magic("dffml", "run tags prefix=id- -sources raw -record-def key")
    assert out["tag"].tolist() == ["id-a", "id-b", "id-c", "id-d", "id-e"]
    shell.run_cell_magic(
        "dffml", "flow cols", "def doubled(Salary: object) -> object:\n    return Salary * 2\n"
    )
    out = shell.run_line_magic("dffml", "run cols -sources raw -columnar")
    assert out["doubled"].tolist() == [20.0, 40.0, 60.0, 80.0, 100.0]
    shell.user_ns.pop("tags", None)
    shell.user_ns.pop("cols", None)


def test_mistakes_are_one_line(shell, capsys):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="no variable 'nope' in the notebook"):
        shell.run_line_magic("dffml", "run feats -sources nope")
    with pytest.raises(UsageError, match="-record-def and -columnar go with -sources"):
        shell.run_line_magic("dffml", "run feats -columnar")
    assert shell.run_line_magic("dffml", "run feats -sources raw -record-def zz") is None
    assert "record_def 'zz' names no definition" in capsys.readouterr().err
    shell.user_ns["raw"].loc["c", "Text"] = "0 years"
    assert shell.run_line_magic("dffml", "run feats -sources raw") is None
    err = capsys.readouterr().err
    assert "ratio" in err and "'c'" in err and "no years" in err
    assert shell._dffml_magics.graphs["feats"].status["ratio"] == "failed"
