"""ModelTrainer, its hyperparameter forms, plots and progress bar — driven from code, no browser."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import pandas as pd  # noqa: E402

from dffml_nb.model.base import Model  # noqa: E402
from dffml_nb.nb.ml.forms import HyperparameterForm  # noqa: E402
from dffml_nb.nb.ml.trainer import ModelTrainer  # noqa: E402
from dffml_nb.nb.ui.progress import Progress  # noqa: E402

QUICKSTART = [
    (0, 1, 0.1, 10),
    (1, 3, 0.2, 20),
    (2, 5, 0.3, 30),
    (3, 7, 0.4, 40),
    (4, 9, 0.5, 50),
    (5, 11, 0.6, 60),
]
RED = "#b00020"


@pytest.fixture
def salaries() -> pd.DataFrame:
    return pd.DataFrame(QUICKSTART, columns=["Years", "Expertise", "Trust", "Salary"])


@pytest.fixture(scope="module")
def iris() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    return load_iris(as_frame=True).frame


@pytest.fixture
def trained(salaries: pd.DataFrame) -> ModelTrainer:
    """A trainer with a trained scikitlr, to check that failures keep it."""
    trainer = ModelTrainer(salaries, namespace={}, show_plots=False)  # plots: tested elsewhere
    trainer.train_button.click()
    assert trainer.model is not None, trainer.message
    return trainer


def assert_kept(trainer: ModelTrainer, model, score, figures, words: list[str]) -> None:
    """The click failed with a message naming ``words``, and the previous results are intact."""
    for word in words:
        assert word in trainer.message, trainer.message
    assert RED in trainer.message_html.value
    assert trainer.model is model
    assert trainer.score == score
    assert trainer.figures is figures
    assert trainer.progress.state == "failed"
    assert not trainer.train_button.disabled


# -- regression ---------------------------------------------------------------


def test_regressor_on_quickstart_defaults_score_and_plot(salaries):
    trainer = ModelTrainer(salaries, namespace={})
    # defaults: last column is the target, the other numeric columns are features
    assert trainer.target.value == "Salary"
    assert trainer.features.value == ("Years", "Expertise", "Trust")
    assert trainer.scorer_name.value == "mse"
    assert trainer.test_size.value == 0.25

    trainer.train_button.click()

    assert trainer.error is None, trainer.message
    assert trainer.model.name == "scikitlr"
    assert trainer.model.estimator is not None
    assert trainer.score == pytest.approx(0.0, abs=1e-9)  # the quickstart data is exactly linear
    assert len(trainer.train_frame) == 4 and len(trainer.test_frame) == 2
    assert "mse on 2 held-out rows" in trainer.message
    assert "held-out rows" in trainer.score_html.value
    assert trainer.progress.state == "done"
    assert trainer.progress.value == trainer.progress.total == 5

    figure = trainer.figures["predicted_vs_actual"]
    (ax,) = figure.axes
    assert len(ax.collections[0].get_offsets()) == 2  # one point per held-out row
    assert any(line.get_linestyle() == "--" for line in ax.get_lines())  # the y = x line
    assert "coefficients" in trainer.figures  # linear regression has coef_
    images = trainer.plots.children
    assert len(images) == len(trainer.figures)
    assert all(
        isinstance(i, widgets.Image) and bytes(i.value).startswith(b"\x89PNG") for i in images
    )


def test_driven_from_code_with_zero_test_fraction_scores_on_training_rows(salaries):
    trainer = ModelTrainer(namespace={"salaries": salaries}, show_plots=False)
    assert trainer.data_select.value == "salaries"
    trainer.features.value = ("Years", "Expertise")
    trainer.target.value = "Salary"
    trainer.test_size.value = 0.0
    trainer.scorer_name.value = "r2"
    trainer.train_button.click()

    assert trainer.model.features.names() == ["Years", "Expertise"]
    assert len(trainer.test_frame) == 6
    assert trainer.score == pytest.approx(1.0)
    assert "r2 on 6 training rows" in trainer.message
    assert trainer.figures == {} and trainer.plots.children == ()


def test_constructor_choices_and_file_data(salaries, tmp_path):
    path = tmp_path / "salaries.csv"
    salaries.to_csv(path, index=False)
    trainer = ModelTrainer(
        str(path), namespace={}, features=["Years:int:1"], target="Salary", show_plots=False
    )
    assert trainer.data_select.value == f"file: {path}"
    assert trainer.features.value == ("Years",)
    trainer.train_button.click()
    assert trainer.model.features.names() == ["Years"]
    assert trainer.score == pytest.approx(0.0, abs=1e-9)


def test_missing_file_is_a_message(trained):
    model = trained.model
    trained.data_path.value = "/no/such/file.csv"
    assert "could not load" in trained.message and "file.csv" in trained.message
    assert trained.model is model


def test_namespace_frames_and_refresh(salaries):
    namespace = {"salaries": salaries, "_hidden": salaries, "number": 3}
    trainer = ModelTrainer(namespace=namespace)
    assert list(trainer.data_select.options) == ["salaries"]
    namespace["more"] = salaries.head(3)
    trainer.refresh_button.click()
    assert list(trainer.data_select.options) == ["salaries", "more"]
    trainer.data_select.value = "more"
    assert len(trainer.frame) == 3
    trainer.set_data([{"Years": 1, "Salary": 2}], label="rows")  # dict rows, kept on refresh
    del namespace["more"]
    trainer.refresh()
    assert list(trainer.data_select.options) == ["salaries", "rows"]
    assert trainer.data_select.value == "rows"
    # a given DataFrame that is a namespace variable is offered under its name
    assert ModelTrainer(salaries, namespace=namespace).data_select.value == "salaries"


def test_rows_missing_values_are_left_out_with_a_note(salaries):
    salaries.loc[2, "Trust"] = float("nan")
    trainer = ModelTrainer(salaries, namespace={}, test_size=0.0, show_plots=False)
    trainer.train_button.click()
    assert trainer.error is None, trainer.message
    assert len(trainer.train_frame) == 5
    assert "left out 1 rows" in trainer.message


# -- classification -------------------------------------------------------------


def test_classifier_on_iris_with_confusion_matrix(iris):
    trainer = ModelTrainer(namespace={"iris": iris}, model="scikitrfc", target="target")
    assert trainer.scorer_name.value == "accuracy"
    assert trainer.features.value == tuple(iris.columns[:4])
    trainer.hyperparameters["n_estimators"].value = 7
    trainer.hyperparameters["random_state"].value = "0"
    trainer.train_button.click()

    assert trainer.error is None, trainer.message
    assert trainer.model.estimator.n_estimators == 7  # the form value reached the estimator
    assert trainer.model.estimator.random_state == 0
    assert trainer.score > 0.8
    matrix = trainer.figures["confusion_matrix"]
    image = matrix.axes[0].images[0].get_array()
    assert image.shape == (3, 3)
    assert image.sum() == len(trainer.test_frame) == 38
    # stratified split: every class is in the held-out rows
    assert set(trainer.test_frame["target"]) == {0, 1, 2}
    assert "feature_importances" in trainer.figures


def test_changing_model_regenerates_form_and_scorer(salaries):
    trainer = ModelTrainer(salaries, namespace={})
    assert "fit_intercept" in trainer.hyperparameters
    old_form = trainer.form
    trainer.model_name.value = "scikitrfc"
    assert trainer.form is not old_form
    assert trainer.form_box.children == (trainer.form,)
    assert "n_estimators" in trainer.hyperparameters
    assert "fit_intercept" not in trainer.hyperparameters
    assert trainer.scorer_name.value == "accuracy"  # mse does not fit a classifier
    trainer.model_name.value = "scikitrfr"
    assert trainer.scorer_name.value == "mse"
    trainer.scorer_name.value = "mae"
    trainer.model_name.value = "scikitridge"  # a regression scorer the user chose stays
    assert trainer.scorer_name.value == "mae"
    assert "alpha" in trainer.hyperparameters


def test_estimator_warnings_are_shown_as_notes(iris):
    trainer = ModelTrainer(iris, namespace={}, model="scikitlor", show_plots=False)
    trainer.hyperparameters["max_iter"].value = 2
    trainer.train_button.click()
    assert trainer.model is not None
    assert "converge" in trainer.message
    assert "#8a5a00" in trainer.message_html.value  # a warning line, not an error


# -- bad input keeps the previous results ---------------------------------------


def test_no_feature_chosen(trained):
    model, score, figures = trained.model, trained.score, trained.figures
    trained.features.value = ()
    trained.train_button.click()
    assert_kept(trained, model, score, figures, ["at least one feature"])


def test_non_numeric_feature_names_column_and_value(salaries):
    salaries["Name"] = ["ann", "bob", "cy", "di", "ed", "flo"]
    trainer = ModelTrainer(salaries, namespace={}, target="Salary", show_plots=False)
    assert "Name" not in trainer.features.value  # not numeric: not chosen by default
    trainer.train_button.click()
    model, score, figures = trainer.model, trainer.score, trainer.figures
    trainer.features.value = ("Years", "Name")
    trainer.train_button.click()
    assert_kept(
        trainer, model, score, figures, ["'Name'", "not numeric", "'ann'", "drop", "encode"]
    )


def test_target_among_features(trained):
    model, score, figures = trained.model, trained.score, trained.figures
    trained.features.value = ("Years", "Salary")
    trained.train_button.click()
    assert_kept(trained, model, score, figures, ["'Salary'", "also chosen as a feature"])


def test_empty_data(trained, salaries):
    model, score, figures = trained.model, trained.score, trained.figures
    trained.set_data(salaries.iloc[0:0], label="empty")
    trained.features.value = ("Years",)
    trained.train_button.click()
    assert_kept(trained, model, score, figures, ["empty"])


def test_unknown_model_is_a_message(salaries):
    trainer = ModelTrainer(salaries, namespace={}, model="nosuchmodel")
    assert "nosuchmodel" in trainer.message and "scikitlr" in trainer.message  # lists known ones
    trainer.train_button.click()
    assert trainer.message.startswith("cannot use model 'nosuchmodel'")
    assert trainer.model is None


def test_no_data_at_all():
    trainer = ModelTrainer(namespace={})
    trainer.train_button.click()
    assert "choose the data" in trainer.message
    assert trainer.model is None


@pytest.mark.parametrize(
    "value, words",
    [("-3", ["rejected", "max_depth", "-3"]), ("deep", ["max_depth", "'deep'"])],
)
def test_hyperparameter_the_estimator_rejects(iris, value, words):
    trainer = ModelTrainer(iris, namespace={}, model="scikitrfc")
    trainer.hyperparameters["n_estimators"].value = 5
    trainer.train_button.click()
    model, score, figures = trainer.model, trainer.score, trainer.figures
    assert model is not None
    trainer.hyperparameters["max_depth"].value = value
    trainer.train_button.click()
    assert_kept(trainer, model, score, figures, words)
    assert trainer.plots.children  # the previous plots are still shown


def test_wrong_kind_of_target(salaries, iris):
    salaries["Level"] = ["lo", "lo", "mid", "mid", "hi", "hi"]
    trainer = ModelTrainer(salaries, namespace={}, target="Level", show_plots=False)
    trainer.train_button.click()
    assert "not numeric" in trainer.message and "classifier" in trainer.message

    trainer = ModelTrainer(
        iris, namespace={}, model="scikitrfc", target="petal width (cm)", show_plots=False
    )
    trainer.train_button.click()
    assert "continuous" in trainer.message and "regressor" in trainer.message


def test_unexpected_errors_never_escape_the_click(trained, monkeypatch):
    model = trained.model

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(trained, "_train", broken)
    trained.train_button.click()  # must not raise
    assert "boom" in trained.message and trained.model is model
    assert not trained.train_button.disabled


def test_repr(trained):
    text = repr(trained)
    assert text.startswith("ModelTrainer(") and "scikitlr" in text and "Salary" in text
    assert "trained" in text


# -- forms, progress, import cost ------------------------------------------------


def test_form_fields_by_hyperparameter_kind():
    form = HyperparameterForm(Model.load("scikitrfc").hyperparameters())
    fields = form.fields
    assert isinstance(fields["bootstrap"], widgets.Checkbox)
    assert isinstance(fields["criterion"], widgets.Dropdown)
    assert set(fields["criterion"].options) == {"gini", "entropy", "log_loss"}
    assert isinstance(fields["n_estimators"], widgets.BoundedIntText)
    assert fields["n_estimators"].min == 1
    assert isinstance(fields["min_weight_fraction_leaf"], widgets.BoundedFloatText)
    assert fields["min_weight_fraction_leaf"].max == 0.5
    assert isinstance(fields["max_depth"], widgets.Text) and fields["max_depth"].value == "None"
    assert isinstance(fields["max_features"], widgets.Combobox)  # choices or a number
    assert fields["n_estimators"].tooltip.startswith("The number of trees")

    assert form.values() == {}  # defaults are not passed
    fields["max_depth"].value = "4"
    fields["max_features"].value = "0.5"
    fields["bootstrap"].value = False
    assert form.values() == {"max_depth": 4, "max_features": 0.5, "bootstrap": False}
    fields["max_depth"].value = "four"
    with pytest.raises(ValueError, match="max_depth"):
        form.values()
    form.reset()
    assert form.values() == {}


def test_form_tuple_hyperparameter():
    form = HyperparameterForm(Model.load("scikitmlp").hyperparameters())
    assert form.fields["hidden_layer_sizes"].value == "100"
    assert form.values() == {}
    form.fields["hidden_layer_sizes"].value = "10, 5"
    assert form.values() == {"hidden_layer_sizes": (10, 5)}


def test_progress_as_callback_loop_and_event_sink():
    progress = Progress(total=4)
    assert progress.state == "idle"
    progress(2, text="half")
    assert (progress.value, progress.total, progress.text, progress.state) == (
        2,
        4,
        "half",
        "running",
    )
    assert "2/4" in progress.label.value
    progress.step()
    assert progress.value == 3
    assert list(progress.track(["a", "b"])) == ["a", "b"]
    assert (progress.value, progress.total, progress.state) == (2, 2, "done")

    from dffml_nb.df.events import Event

    progress.start(2)
    progress.on_event(Event("operation_started", "0", "add"))
    assert progress.text == "running add"
    progress.on_event(Event("context_finished", "0"))
    progress.on_event(Event("operation_failed", "1", "add", error=ValueError("bad")))
    assert progress.value == 1 and progress.state == "failed" and "bad" in progress.text
    assert progress.bar.bar_style == "danger"


def test_progress_counts_every_context_of_a_summarised_run():
    from dffml_nb.df import DataFlow, op, run_sync
    from dffml_nb.df.events import reads_summary

    @op
    def double(x: int) -> int:
        return 2 * x

    @op
    def check(double: int) -> int:
        if double == 2 * 777:
            raise ValueError("777 is bad")
        return double

    summarised, full = Progress(total=1000), Progress(total=1000)
    assert reads_summary(summarised.on_events)
    for subscriber, summary in ((summarised.on_events, True), (lambda b: full.on_events(b), False)):
        assert reads_summary(subscriber) == summary
        run_sync(
            DataFlow(double, check),
            {str(i): {"x": i} for i in range(1000)},
            strict=False,
            on_events=subscriber,
        )
    # the counted contexts (not recorded one by one) move the bar as recorded ones do
    assert summarised.value == full.value >= 999
    assert summarised.state == full.state == "failed" and "777 is bad" in summarised.text


def test_importing_the_widgets_does_not_import_matplotlib_or_sklearn():
    code = (
        "import sys, dffml_nb.nb.ml.trainer, dffml_nb.nb.ml.predictor;"
        "print([m for m in ('matplotlib', 'sklearn') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_figures_display_as_png_without_matplotlib_inline():
    from IPython.core.interactiveshell import InteractiveShell

    from dffml_nb.nb.ml import plots

    shell = InteractiveShell.instance()
    try:
        figure = plots.predicted_vs_actual([1, 2, 3], [1.1, 2.0, 2.9])
        data, _ = shell.display_formatter.format(figure)
        assert data["image/png"][:4] == b"\x89PNG"
    finally:
        InteractiveShell.clear_instance()
