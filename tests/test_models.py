"""Models: the registry, configuration, training, confidence, persistence, as_op."""

from __future__ import annotations

import inspect
import json
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from dffml_nb import plugins
from dffml_nb.model import TRUSTED_TYPES, Model, ModelFileError, ModelNotTrainedError, persist

QUICKSTART = pd.DataFrame(
    {
        "Years": [0, 1, 2, 3],
        "Expertise": [1, 3, 5, 7],
        "Trust": [0.1, 0.2, 0.3, 0.4],
        "Salary": [10.0, 20.0, 30.0, 40.0],
    }
)
FEATURES = ["Years:int:1", "Expertise:int:1", "Trust:float:1"]
UNSEEN = pd.DataFrame({"Years": [6, 7], "Expertise": [13, 15], "Trust": [0.7, 0.8]})


def quickstart_model(name: str = "scikitlr", **config) -> Model:
    return Model.load(name)(features=FEATURES, predict="Salary:float:1", **config)


def generated(kind: str, rows: int = 60, seed: int = 0) -> pd.DataFrame:
    """Three non-negative features (naive Bayes needs them) and a target of the right kind."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(rows, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    signal = X @ np.array([1.0, 2.0, -1.0])
    frame["y"] = (signal > np.median(signal)).astype(int) if kind == "classifier" else signal
    return frame


# -- registry -------------------------------------------------------------

REQUIRED = [
    "scikitlr", "scikitlor", "scikitridge", "scikitlas", "scikiteln", "scikitrfc", "scikitrfr",
    "scikitgbc", "scikitetc", "scikitdtc", "scikitdtr", "scikitknn", "scikitsvc", "scikitgnb",
    "scikitmlp", "scikitkmeans", "slr",
]  # fmt: skip


def test_registry_has_dffml_model_scikit_names():
    names = plugins.names("model")
    assert set(REQUIRED) <= set(names)
    for name in REQUIRED:
        cls = Model.load(name)
        assert issubclass(cls, Model) and cls.name == name


def test_registry_estimators_and_kinds():
    cases = {
        "scikitlr": ("LinearRegression", "regressor"),
        "scikitlor": ("LogisticRegression", "classifier"),
        "scikitknn": ("KNeighborsClassifier", "classifier"),
        "scikitmlp": ("MLPClassifier", "classifier"),
        "scikitkmeans": ("KMeans", "clusterer"),
        "scikitlas": ("Lasso", "regressor"),
    }
    for name, (estimator, kind) in cases.items():
        cls = Model.load(name)
        assert cls.estimator_class().__name__ == estimator
        assert cls.kind == kind


def test_unknown_model_name_lists_known_names():
    with pytest.raises(plugins.PluginError) as error:
        Model.load("scikitnope")
    assert "scikitnope" in str(error.value)
    assert "scikitlr" in str(error.value) and "slr" in str(error.value)


def test_import_does_not_load_scikit_learn():
    code = (
        "import sys, dffml_nb, dffml_nb.model, dffml_nb.scorer, dffml_nb.high_level\n"
        "import dffml_nb.model.sklearn\n"
        "heavy = [m for m in ('sklearn', 'skops', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- configuration ----------------------------------------------------------


def test_hyperparameters_from_signature_and_constraints():
    hyper = Model.load("scikitrfc").hyperparameters()
    kind, default, choices = hyper["n_estimators"]
    assert (kind, default, choices) == (int, 100, None)
    assert hyper["n_estimators"].low == 1
    kind, default, choices = hyper["criterion"]
    assert kind is str and default == "gini" and set(choices) == {"gini", "entropy", "log_loss"}
    assert hyper["max_depth"].type is int and hyper["max_depth"].default is None
    assert hyper["bootstrap"].type is bool
    assert "number of trees" in hyper["n_estimators"].help
    # deprecated parameters are not offered
    assert "probability" not in Model.load("scikitsvc").hyperparameters()
    assert Model.load("slr").hyperparameters() == {}


@pytest.fixture
def without_constraints(monkeypatch):
    """scikit-learn without its private ``_parameter_constraints`` (as a future
    release might be), and no hyperparameters cached from before."""
    from sklearn.ensemble import RandomForestClassifier

    for cls in RandomForestClassifier.__mro__:
        if "_parameter_constraints" in cls.__dict__:
            monkeypatch.delattr(cls, "_parameter_constraints")
    model_cls = Model.load("scikitrfc")
    for cache in ("_hyperparameters", "_accepted"):
        if cache in model_cls.__dict__:
            monkeypatch.delattr(model_cls, cache)
    assert not hasattr(RandomForestClassifier, "_parameter_constraints")
    return model_cls


def test_hyperparameters_fall_back_to_the_signature(without_constraints, monkeypatch):
    hyper = without_constraints.hyperparameters()
    from sklearn.ensemble import RandomForestClassifier

    assert list(hyper) == list(inspect.signature(RandomForestClassifier).parameters)
    assert tuple(hyper["n_estimators"]) == (int, 100, None)  # the type of the default
    assert tuple(hyper["criterion"]) == (str, "gini", None)  # no choices known
    assert hyper["bootstrap"].type is bool
    assert hyper["max_depth"].default is None
    assert "number of trees" in hyper["n_estimators"].help  # from the documentation still
    model = without_constraints(
        features=FEATURES, predict="Salary:int:1", n_estimators="5", max_depth="3"
    )
    assert model.hyperparameter_values == {"n_estimators": 5, "max_depth": 3}
    monkeypatch.undo()  # scikit-learn's own fit validates with its constraints
    model.fit(QUICKSTART)
    assert model.estimator.max_depth == 3 and len(model.estimator.estimators_) == 5


def test_misshapen_constraints_are_ignored(monkeypatch):
    from sklearn.linear_model import Ridge

    model_cls = Model.load("scikitridge")
    for cache in ("_hyperparameters", "_accepted"):
        if cache in model_cls.__dict__:
            monkeypatch.delattr(model_cls, cache)
    weird = {"alpha": "not a list", "solver": [object(), type("Interval", (), {})()], 3: []}
    monkeypatch.setattr(Ridge, "_parameter_constraints", weird)
    hyper = model_cls.hyperparameters()
    assert tuple(hyper["alpha"]) == (float, 1.0, None)
    assert hyper["solver"].default == "auto" and hyper["solver"].choices is None
    assert model_cls(alpha="0.5").hyperparameter_values == {"alpha": 0.5}


def test_help_texts_are_first_sentences_of_the_documentation():
    hyper = Model.load("scikitrfc").hyperparameters()
    assert hyper["n_estimators"].help == "The number of trees in the forest."
    assert all(not h.help.endswith(("e.g.", "a.k.a.")) for h in hyper.values())
    lor = Model.load("scikitlor").hyperparameters()
    assert lor["C"].help.startswith("Inverse of regularization strength")


def test_hyperparameter_text_is_converted():
    model = Model.load("scikitrfc")(
        features=FEATURES,
        predict="Salary:int:1",
        n_estimators="7",
        max_depth="none",
        bootstrap="false",
    )
    assert model.hyperparameter_values == {"n_estimators": 7, "max_depth": None, "bootstrap": False}
    mlp = Model.load("scikitmlp")(hidden_layer_sizes="8,4")
    assert mlp.hyperparameter_values["hidden_layer_sizes"] == (8, 4)
    with pytest.raises(ValueError, match="criterion"):
        Model.load("scikitrfc")(criterion="nonsense")


def test_unknown_keyword_names_it_and_lists_valid_ones():
    with pytest.raises(TypeError) as error:
        Model.load("scikitrfc")(features=FEATURES, predict="Salary:float:1", n_trees=5)
    message = str(error.value)
    assert "'n_trees'" in message
    for valid in ("features", "predict", "location", "n_estimators", "max_depth"):
        assert valid in message


def test_config_rebuilds_the_model(tmp_path):
    model = quickstart_model("scikitridge", location=tmp_path, alpha=0.5)
    config = model.config()
    assert config == {
        "features": FEATURES,
        "predict": "Salary:float:1",
        "location": str(tmp_path),
        "alpha": 0.5,
    }
    assert type(model)(**config).config() == config


def test_repr_and_html():
    model = quickstart_model("scikitrfc", n_estimators=5)
    assert repr(model) == (
        "scikitrfc(features=['Years:int:1', 'Expertise:int:1', 'Trust:float:1'], "
        "predict='Salary:float:1', n_estimators=5)"
    )
    page = model._repr_html_()
    assert "scikitrfc" in page and "Years:int:1" in page and "n_estimators=5" in page
    assert "<td style='text-align:left'>no</td>" in page
    model.fit(QUICKSTART.assign(Salary=[0, 0, 1, 1]))
    assert "<td style='text-align:left'>yes</td>" in model._repr_html_()


# -- training, prediction and confidence -------------------------------------


@pytest.mark.parametrize("name", ["scikitlr", "slr"])
def test_quickstart_predictions(name):
    features = ["Years:int:1"] if name == "slr" else FEATURES
    model = Model.load(name)(features=features, predict="Salary:float:1").fit(QUICKSTART)
    frame = model.predict(UNSEEN, as_frame=True)
    assert frame["Salary"].tolist() == pytest.approx([70.0, 80.0])
    assert frame["Salary_confidence"].tolist() == pytest.approx([1.0, 1.0])  # training R²


def test_slr_accepts_exactly_one_feature():
    with pytest.raises(ValueError, match="exactly one feature"):
        Model.load("slr")(features=FEATURES, predict="Salary:float:1")


def test_regressor_confidence_is_training_r2():
    data = generated("regressor")
    data["y"] += np.random.default_rng(1).normal(0, 0.3, len(data))
    model = Model.load("scikitlr")(features=["a", "b", "c"], predict="y").fit(data)
    expected = model.estimator.score(data[["a", "b", "c"]].to_numpy(), data["y"].to_numpy())
    assert model.confidence == pytest.approx(expected)
    assert 0 < model.confidence < 1
    assert set(model.predict(data, as_frame=True)["y_confidence"]) == {model.confidence}


def test_classifier_confidence_is_probability_of_predicted_class():
    data = generated("classifier")
    model = Model.load("scikitlor")(features=["a", "b", "c"], predict="y:int:1").fit(data)
    X = data[["a", "b", "c"]].to_numpy()
    frame = model.predict(data, as_frame=True)
    probabilities = model.estimator.predict_proba(X)
    assert frame["y"].tolist() == model.estimator.predict(X).tolist()
    assert frame["y_confidence"].to_numpy() == pytest.approx(probabilities.max(axis=1))


def test_svc_confidence_comes_from_calibration():
    data = generated("classifier")
    model = Model.load("scikitsvc")(features=["a", "b", "c"], predict="y:int:1", C=2.0).fit(data)
    assert type(model.estimator).__name__ == "CalibratedClassifierCV"
    assert model.estimator.estimator.C == 2.0
    assert "CalibratedClassifierCV" in Model.load("scikitsvc").__doc__
    confidence = model.predict(data, as_frame=True)["y_confidence"]
    assert ((confidence >= 0.5) & (confidence <= 1.0)).all()


def test_clusterer_predicts_labels_without_confidence():
    data = generated("regressor")
    model = Model.load("scikitkmeans")(features=["a", "b", "c"], n_clusters=3, random_state=0)
    assert str(model.target) == "cluster:int:1"
    records = model.fit(data.drop(columns=["y"])).predict(data)
    assert {record.prediction("cluster").value for record in records} == {0, 1, 2}
    assert all(record.prediction("cluster").confidence is None for record in records)
    assert model.predict(data, as_frame=True)["cluster_confidence"].isna().all()


def test_string_class_labels():
    data = generated("classifier")
    data["y"] = data["y"].map({0: "low", 1: "high"})
    model = Model.load("scikitdtc")(features=["a", "b", "c"], predict="y:str:1").fit(data)
    assert set(model.predict(data, as_frame=True)["y"]) == {"low", "high"}


def test_iris_classifiers_are_accurate():
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True).frame
    shuffled = iris.sample(frac=1.0, random_state=0)
    train, test = shuffled.iloc[:100], shuffled.iloc[100:]
    features = [f"{name}:float:1" for name in iris.columns[:-1]]
    for name, config in [
        ("scikitrfc", {"n_estimators": 30, "random_state": 0}),
        ("scikitlor", {"max_iter": 500}),
    ]:
        model = Model.load(name)(features=features, predict="target:int:1", **config).fit(train)
        predicted = model.predict(test, as_frame=True)["target"]
        assert (predicted.to_numpy() == test["target"].to_numpy()).mean() > 0.8


def test_predict_records_carry_features_and_predictions():
    model = quickstart_model().fit(QUICKSTART)
    records = model.predict(UNSEEN)
    assert [record.key for record in records] == ["0", "1"]
    assert records[0].features() == {"Years": 6, "Expertise": 13, "Trust": 0.7}
    assert records[1].prediction("Salary").value == pytest.approx(80.0)
    assert records[1].prediction("Salary").confidence == pytest.approx(1.0)


def test_training_errors():
    with pytest.raises(ValueError, match="no records to train on"):
        quickstart_model().fit(QUICKSTART.iloc[:0])
    with pytest.raises(ValueError, match="column 'Trust' is missing"):
        quickstart_model().fit(QUICKSTART.drop(columns=["Trust"]))
    bad = QUICKSTART.astype({"Expertise": object})
    bad.loc[2, "Expertise"] = "five"
    with pytest.raises(ValueError, match=r"'Expertise'.*'five'"):
        quickstart_model().fit(bad)
    with pytest.raises(ValueError, match="must be numeric"):
        Model.load("scikitlr")(features=["Years:str:1"], predict="Salary").fit(
            QUICKSTART.assign(Years=["a", "b", "c", "d"])
        )
    with pytest.raises(ValueError, match="no features"):
        Model.load("scikitlr")(predict="Salary").fit(QUICKSTART)


def test_predict_before_training_says_train_first(tmp_path):
    with pytest.raises(ModelNotTrainedError, match="train it first"):
        quickstart_model().predict(UNSEEN)
    with pytest.raises(ModelNotTrainedError, match="no saved model"):
        quickstart_model(location=tmp_path / "empty").predict(UNSEEN)
    assert not quickstart_model(location=tmp_path).is_trained


def test_training_skips_records_missing_a_value():
    gappy = pd.concat(
        [
            QUICKSTART,
            pd.DataFrame({"Years": [None], "Expertise": [3], "Trust": [0.1], "Salary": [1e6]}),
        ]
    )
    model = quickstart_model().fit(gappy.reset_index(drop=True))
    assert model.predict(UNSEEN, as_frame=True)["Salary"].tolist() == pytest.approx([70.0, 80.0])
    with pytest.raises(ValueError, match="every record is missing one of"):
        quickstart_model().fit(QUICKSTART.assign(Salary=None))


def test_predict_on_no_rows():
    model = quickstart_model().fit(QUICKSTART)
    assert model.predict(UNSEEN.iloc[:0]) == []
    assert list(model.predict(UNSEEN.iloc[:0], as_frame=True).columns) == [
        "Years", "Expertise", "Trust", "Salary", "Salary_confidence",
    ]  # fmt: skip


# -- every registered model -------------------------------------------------


@pytest.mark.parametrize("name", plugins.names("model"))
def test_every_model_trains_predicts_and_round_trips(name, tmp_path):
    cls = Model.load(name)
    data = generated(cls.kind)
    features = ["a:float:1"] if name == "slr" else ["a:float:1", "b:float:1", "c:float:1"]
    target = "y:int:1" if cls.kind == "classifier" else "y:float:1"
    config = {"predict": target} if cls.kind != "clusterer" else {}
    if "random_state" in cls.hyperparameters():
        config["random_state"] = 0
    model = cls(features=features, location=tmp_path, **config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings on tiny data
        model.fit(data)
    assert model.is_trained
    before = model.predict(data, as_frame=True)
    assert len(before) == len(data)
    reloaded = cls(location=tmp_path)  # features and target come from the saved model
    after = reloaded.predict(data, as_frame=True)
    pd.testing.assert_frame_equal(before, after)
    assert reloaded.config()["features"] == features


# -- persistence ---------------------------------------------------------------


def test_reloaded_model_predicts_without_retraining(tmp_path, monkeypatch):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    fresh = quickstart_model(location=tmp_path)
    assert fresh.is_trained
    monkeypatch.setattr(type(fresh), "_fit", lambda *args: pytest.fail("retrained"))
    assert fresh.predict(UNSEEN, as_frame=True)["Salary"].tolist() == pytest.approx([70.0, 80.0])
    metadata = json.loads((tmp_path / "model.json").read_text())
    assert metadata["model"] == "scikitlr"
    assert metadata["features"] == FEATURES and metadata["predict"] == "Salary:float:1"
    assert metadata["confidence"] == {"kind": "training_r2", "value": pytest.approx(1.0)}


def test_saving_again_replaces_the_state_file(tmp_path):
    model = quickstart_model(location=tmp_path).fit(QUICKSTART)
    first = {path.name for path in tmp_path.iterdir()}
    model.fit(QUICKSTART.assign(Salary=QUICKSTART["Salary"] * 2))
    second = {path.name for path in tmp_path.iterdir()}
    assert len(second) == 2 and first != second  # model.json + the one current state file
    assert quickstart_model(location=tmp_path).predict(UNSEEN, as_frame=True)[
        "Salary"
    ].tolist() == pytest.approx([140.0, 160.0])


def test_failed_save_keeps_the_previous_model(tmp_path, monkeypatch):
    model = quickstart_model(location=tmp_path).fit(QUICKSTART)
    before = sorted(path.name for path in tmp_path.iterdir())
    real_replace = persist.os.replace

    def failing_replace(source, target):
        if str(target).endswith("model.json"):
            raise OSError("disk full")
        return real_replace(source, target)

    monkeypatch.setattr(persist.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        model.fit(QUICKSTART.assign(Salary=QUICKSTART["Salary"] * 2))
    monkeypatch.undo()
    leftovers = [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")]
    assert leftovers == []
    reloaded = quickstart_model(location=tmp_path)
    assert reloaded.predict(UNSEEN, as_frame=True)["Salary"].tolist() == pytest.approx([70.0, 80.0])
    assert "model.json" in before


def _state_file(location):
    return location / json.loads((location / "model.json").read_text())["state"]["file"]


def test_replaced_state_file_is_refused(tmp_path):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    state = _state_file(tmp_path)
    state.write_bytes(pickle.dumps({"not": "a model"}))  # a pickle renamed
    with pytest.raises(ModelFileError) as error:
        quickstart_model(location=tmp_path).predict(UNSEEN)
    assert str(state) in str(error.value) and "modified or replaced" in str(error.value)


def _rewrite_state(location, blob):
    """Replace the state file *and* fix the digest, as a deliberate tamperer would."""
    import hashlib

    _state_file(location).write_bytes(blob)
    metadata = json.loads((location / "model.json").read_text())
    metadata["state"]["sha256"] = hashlib.sha256(blob).hexdigest()
    (location / "model.json").write_text(json.dumps(metadata))


def test_pickle_with_matching_digest_is_refused(tmp_path):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    _rewrite_state(tmp_path, pickle.dumps(QUICKSTART))
    with pytest.raises(ModelFileError, match="not a skops file") as error:
        quickstart_model(location=tmp_path).predict(UNSEEN)
    assert str(_state_file(tmp_path)) in str(error.value)


def test_skops_file_with_untrusted_type_is_refused(tmp_path):
    import fractions

    import skops.io

    quickstart_model(location=tmp_path).fit(QUICKSTART)
    _rewrite_state(tmp_path, skops.io.dumps({"payload": fractions.Fraction(1, 3)}))
    with pytest.raises(ModelFileError, match="does not trust") as error:
        quickstart_model(location=tmp_path).predict(UNSEEN)
    assert "fractions.Fraction" in str(error.value)
    assert str(_state_file(tmp_path)) in str(error.value)


def test_trusted_types_are_a_fixed_list_of_scikit_learn_internals():
    assert all(name.startswith("sklearn.") for name in TRUSTED_TYPES)
    assert "sklearn.tree._tree.Tree" in TRUSTED_TYPES


def test_location_holding_another_model_is_refused(tmp_path):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    with pytest.raises(ModelFileError, match="'scikitlr' model"):
        quickstart_model("scikitridge", location=tmp_path).predict(UNSEEN)
    with pytest.raises(ModelFileError, match="trained on features"):
        Model.load("scikitlr")(features=["Years"], predict="Salary", location=tmp_path).predict(
            UNSEEN
        )


def test_corrupt_metadata_is_refused(tmp_path):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    (tmp_path / "model.json").write_text("{ not json")
    with pytest.raises(ModelFileError, match="model.json"):
        quickstart_model(location=tmp_path).predict(UNSEEN)


def test_save_and_load_explicitly(tmp_path):
    model = quickstart_model().fit(QUICKSTART)
    with pytest.raises(ValueError, match="no location"):
        model.save()
    model.location = tmp_path
    assert model.save() == tmp_path
    loaded = Model.load("scikitlr")(location=tmp_path).restore()
    assert loaded.is_trained and str(loaded.target) == "Salary:float:1"
    with pytest.raises(ModelNotTrainedError):
        quickstart_model(location=tmp_path / "other").save()


# -- dataflow operation ------------------------------------------------------------


def test_as_op_runs_in_a_dataflow():
    from dffml_nb.df import DataFlow, op, run_sync

    model = quickstart_model().fit(QUICKSTART)
    predict_salary = model.as_op()
    assert set(predict_salary.inputs) == {"Years", "Expertise", "Trust"}
    assert {d.name for d in predict_salary.outputs.values()} == {"Salary"}

    @op
    def Expertise(Years: int) -> int:
        return 2 * Years + 1

    flow = DataFlow(Expertise, predict_salary)
    assert flow.validate() == []
    results = run_sync(flow, [{"Years": 6, "Trust": 0.7}, {"Years": 7, "Trust": 0.8}])
    assert results["0"]["Salary"] == pytest.approx(70.0)
    assert results["1"]["Salary"] == pytest.approx(80.0)


def test_as_op_accepts_feature_names_that_are_not_identifiers():
    data = pd.DataFrame({"years of service": [0.0, 1.0, 2.0], "pay-grade": [1.0, 2.0, 3.0]})
    model = Model.load("slr")(features=["years of service"], predict="pay-grade").fit(data)
    operation = model.as_op()
    assert operation.inputs["years of service"].name == "years of service"
    assert operation.func(**{"years of service": 3.0}) == pytest.approx(4.0)


def test_object_hyperparameters_survive_reload(tmp_path):
    from sklearn.gaussian_process.kernels import RBF, DotProduct

    kernel = DotProduct() + RBF()
    data = generated("regressor", rows=20)
    model = Model.load("scikitgpr")(
        features=["a", "b", "c"], predict="y", location=tmp_path, kernel=kernel
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(data)
    reloaded = Model.load("scikitgpr")(location=tmp_path).restore()
    assert (
        reloaded.hyperparameter_values["kernel"] == kernel
    )  # the object, not its text in model.json
    assert json.loads((tmp_path / "model.json").read_text())["versions"]["sklearn"]


# -- Model.load (a class by name) and Model.open / restore (a trained model on disk) ---------


def test_load_names_a_class_open_reads_a_trained_model(tmp_path):
    trained = quickstart_model(location=tmp_path).fit(QUICKSTART)
    assert Model.load("scikitlr") is type(trained)  # the registry: a class, not a model
    opened = Model.open(tmp_path)  # the disk: the kind comes from model.json
    assert type(opened) is type(trained) and opened.is_trained
    assert [f.name for f in opened.features] == [f.name for f in trained.features]
    expected = trained.predict(UNSEEN, as_frame=True)["Salary"].tolist()
    assert opened.predict(UNSEEN, as_frame=True)["Salary"].tolist() == pytest.approx(expected)
    assert type(Model.load("scikitlr").open(tmp_path)) is type(trained)
    with pytest.raises(ModelFileError, match="holds a 'scikitlr' model, not 'slr'"):
        Model.load("slr").open(tmp_path)


def test_instance_load_still_restores_with_a_deprecation_warning(tmp_path):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    model = Model.load("scikitlr")(location=tmp_path)
    with pytest.warns(DeprecationWarning, match=r"model\.restore\(\)"):
        assert model.load() is model
    assert model.is_trained and model.features is not None


def test_open_never_imports_what_model_json_names(tmp_path):
    quickstart_model(location=tmp_path).fit(QUICKSTART)
    metadata = tmp_path / "model.json"
    document = json.loads(metadata.read_text())
    document["model"] = "json.tool:main"  # an import path, not a registered name
    metadata.write_text(json.dumps(document))
    sys.modules.pop("json.tool", None)
    with pytest.raises(ModelFileError, match="not registered"):
        Model.open(tmp_path)
    assert "json.tool" not in sys.modules
    with pytest.raises(ModelFileError, match="no saved model"):
        Model.open(tmp_path / "absent")
