"""``POST /v1/flows/{name}/records`` and ``Client.run_records``: a flow over records, each
record one context, results merged into its features (``dffml_nb.run_records``).

These need ``dffml_nb.run_records`` (DESIGN.md, "Dataflows over records"), built on
another branch: until it is merged they fail (the route answers 500).
"""

from __future__ import annotations

import httpx
import pandas as pd
import pytest
from http_support import auth

from dffml_nb.df import DataFlow, op
from dffml_nb.http import Client, serve


@op
def bonus(Salary: float) -> float:
    if Salary < 0:
        raise ValueError("a negative salary")
    return Salary / 10


@op
def tagged(key: str) -> str:
    return f"record {key}"


@pytest.fixture(scope="module")
def server():
    with serve({"bonus": DataFlow(bonus), "tagged": DataFlow(tagged)}) as running:
        yield running


@pytest.fixture
def client(server):
    with Client(server.url, server.token) as connected:
        yield connected


ROWS = [{"key": "a", "features": {"Salary": 100.0, "Years": 1}}, {"features": {"Salary": 50.0}}]


def test_records_route_adds_the_flows_results(server):
    response = httpx.post(
        f"{server.url}/v1/flows/bonus/records", headers=auth(server.token), json={"records": ROWS}
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["records"] == [
        {"key": "a", "features": {"Salary": 100.0, "Years": 1, "bonus": 10.0}},
        {"key": "1", "features": {"Salary": 50.0, "bonus": 5.0}},
    ]
    assert document["errors"] == []


def test_records_route_record_def_seeds_the_key(server):
    response = httpx.post(
        f"{server.url}/v1/flows/tagged/records",
        headers=auth(server.token),
        json={"records": ROWS, "record_def": "key"},
    )
    assert [r["features"]["tagged"] for r in response.json()["records"]] == ["record a", "record 1"]


def test_records_route_non_strict_reports_each_failure(server):
    rows = [
        {"key": "ok", "features": {"Salary": 10.0}},
        {"key": "bad", "features": {"Salary": -1.0}},
    ]
    response = httpx.post(
        f"{server.url}/v1/flows/bonus/records",
        headers=auth(server.token),
        json={"records": rows, "strict": False},
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["records"][0]["features"]["bonus"] == 1.0
    assert document["records"][1]["features"] == {"Salary": -1.0}  # kept, nothing added
    [error] = document["errors"]
    assert error["context"] == "bad" and error["operation"] == "bonus"
    assert "negative salary" in error["message"]


def test_records_route_strict_failure_is_422(server):
    response = httpx.post(
        f"{server.url}/v1/flows/bonus/records",
        headers=auth(server.token),
        json={"records": [{"key": "bad", "features": {"Salary": -1.0}}]},
    )
    assert response.status_code == 422
    assert response.json()["operation"] == "bonus"


def test_records_route_unknown_flow_is_404(server):
    response = httpx.post(
        f"{server.url}/v1/flows/nope/records", headers=auth(server.token), json={"records": ROWS}
    )
    assert response.status_code == 404


def test_client_run_records_dataframe_in_dataframe_out(client):
    frame = pd.DataFrame({"Salary": [100.0, 50.0], "Years": [1, 2]}, index=["x", "y"])
    original = frame.copy()
    out = client.run_records("bonus", frame)
    pd.testing.assert_frame_equal(frame, original)  # never modified in place
    assert list(out.index) == ["x", "y"]
    assert list(out.columns) == ["Salary", "Years", "bonus"]
    assert out["bonus"].tolist() == [10.0, 5.0]


def test_client_run_records_rows_give_records(client):
    [first, second] = client.run_records("bonus", {"Salary": 10.0}, {"Salary": 20.0})
    assert (first.key, first.feature("bonus")) == ("0", 1.0)
    assert (second.key, second.feature("bonus")) == ("1", 2.0)
