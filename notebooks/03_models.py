# ---
# jupyter:
#   jupytext:
#     comment_magics: false
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Models: train, compare, plot, save
#
# dffml_nb puts many models — the scikit-learn family under
# [dffml-model-scikit](https://intel.github.io/dffml/)'s names, plus your own —
# behind one small API:
#
# ```python
# model = Model.load("scikitrfr")(features=[...], predict="target:float:1")
# train(model, data)                   # data: DataFrames, files, dict rows, sources
# score(model, "mse", "target:float:1", test_data)
# predict(model, new_data, as_frame=True)
# ```
#
# Because every model is configured the same way, comparing them is a loop.
# All the data here ships with scikit-learn: no download needed.

# %%
%matplotlib inline
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_diabetes, load_wine
from sklearn.model_selection import train_test_split

from dffml_nb import Model, predict, score, train
from dffml_nb.nb.ml import plots

# %% [markdown]
# ## Regression: the diabetes data
#
# 442 patients, ten baseline measurements (age, sex, body-mass index, blood
# pressure and six blood serum values, already centred and scaled), and the
# `target`: a measure of how far the disease progressed one year later.
# We keep a quarter of the patients aside to test on.

# %%
diabetes = load_diabetes(as_frame=True).frame
train_rows, test_rows = train_test_split(diabetes, test_size=0.25, random_state=0)
print(len(train_rows), "training rows,", len(test_rows), "test rows")
diabetes.head()

# %% [markdown]
# A model needs its **features** and the value to **predict**, written as DFFML
# writes them: `name:type:length`.

# %%
features = [f"{column}:float:1" for column in diabetes.columns if column != "target"]
target = "target:float:1"
features


# %% [markdown]
# A small helper trains each model on the same rows and scores it on the same
# test rows, with several scorers. `mse` and `mae` are errors (lower is
# better); `r2` is the share of the variance explained (higher is better).

# %%
def compare(names, train_rows, test_rows, features, target, scorers, options=None):
    """Train each model, score it on the test rows; returns (table, {name: model})."""
    rows, trained = [], {}
    for name in names:
        model = Model.load(name)(features=features, predict=target, **(options or {}).get(name, {}))
        start = time.perf_counter()
        train(model, train_rows)
        seconds = time.perf_counter() - start
        row = {"model": name}
        row.update({scorer: score(model, scorer, target, test_rows) for scorer in scorers})
        row["train (s)"] = seconds
        rows.append(row)
        trained[name] = model
    return pd.DataFrame(rows).set_index("model").round(3), trained

regression, regressors = compare(
    ["scikitlr", "scikitridge", "scikitrfr", "scikitgbr", "scikitknr"],
    train_rows, test_rows, features, target, ["mse", "mae", "r2"],
    options={"scikitrfr": {"random_state": 0}, "scikitgbr": {"random_state": 0}},
)
regression.sort_values("r2", ascending=False)

# %% [markdown]
# On this small data set the plain linear models win: the forests and boosted
# trees have more freedom than 330 patients can justify.
#
# ### Predicted vs actual
#
# Each dot is a test patient; a perfect model puts every dot on the dashed
# line. `dffml_nb.nb.ml.plots` makes the figures the training widget shows
# (`%matplotlib inline`, in the first cell, lets a figure show itself).

# %%
best = regressors["scikitlr"]
predicted = predict(best, test_rows, as_frame=True)
predicted.head()

# %%
plots.predicted_vs_actual(test_rows["target"], predicted["target"], "target")

# %% [markdown]
# ### What the models look at
#
# Linear models have coefficients; tree ensembles have feature importances.
# `plots.feature_weights` draws whichever the model has.

# %%
kind, figure = plots.feature_weights(regressors["scikitrfr"])
figure

# %% [markdown]
# Body-mass index (`bmi`) and `s5` (a blood serum measurement) carry most of
# the signal.
#
# ## Classification: the wine data
#
# 178 wines from three cultivars (growers), thirteen chemical measurements
# each. The cultivar names make readable labels; a classifier predicts a
# `str` here. We split *stratified*, so each cultivar is in both halves.

# %%
wine_data = load_wine(as_frame=True)
wine = wine_data.frame.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
wine["cultivar"] = wine_data.target_names[wine_data.target]
wine = wine.drop(columns="target")

