"""Models over HTTP on a real server: predict gives the CLI's JSON, train saves atomically
(an interrupted train leaves the previous model loadable), score, reload on change."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
from http_support import (
    MODEL_FLAGS,
    NEW_ROWS,
    QUICKSTART_ROWS,
    auth,
    cli,
    cli_server,
    salary_of,
    train_with_cli,
    trained_model,
)

from dffml_nb.http import Client, serve
from dffml_nb.http.loading import load_model_dir
from dffml_nb.http.problems import MEDIA_TYPE

PREDICT = "/v1/models/salary/predict"


def records(rows):
    return [{"features": row} for row in rows]


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory) -> Path:
    """The quickstart trained once with the CLI (each test gets its own copy)."""
    return train_with_cli(tmp_path_factory.mktemp("quickstart"))


@pytest.fixture
def model_dir(trained_dir, tmp_path) -> Path:
    shutil.copytree(trained_dir.parent, tmp_path, dirs_exist_ok=True)
    return tmp_path / trained_dir.name


@pytest.fixture
def server(model_dir):
    with serve(models={"salary": str(model_dir)}) as running:
        yield running


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, headers=auth(server.token), timeout=60) as client:
        yield client


def test_predict_returns_the_clis_predict_json(http, model_dir):
    expected = json.loads(
        cli(
            "predict",
            "all",
            *MODEL_FLAGS,
            "-model-location",
            str(model_dir),
            "-sources",
            "f=csv",
            "-source-filename",
            "predict.csv",
            cwd=model_dir.parent,
        ).stdout
    )
    response = http.post(PREDICT, json={"records": records(NEW_ROWS)})
    assert response.status_code == 200
    got = response.json()["records"]
    assert [r["key"] for r in got] == [r["key"] for r in expected] == ["0", "1"]
    for mine, theirs in zip(got, expected):
        assert set(mine) == {"key", "features", "prediction"}
        assert mine["features"] == theirs["features"]
        assert mine["prediction"]["Salary"]["value"] == pytest.approx(
            theirs["prediction"]["Salary"]["value"]
        )
        assert mine["prediction"]["Salary"]["confidence"] == pytest.approx(
            theirs["prediction"]["Salary"]["confidence"]
        )
    assert [r["prediction"]["Salary"]["value"] for r in got] == pytest.approx([70, 80])


def test_plain_numbers_and_text_values_predict_the_same(http):
    """JSON numbers take the fast path; text needs converting and takes the general one."""
    plain = [{"key": "a", "features": {"Years": 6, "Expertise": 13, "Trust": 0.7}}]
    texts = [{"key": "a", "features": {"Years": "6", "Expertise": "13", "Trust": "0.7"}}]
    whole = [{"key": "a", "features": {"Years": 6, "Expertise": 13, "Trust": 1}}]
    fast, slow = (http.post(PREDICT, json={"records": r}).json() for r in (plain, texts))
    assert fast["records"][0]["features"] == slow["records"][0]["features"]
    assert fast["records"][0]["prediction"]["Salary"]["value"] == pytest.approx(
        slow["records"][0]["prediction"]["Salary"]["value"]
    )
    # an int given for a float feature comes back as the float the model used
    assert (
        http.post(PREDICT, json={"records": whole}).json()["records"][0]["features"]["Trust"] == 1.0
    )
    bad = http.post(
        PREDICT, json={"records": [{"features": {"Years": "six", "Expertise": 1, "Trust": 1}}]}
    )
    assert bad.status_code == 422 and "six" in bad.json()["detail"]


def test_batch_predict_keeps_order_and_keys(http):
    rows = [
        {"key": f"k{i}", "features": {"Years": i, "Expertise": 2 * i + 1, "Trust": 0.1 * (i + 1)}}
        for i in range(1000)
    ]
    got = http.post(PREDICT, json={"records": rows}).json()["records"]
    assert [r["key"] for r in got] == [f"k{i}" for i in range(1000)]
    values = [r["prediction"]["Salary"]["value"] for r in got]
    assert values == pytest.approx([salary_of(i) for i in range(1000)])


def test_models_lists_what_is_served(http):
    assert http.get("/v1/models").json() == {
        "models": [
            {
                "name": "salary",
                "model": "scikitlr",
                "features": ["Years:int:1", "Expertise:int:1", "Trust:float:1"],
                "predict": "Salary:float:1",
                "trained": True,
            }
        ]
    }


def test_score_is_the_python_apis_score_and_writes_nothing(http, model_dir):
    from dffml_nb import score

    rows = [{**row, "Salary": salary_of(row["Years"]) + 1} for row in NEW_ROWS]
    saved = (model_dir / "model.json").stat().st_mtime_ns
    response = http.post(
        "/v1/models/salary/score", json={"scorer": "mse", "records": records(rows)}
    )
    assert response.status_code == 200
    assert response.json()["score"] == pytest.approx(1.0)
    assert response.json()["score"] == pytest.approx(
        score(trained_model(), "mse", "Salary:float:1", rows)
    )
    assert (model_dir / "model.json").stat().st_mtime_ns == saved  # served read-only
    response = http.post(
        "/v1/models/salary/score", json={"scorer": "nope", "records": records(rows)}
    )
    assert response.status_code == 422 and "body.scorer" in response.json()["detail"]


def test_train_saves_atomically_and_serves_the_new_model(http, model_dir):
    doubled = [{**row, "Salary": 2 * row["Salary"]} for row in QUICKSTART_ROWS]
    response = http.post("/v1/models/salary/train", json={"records": records(doubled)})
    assert response.status_code == 200 and response.json()["trained"] is True
    got = http.post(PREDICT, json={"records": records(NEW_ROWS)}).json()["records"]
    assert [r["prediction"]["Salary"]["value"] for r in got] == pytest.approx([140, 160])
    reloaded = load_model_dir(model_dir)  # what was saved is the new model
    assert [r.prediction("Salary").value for r in reloaded.predict(NEW_ROWS)] == pytest.approx(
        [140, 160]
    )
    # one state file (the old one removed once nothing referred to it), no temporary files
    names = sorted(p.name for p in model_dir.iterdir() if not p.name.startswith("."))
    assert len(names) == 2 and names[1] == "model.json" and names[0].endswith(".skops")


def test_a_train_that_fails_to_save_keeps_the_previous_model(http, model_dir, monkeypatch):
    from dffml_nb.df import atomic
    from dffml_nb.model import persist

    real = atomic.write_atomic

    def disk_full(path, data, **options):
        if Path(path).name == persist.METADATA:  # the state file is written, the commit fails
            raise OSError(28, "No space left on device")
        return real(path, data, **options)

    monkeypatch.setattr(atomic, "write_atomic", disk_full)
    doubled = [{**row, "Salary": 2 * row["Salary"]} for row in QUICKSTART_ROWS]
    response = http.post("/v1/models/salary/train", json={"records": records(doubled)})
    assert response.status_code == 500 and response.headers["content-type"] == MEDIA_TYPE
    assert "No space left" in response.json()["detail"]
    assert "previous model" in response.json()["detail"]
    monkeypatch.undo()
    got = http.post(PREDICT, json={"records": records(NEW_ROWS)}).json()["records"]
    assert [r["prediction"]["Salary"]["value"] for r in got] == pytest.approx([70, 80])
    reloaded = load_model_dir(model_dir)
    assert [r.prediction("Salary").value for r in reloaded.predict(NEW_ROWS)] == pytest.approx(
        [70, 80]
    )


def test_a_model_retrained_elsewhere_is_picked_up(http, model_dir):
    """Another process (a worker, dffml-nb train) saves to the served location: the server
    reloads it on the next request, without a restart."""
    time.sleep(0.01)  # a different mtime
    halved = [{**row, "Salary": row["Salary"] / 2} for row in QUICKSTART_ROWS]
    model = load_model_dir(model_dir)
    type(model)(**model.config()).fit(halved)
    got = http.post(PREDICT, json={"records": records(NEW_ROWS)}).json()["records"]
    assert [r["prediction"]["Salary"]["value"] for r in got] == pytest.approx([35, 40])


def _salary(service, row) -> float:
    (got,) = service.predict("salary", records([row]))
    return got["prediction"]["Salary"]["value"]


def test_a_model_read_just_before_another_save_is_not_taken_for_the_new_one(model_dir):
    """A worker reads the model, another process saves a new one, and only then does the
    worker start serving (what a slow worker start next to a train does): it serves the new."""
    from dffml_nb.http.service import Service

    location = model_dir
    old = load_model_dir(location)
    halved = [{**row, "Salary": row["Salary"] / 2} for row in QUICKSTART_ROWS]
    type(old)(**old.config()).fit(halved)  # saves to the same location
    service = Service(models={"salary": old})
    assert _salary(service, NEW_ROWS[0]) == pytest.approx(35)


def test_saves_within_one_clock_tick_are_told_apart(model_dir):
    """Two saves with the same mtime (a coarse file-system clock): the new one is served."""
    from dffml_nb.http.service import Service

    location = model_dir
    service = Service(models={"salary": load_model_dir(location)})
    assert _salary(service, NEW_ROWS[0]) == pytest.approx(70)
    before = os.stat(location / "model.json")
    doubled = [{**row, "Salary": row["Salary"] * 2} for row in QUICKSTART_ROWS]
    model = load_model_dir(location)
    type(model)(**model.config()).fit(doubled)
    os.utime(location / "model.json", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _salary(service, NEW_ROWS[0]) == pytest.approx(140)


def test_an_untrained_model_is_409(tmp_path):
    from dffml_nb.model import Model

    untrained = Model.load("scikitlr")(features=["x:int:1"], predict="y:float:1")
    with serve(models={"fresh": untrained}) as running:
        response = httpx.post(
            f"{running.url}/v1/models/fresh/predict",
            headers=auth(running.token),
            json={"records": [{"features": {"x": 1}}]},
        )
    assert response.status_code == 409 and "not trained" in response.json()["detail"]


# -- the Python client -----------------------------------------------------------------------------


def test_client_predict_dataframe_in_dataframe_out(server):
    from dffml_nb import predict

    frame = pd.DataFrame(NEW_ROWS, index=["alice", "bob"])
    remote = Client(server.url, server.token).predict("salary", frame)
    local = predict(trained_model(), frame, as_frame=True)
    pd.testing.assert_frame_equal(remote, local, check_dtype=False, check_names=False)
    assert list(remote.index) == ["alice", "bob"]


def test_client_predict_records_and_train_and_score(server):
    client = Client(server.url, server.token)
    [first, second] = client.predict("salary", *NEW_ROWS)
    assert (first.key, second.key) == ("0", "1")
    assert first.prediction("Salary").value == pytest.approx(70)
    assert client.train("salary", pd.DataFrame(QUICKSTART_ROWS))["trained"] is True
    assert client.score("salary", "r2", pd.DataFrame(QUICKSTART_ROWS)) == pytest.approx(1.0)
    assert client.models()[0]["name"] == "salary"


# -- interrupted trains ------------------------------------------------------------------------------


def _slow_rows(count: int) -> list[dict]:
    return [
        {
            "features": {
                "Years": i % 50,
                "Expertise": i % 17,
                "Trust": (i % 10) / 10,
                "Salary": i % 97,
            }
        }
        for i in range(count)
    ]


@pytest.mark.slow
def test_a_server_killed_mid_train_leaves_the_previous_model_loadable(tmp_path):
    """``kill -9`` while a long train runs: the directory still loads the previous model."""
    from dffml_nb.examples.quickstart import write_data

    write_data(tmp_path)
    forest = tmp_path / "forest"
    flags = ["-model", "scikitrfr", *MODEL_FLAGS[2:], "-model-n_estimators", "300"]
    result = cli(
        "train",
        *flags,
        "-model-location",
        str(forest),
        "-sources",
        "f=csv",
        "-source-filename",
        "training.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    before = [r.prediction("Salary").value for r in load_model_dir(forest).predict(NEW_ROWS)]
    with cli_server("-model", f"forest={forest}", cwd=tmp_path) as running:
        try:
            httpx.post(
                f"{running.url}/v1/models/forest/train",
                headers=auth(running.token),
                json={"records": _slow_rows(20000)},
                timeout=2,
            )
        except httpx.ReadTimeout:
            pass  # the train is now running in the server
        else:
            pytest.fail("20,000 rows x 300 trees trained within 2 s: the test needs a slower train")
        os.kill(running.process.pid, signal.SIGKILL)
        running.process.wait(10)
    after = [r.prediction("Salary").value for r in load_model_dir(forest).predict(NEW_ROWS)]
    assert after == pytest.approx(before)


def test_a_client_leaving_mid_train_loses_nothing(server, model_dir):
    """The train goes on in the server and commits; the model stays loadable throughout."""
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{server.url}/v1/models/salary/train",
            headers=auth(server.token),
            json={"records": _slow_rows(100000)},  # about 7 MiB: under the body limit
            timeout=0.3,
        )
    assert load_model_dir(model_dir).is_trained
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = httpx.post(
            f"{server.url}{PREDICT}",
            headers=auth(server.token),
            json={"records": records(NEW_ROWS)},
        )
        assert response.status_code == 200  # served all along
        if response.json()["records"][0]["prediction"]["Salary"]["value"] != pytest.approx(70):
            break  # the new model is in
        time.sleep(0.2)
    else:
        pytest.fail("the train never finished")
    assert load_model_dir(model_dir).is_trained


def test_a_classifier_predicts_labels_with_probabilities():
    from dffml_nb import predict
    from dffml_nb.model import Model

    rows = [{"x": float(i), "label": "low" if i < 5 else "high"} for i in range(10)]
    model = Model.load("scikitlor")(features=["x:float:1"], predict="label:str:1").fit(rows)
    with serve(models={"kind": model}) as running:
        got = Client(running.url, running.token).predict("kind", {"x": 1.0}, {"x": 8.0})
    local = predict(model, {"x": 1.0}, {"x": 8.0})
    assert [r.prediction("label").value for r in got] == ["low", "high"]
    for remote, mine in zip(got, local):
        assert remote.prediction("label").confidence == pytest.approx(
            mine.prediction("label").confidence
        )
