"""The operations library: DFFML's names, docstring examples that run, results equal to
scikit-learn's for the data cleanup operations."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from dffml_nb import DataFlow, plugins, run_records, run_sync
from dffml_nb.df import Input, OperationError, get_single
from dffml_nb.operations import (
    create_mapping,
    literal_eval,
    mapping_extract_value,
    one_hot_encoder,
    simple_imputer,
    standard_scaler,
)

MODULES = [
    "mapping",
    "preprocess",
    "printing",
    "arithmetic",
    "cleanup",
    "records",
    "dataflow",
    "model",
    "db",
]
NAMES = {
    "dffml.mapping.extract": mapping_extract_value,
    "dffml.mapping.create": create_mapping,
    "literal_eval": literal_eval,
    "simple_imputer": simple_imputer,
    "standard_scaler": standard_scaler,
    "one_hot_encoder": one_hot_encoder,
}
LIBRARY_NAMES = [
    "dffml.mapping.extract",
    "dffml.mapping.create",
    "literal_eval",
    "dffml.dataflow.run",
    "dffml.model.predict",
    "db_query_create_table",
    "db_query_insert",
    "db_query_update",
    "db_query_lookup",
    "db_query_remove",
    "db_query_insert_or_update",
    "simple_imputer",
    "standard_scaler",
    "one_hot_encoder",
    "principal_component_analysis",
    "convert_records_to_list",
    "convert_list_to_records",
    "print_output",
    "multiply",
]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    found = importlib.import_module(f"dffml_nb.operations.{module}")
    result = doctest.testmod(found, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_registered_under_dffml_names_and_listed():
    for name, operation in NAMES.items():
        assert plugins.load("operation", name) is operation
        assert name in plugins.names("operation")
    assert mapping_extract_value.name == "dffml.mapping.extract"
    for name in LIBRARY_NAMES:  # every one registered under its DFFML name, with an example
        operation = plugins.load("operation", name)
        assert operation.name == name
        assert ">>> " in (operation.func.__doc__ or ""), name


def test_flow_file_names_them_by_registered_name(tmp_path):
    path = tmp_path / "flow.json"
    path.write_text(
        '{"definitions": {"InputStr": "str", "EvaluatedStr": "generic"},'
        ' "operations": {"literal_eval": {"name": "literal_eval"}}}'
    )
    assert run_sync(DataFlow.load(path), {"c": {"InputStr": "{'a': [1]}"}}) == {
        "c": {"EvaluatedStr": {"a": [1]}}
    }


def test_mapping_extract_and_create():
    # create feeds extract (mapping), extract feeds create (value): a cycle that settles
    flow = DataFlow(
        create_mapping,
        mapping_extract_value,
        get_single,
        seed=[Input(["mapping"], get_single.inputs["spec"])],
    )
    out = run_sync(flow, {"c": {"key": "k", "value": 7, "mapping_traverse": ["k"]}})
    assert out["c"] == {"mapping": {"k": 7}}
    nested = {"mapping": {"a": {"b": [10, 20]}}, "mapping_traverse": "a.b"}
    assert run_sync(DataFlow(mapping_extract_value), {"c": nested})["c"] == {"value": [10, 20]}
    with pytest.raises(OperationError, match=r"no key 'x' under a \(following"):
        run_sync(DataFlow(mapping_extract_value), {"c": {**nested, "mapping_traverse": "a.x"}})


def test_literal_eval_never_runs_code():
    with pytest.raises(OperationError, match="is not a Python literal"):
        run_sync(DataFlow(literal_eval), {"c": {"InputStr": "__import__('os').getcwd()"}})


MATRIX = [[1.0, 7.0], [math.nan, 5.0], [3.0, math.nan], [3.0, 5.0]]


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
def test_simple_imputer_equals_scikit_learn(strategy):
    ours = simple_imputer(MATRIX, strategy=strategy)
    theirs = SimpleImputer(strategy=strategy).fit_transform(np.array(MATRIX)).tolist()
    assert ours == theirs


def test_simple_imputer_missing_marker_and_bad_strategy():
    assert simple_imputer(["a", "?", "a", "b"], missing_values="?", strategy="most_frequent") == [
        "a",
        "a",
        "a",
        "b",
    ]
    with pytest.raises(ValueError, match="strategy must be one of"):
        simple_imputer([1.0], strategy="average")


def test_standard_scaler_equals_scikit_learn():
    data = [[1.0, 10.0, 3.0], [2.0, 20.0, 3.0], [6.0, 60.0, 3.0]]
    assert np.allclose(standard_scaler(data), StandardScaler().fit_transform(data))
    with pytest.raises(ValueError, match="column 0 is not numeric"):
        standard_scaler([["a"], ["b"]])


def test_one_hot_encoder_equals_scikit_learn_and_refuses_unknown():
    data = [["red", "s"], ["blue", "m"], ["red", "m"]]
    theirs = OneHotEncoder().fit_transform(data).toarray().tolist()
    assert one_hot_encoder(data) == theirs
    given = [["red", "blue", "green"], ["s", "m"]]
    theirs = OneHotEncoder(categories=given).fit_transform(data).toarray().tolist()
    assert one_hot_encoder(data, given) == theirs
    with pytest.raises(ValueError, match="holds 'red', which is not one of its categories"):
        one_hot_encoder(data, [["blue"], ["s", "m"]])


def test_cleanup_on_columns_in_a_columnar_run():
    frame = pd.DataFrame(
        {"Age": [20.0, None, 40.0], "City": ["a", "b", "a"]}, index=["x", "y", "z"]
    )
    flow = DataFlow(
        simple_imputer.replace(name="impute", inputs={"data": "Age"}, outputs={"result": "Age_f"}),
        standard_scaler.replace(
            name="scale", inputs={"data": "Age_f"}, outputs={"result": "Age_s"}
        ),
        one_hot_encoder.replace(
            name="onehot", inputs={"data": "City"}, outputs={"result": "City_oh"}
        ),
    )
    out = run_records(flow, frame, columnar=True)
    assert out["Age_s"].round(6).tolist() == [-1.224745, 0.0, 1.224745]
    assert out[["City_a", "City_b"]].to_dict("list") == {
        "City_a": [1.0, 0.0, 1.0],
        "City_b": [0.0, 1.0, 0.0],
    }
    assert list(out.index) == ["x", "y", "z"] and "Age_f" not in out  # consumed, not a leaf


def test_principal_component_analysis_equals_scikit_learn():
    from sklearn.decomposition import PCA

    from dffml_nb.operations import principal_component_analysis

    data = [[1.0, 2.0, 0.5], [2.0, 4.1, 0.1], [3.0, 6.3, 0.9], [4.0, 7.7, 0.2]]
    theirs = PCA(n_components=2).fit_transform(np.array(data))
    assert np.allclose(principal_component_analysis(data, 2), theirs)
    frame = pd.DataFrame(data, columns=list("abc"), index=list("wxyz"))
    out = principal_component_analysis(frame)
    assert list(out.columns) == ["pc1", "pc2", "pc3"] and list(out.index) == list("wxyz")