wine_train, wine_test = train_test_split(wine, test_size=0.3, random_state=0, stratify=wine["cultivar"])
wine_features = [f"{column}:float:1" for column in wine.columns if column != "cultivar"]
wine_target = "cultivar:str:1"
wine.sample(5, random_state=0)

# %%
raw, _ = compare(
    ["scikitrfc", "scikitgnb", "scikitknn", "scikitsvc"],
    wine_train, wine_test, wine_features, wine_target, ["accuracy", "f1"],
    options={"scikitrfc": {"random_state": 0}},
)
raw

# %% [markdown]
# The forest and naive Bayes do well; k-nearest-neighbours and the support
# vector machine do not. Both measure *distances* between wines, and
# `proline` (in the hundreds) drowns out `hue` (around 1). Scale every feature
# to mean 0 and standard deviation 1 — with the training rows' statistics
# only, so nothing leaks from the test rows — and try again, this time with
# logistic regression too:

# %%
columns = [column for column in wine.columns if column != "cultivar"]
mean, std = wine_train[columns].mean(), wine_train[columns].std()
scaled_train, scaled_test = wine_train.copy(), wine_test.copy()
scaled_train[columns] = (wine_train[columns] - mean) / std
scaled_test[columns] = (wine_test[columns] - mean) / std

scaled, classifiers = compare(
    ["scikitlor", "scikitrfc", "scikitgnb", "scikitknn", "scikitsvc"],
    scaled_train, scaled_test, wine_features, wine_target, ["accuracy", "f1"],
    options={"scikitrfc": {"random_state": 0}},
)
pd.concat({"raw": raw["accuracy"], "scaled": scaled["accuracy"]}, axis=1)

# %% [markdown]
# ### The confusion matrix
#
# Rows are the true cultivar, columns the predicted one: everything off the
# diagonal is a mistake. Here is k-nearest-neighbours on the scaled data:

# %%
knn_predicted = predict(classifiers["scikitknn"], scaled_test, as_frame=True)
plots.confusion_matrix(scaled_test["cultivar"], knn_predicted["cultivar"])

# %% [markdown]
# Classifiers report a **confidence** with each prediction: the probability
# of the class they chose. The least confident predictions are the ones to
# look at first:

# %%
knn_predicted.assign(actual=scaled_test["cultivar"].to_numpy()).sort_values("cultivar_confidence")[
    ["cultivar", "cultivar_confidence", "actual"]
].head()

# %%
kind, figure = plots.feature_weights(classifiers["scikitrfc"])
figure

# %% [markdown]
# ## Save a model, load it back
#
# Give a model a `location` (a directory) and training saves it there. A new
# model object with the same location predicts straight away, without
# retraining — in another notebook, a script, or `dffml-nb predict`.
#
# The files are written with [skops](https://skops.readthedocs.io/) and an
# allow-list of scikit-learn types: unlike pickle, loading a model file cannot
# run arbitrary code.

# %%
location = Path(tempfile.mkdtemp()) / "wine_forest"

forest = Model.load("scikitrfc")(
    features=wine_features, predict=wine_target, location=location, n_estimators=50, random_state=0
)
train(forest, scaled_train)
sorted(path.name for path in location.iterdir())

# %%
reloaded = Model.load("scikitrfc")(location=location)     # no features, no training: all read from disk
again = predict(reloaded, scaled_test, as_frame=True)
first = predict(forest, scaled_test, as_frame=True)
assert (again["cultivar"] == first["cultivar"]).all()
print("same predictions; accuracy", score(reloaded, "accuracy", wine_target, scaled_test))

# %% [markdown]
# ## Rich display
#
# Models, records and scorers show themselves as small tables in a notebook.
# The reloaded model knows its features, target, hyperparameters and last
# score:

# %%
reloaded

# %%
[record] = predict(reloaded, scaled_test.head(1))
record

# %%
from dffml_nb.scorer import Scorer

Scorer.load("f1")

# %% [markdown]
# ## Next
#
# * `01_quickstart.ipynb` has the `ModelTrainer` and `Predictor` widgets: the
#   same models from forms, with these plots.
# * A trained model is also a dataflow operation (`model.as_op()`), so it can
#   sit in a flow beside the functions that compute its features — see
#   `02_dataflows.ipynb` for flows.
