"""Record: DFFML's record API (features, predictions, export) and its reprs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dffml_nb.record import Prediction, Record


def quickstart_record() -> Record:
    return Record(0, {"Years": 0, "Expertise": 1, "Trust": 0.1, "Salary": 10})


def test_key_is_str() -> None:
    assert quickstart_record().key == "0"
    assert Record("abc").key == "abc"


def test_features_all_and_subset() -> None:
    record = quickstart_record()
    assert record.features() == {"Years": 0, "Expertise": 1, "Trust": 0.1, "Salary": 10}
    assert record.features(["Years", "Trust"]) == {"Years": 0, "Trust": 0.1}
    # DFFML: a subset with a missing feature is empty, so incomplete records are skipped
    assert record.features(["Years", "Height"]) == {}
    record.features()["Years"] = 99  # a copy: the record is unchanged
    assert record.feature("Years") == 0


def test_feature_missing_names_feature_and_record() -> None:
    with pytest.raises(KeyError) as raised:
        quickstart_record().feature("Height")
    assert "'Height'" in str(raised.value)
    assert "'0'" in str(raised.value)


def test_predictions() -> None:
    record = quickstart_record()
    assert record.prediction("Salary") == Prediction(None, 0.0)  # DFFML's empty prediction
    record.predicted("Salary", 10.5, 0.9)
    prediction = record.prediction("Salary")
    assert (prediction.value, prediction.confidence) == (10.5, 0.9)
    assert record.predictions == {"Salary": Prediction(10.5, 0.9)}
    record.predicted("Band", "low")
    assert record.prediction("Band").confidence is None  # undefined, not invented


def test_predictions_accept_dicts_and_pairs() -> None:
    record = Record("k", {}, {"a": {"value": 1, "confidence": 0.5}, "b": (2, 0.25)})
    assert record.prediction("a") == Prediction(1, 0.5)
    assert record.prediction("b") == Prediction(2, 0.25)
    with pytest.raises(TypeError):
        Record("k", {}, {"a": 3})


def test_export_and_from_dict() -> None:
    record = quickstart_record()
    record.predicted("Salary", 10.5, 0.9)
    exported = record.export()
    assert exported == {
        "key": "0",
        "features": {"Years": 0, "Expertise": 1, "Trust": 0.1, "Salary": 10},
        "predictions": {"Salary": {"value": 10.5, "confidence": 0.9}},
    }
    assert Record.from_dict(exported) == record
    with_extra = Record("x", {"a": 1}, extra={"source": "test"})
    assert with_extra.export()["extra"] == {"source": "test"}
    assert Record.from_dict(with_extra.export()) == with_extra


def test_from_dict_reads_dffml_spelling_and_outside_key() -> None:
    data = {"features": {"a": 1}, "prediction": {"b": {"value": 2, "confidence": 1.0}}}
    record = Record.from_dict(data, key="7")
    assert record.key == "7"
    assert record.prediction("b") == Prediction(2, 1.0)
    with pytest.raises(ValueError, match="no 'key'"):
        Record.from_dict({"features": {}})


def test_equality() -> None:
    assert quickstart_record() == quickstart_record()
    other = quickstart_record()
    other.predicted("Salary", 1, 1.0)
    assert other != quickstart_record()
    assert Record("1", {"a": 1}) != Record("2", {"a": 1})
    assert quickstart_record() != "0"


def test_merge_copy_evaluated() -> None:
    record = Record("k", {"a": 1, "b": 2})
    record.merge(Record("k", {"b": 3, "c": 4}, {"t": (1, 0.5)}))
    assert record.features() == {"a": 1, "b": 3, "c": 4}
    assert record.prediction("t") == Prediction(1, 0.5)
    copy = record.copy()
    copy.evaluated({"d": 5})
    assert "d" not in record.features()
    assert copy.evaluated({"z": 0}, overwrite=True).features() == {"z": 0}


def test_repr() -> None:
    record = Record("k", {"a": 1})
    assert repr(record) == "Record('k', features={'a': 1})"
    record.predicted("t", 2, 0.5)
    assert "predictions={'t': Prediction(value=2, confidence=0.5)}" in repr(record)


def test_repr_html_escapes() -> None:
    record = Record("<k&>", {"<b>": "<script>alert(1)</script>"})
    record.predicted("Salary", 10.5, 0.875)
    html = record._repr_html_()
    assert html.startswith("<table")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;k&amp;&gt;" in html
    assert "&lt;b&gt;" in html
    assert "Salary" in html and "10.5" in html and "0.875" in html


def test_import_does_not_load_pandas() -> None:
    code = (
        "import sys, dffml_nb, dffml_nb.record, dffml_nb.feature, dffml_nb.source; "
        "print('pandas' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
