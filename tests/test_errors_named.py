"""Bad input is one clear exception (a ValueError) that names the file, the line,
the record or the feature at fault and says what would be right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dffml_nb.high_level import load, predict, save, score, train
from dffml_nb.model import MissingValueError, Model, ModelFileError
from dffml_nb.record import Record
from dffml_nb.source import SourceError, as_frame

ROWS = [{"Years": 0, "Salary": 10}, {"Years": 1, "Salary": 20}, {"Years": 2, "Salary": 30}]


def trained(tmp_path: Path | None = None) -> Model:
    model = Model.load("scikitlr")(
        features=["Years:int:1"], predict="Salary:float:1", location=tmp_path
    )
    return train(model, ROWS)


def one_line(error: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(error.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# -- CSV files that do not parse ------------------------------------------------------


@pytest.mark.parametrize("read", [load, as_frame], ids=["load", "as_frame"])
def test_csv_unclosed_quote_names_file_and_line(tmp_path: Path, read: object) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('Years,Salary\n1,10\n2,"20\n3,30\n')
    with pytest.raises(SourceError) as raised:
        read(path)  # type: ignore[operator]
    message = one_line(raised)
    assert f"{path}, line 3" in message and "quote" in message


@pytest.mark.parametrize("read", [load, as_frame], ids=["load", "as_frame"])
def test_csv_ragged_row_names_file_and_line(tmp_path: Path, read: object) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text('Years,Salary\n1,10\n"two\nlines",20\n3,30,extra\n')
    with pytest.raises(SourceError) as raised:
        read(path)  # type: ignore[operator]
    message = one_line(raised)
    assert f"{path}, line 5" in message
    assert "3 fields" in message and "2 columns" in message


def test_csv_in_another_encoding_names_file_and_says_how(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Name,Salary\nJosé,10\n".encode("latin-1"))
    with pytest.raises(SourceError) as raised:
        load(path)
    message = one_line(raised)
    assert str(path) in message and "utf-8" in message and "encoding=" in message


# -- a .sqlite file that is not a database ----------------------------------------


@pytest.mark.parametrize("suffix", [".sqlite", ".db"])
def test_not_a_database_names_the_file_and_what_it_should_be(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    text = "Years,Salary\n1,10\n" * 200
    path.write_text(text)
    for attempt in (load, as_frame, lambda p: save(p, Record("a", {"Years": 1}))):
        with pytest.raises(SourceError) as raised:
            attempt(path)
        message = one_line(raised)
        assert f"{path} is not an SQLite database" in message
        assert "SQLite 3 database file" in message
    assert path.read_text() == text  # never written


# -- JSON nested beyond what Python can parse ----------------------------------------


@pytest.mark.parametrize("where", ["top", "record"])
def test_deeply_nested_json_names_the_file(tmp_path: Path, where: str) -> None:
    path = tmp_path / "deep.json"
    deep = "[" * 100_000 + "]" * 100_000
    if where == "top":
        path.write_text(deep)
    else:
        path.write_text('{"records": {"a": {"features": {"x": ' + deep + "}}}}")
    with pytest.raises(SourceError) as raised:
        load(path)
    message = one_line(raised)
    assert str(path) in message and "nested too deeply" in message


# -- model.json with a version this dffml_nb does not read ------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [("x", "'x'"), (None, "no format version"), (0, "0"), (99, "newer"), (True, "True")],
)
def test_model_json_bad_version_says_which_are_supported(
    tmp_path: Path, version: object, expected: str
) -> None:
    trained(tmp_path)
    metadata = tmp_path / "model.json"
    document = json.loads(metadata.read_text())
    if version is None:
        del document["version"]
    else:
        document["version"] = version
    metadata.write_text(json.dumps(document))
    with pytest.raises(ModelFileError) as raised:
        predict(Model.load("scikitlr")(location=tmp_path), {"Years": 1})
    message = one_line(raised)
    assert str(metadata) in message and expected in message
    assert "supports format version 1" in message


# -- NaN in a row to predict or score ------------------------------------------------


def test_missing_feature_in_prediction_row_names_record_and_feature(tmp_path: Path) -> None:
    model = trained()
    path = tmp_path / "new.csv"
    path.write_text("key,Years\nalice,1\nbob,\ncarol,3\n")
    for attempt in (
        lambda: predict(model, path),
        lambda: predict(model, path, as_frame=True),
        lambda: predict(model, [{"key": "x", "Years": 1}, {"key": "bob", "Years": None}]),
    ):
        with pytest.raises(MissingValueError) as raised:
            attempt()
        message = one_line(raised)
        assert "record 'bob'" in message and "'Years'" in message
        assert isinstance(raised.value, ValueError)


def test_missing_value_in_scoring_names_record_and_feature() -> None:
    model = trained()
    with pytest.raises(MissingValueError, match="record '1'.*'Years'"):
        score(model, "mse", "Salary:float:1", {"Years": 1, "Salary": 20}, {"Salary": 30})
    with pytest.raises(MissingValueError, match="record '1'.*'Salary'"):
        score(model, "mse", "Salary:float:1", {"Years": 1, "Salary": 20}, {"Years": 2})


def test_missing_value_in_a_flow_operation_names_the_feature() -> None:
    from dffml_nb.df import DataFlow, run_sync

    flow = DataFlow(trained().as_op())
    with pytest.raises(Exception) as raised:
        run_sync(flow, {"ctx": {"Years": float("nan")}})
    assert "'Years'" in str(raised.value) and "missing" in str(raised.value)


# -- a model location that cannot be written -------------------------------------------


def untrained(location: Path) -> Model:
    return Model.load("scikitlr")(
        features=["Years:int:1"], predict="Salary:float:1", location=location
    )


def test_training_into_a_location_below_a_file_names_the_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    location = tmp_path / "notes.txt" / "model"
    with pytest.raises(ModelFileError) as raised:
        train(untrained(location), ROWS)
    message = one_line(raised)
    assert f"cannot save the model to '{location}'" in message
    assert "not a directory" in message and "location" in message


def test_training_into_a_location_that_is_a_file_names_it(tmp_path: Path) -> None:
    location = tmp_path / "model"
    location.write_text("a file")
    with pytest.raises(ModelFileError) as raised:
        train(untrained(location), ROWS)
    assert f"'{location}'" in one_line(raised)
    assert location.read_text() == "a file"


def test_training_into_an_unwritable_directory_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    location = tmp_path / "readonly"
    location.mkdir()
    location.chmod(0o555)
    if os.geteuid() == 0:  # root ignores permission bits: answer as for everyone else
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: str(path) != str(location))
    try:
        with pytest.raises(ModelFileError) as raised:
            train(untrained(location / "model"), ROWS)
    finally:
        location.chmod(0o755)
    message = one_line(raised)
    assert f"cannot save the model to '{location / 'model'}'" in message
    assert "permission" in message
    assert list(location.iterdir()) == []


def test_a_save_refused_by_the_file_system_names_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    location = tmp_path / "model"
    location.mkdir()
    real_open = os.open

    def denied(path: object, *args: object, **kwargs: object) -> int:
        # the kernel's answer once the folder stopped being writable (after the check)
        if str(path).startswith(str(location) + os.sep):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ModelFileError) as raised:
        train(untrained(location), ROWS)
    monkeypatch.undo()
    message = one_line(raised)
    assert f"cannot save the model to '{location}'" in message and "permission" in message
    assert list(location.iterdir()) == []
