"""``%dffml serve``: the notebook's flows and models over HTTP, through a real IPython shell."""

from __future__ import annotations

import httpx
import pytest

pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from dffml_nb.http import Client  # noqa: E402


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    assert sh.run_cell("%load_ext dffml_nb").success
    assert sh.run_cell("%%dffml flow calc\ndef double(x: int) -> int:\n    return 2 * x\n").success
    assert sh.run_cell(
        "from dffml_nb.model import Model\n"
        "model = Model.load('scikitlr')(features=['x:int:1'], predict='y:float:1')\n"
        "model.fit([{'x': 1, 'y': 2}, {'x': 2, 'y': 4}])\n"
        "not_served = 42\n"
    ).success
    yield sh
    sh.run_cell("%dffml serve stop")
    InteractiveShell.clear_instance()


def test_serve_named_flows_and_models_and_stop(shell):
    assert shell.run_cell("server = %dffml serve calc model").success
    server = shell.user_ns["server"]
    client = Client(server.url, server.token)
    assert client.flows() == ["calc"]
    assert client.run("calc", {"x": 21}) == {"0": {"double": 42}}
    assert client.predict("model", {"x": 3})[0].prediction("y").value == pytest.approx(6)
    assert shell.run_cell("x = 1 + 1").success and shell.user_ns["x"] == 2  # the kernel works on
    assert shell.run_cell("%dffml serve stop").success
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz", timeout=2)


def test_serve_everything_by_default_with_flags(shell):
    assert shell.run_cell("server = %dffml serve -token secret-token -timeout 5").success
    server = shell.user_ns["server"]
    assert server.token == "secret-token"
    assert set(server.service.flows) == {"calc"} and set(server.service.models) == {"model"}


def test_a_switch_takes_no_value_names_after_it_are_served(shell):
    # `-no-auth calc`: calc is a name to serve, not a value of the switch
    assert shell.run_cell("server = %dffml serve -no-auth calc").success
    server = shell.user_ns["server"]
    assert server.token is None
    assert set(server.service.flows) == {"calc"} and not server.service.models
    assert httpx.get(f"{server.url}/v1/flows", timeout=5).json()["flows"] == ["calc"]


@pytest.mark.parametrize(
    "line, message",
    [
        ("%dffml serve nothere", "'nothere' is not a flow"),
        ("%dffml serve not_served", "'not_served' is not a flow"),
        ("%dffml serve calc -bogus", "unknown flag -bogus"),
        ("%dffml serve calc -prot 8080", "did you mean -port?"),
        ("%dffml serve calc -host 0.0.0.0", "without a token you chose"),
    ],
)
def test_mistakes_are_one_clear_message(shell, line, message, capsys):
    result = shell.run_cell(line)
    assert not result.success
    error = result.error_in_exec or result.error_before_exec
    assert message in str(error)
    assert "Traceback" not in capsys.readouterr().out
