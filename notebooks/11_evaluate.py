# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Evaluate and tune: which model, which settings, which mistakes
#
# One train/test split tells you little: another split gives another score.
# **Cross-validation** trains each model *k* times, each time testing on a
# different fifth of the records, so every record is tested once and the
# scores come with a spread. dffml_nb does this with scikit-learn's own
# machinery — the numbers are exactly those of `sklearn.model_selection.cross_validate`:
#
# ```python
# evaluate(models, data, scorers=["accuracy", "f1"], cv=5)   # a leaderboard DataFrame
# tune(model, {"C": [0.1, 1, 10]}, data)                     # grid search, trained on all rows
# Leaderboard(models, data)                                  # the same, as a widget (Orange's Test & Score)
# ```
#
# and from a notebook or a shell, with DFFML's flags: `%dffml evaluate` /
# `dffml-nb evaluate`, `%dffml tune` / `dffml-nb tune`.
#
# We compare five classifiers on scikit-learn's breast-cancer data (bundled
# with it: no network), tune the best, then look at its mistakes; then the same
# for regressors on the diabetes data.

# %%
# %matplotlib inline
# %load_ext dffml_nb
import warnings

from sklearn.datasets import load_breast_cancer, load_diabetes

from dffml_nb import Model, evaluate, tune
from dffml_nb.nb import Leaderboard

# %% [markdown]
# ## Classification: the breast-cancer data
#
# 569 tumours, 30 measurements of their cell nuclei, and the `target`:
# 0 for malignant, 1 for benign.

# %%
cancer = load_breast_cancer(as_frame=True).frame
print(cancer.shape, "—", cancer["target"].value_counts().to_dict())
cancer.iloc[:3, [0, 1, 2, 3, -1]]

# %% [markdown]
# ## A leaderboard in one call
#
# `models` can be registered names (built with the `predict` and `features`
# given — here every numeric column but the target), model instances with
# their own hyperparameters, or plain scikit-learn estimators; a dict names
# the rows. `predict="target"` without a type reads it from the data (integer
# classes here). With `cv=5` scikit-learn picks its default splitter for
# classifiers, `StratifiedKFold(5)`: each fold keeps the share of each class.

# %%
models = {
    "scikitlor": Model.load("scikitlor")(max_iter=5000),
    "scikitrfc": Model.load("scikitrfc")(random_state=0),
    "scikitgnb": "scikitgnb",
    "scikitknn": "scikitknn",
    "scikitdtc": Model.load("scikitdtc")(random_state=0),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # lbfgs on unscaled data: convergence chatter
    board = evaluate(models, cancer, predict="target", scorers=["accuracy", "f1", "roc_auc"], cv=5)
board

# %% [markdown]
# One row per model, best first by the first scorer: the mean over the five
# folds and its standard deviation, and the mean time to fit one fold. A model
# that fails would be a row with its `error`, the others still evaluated.
#
# ## Tune the best
#
# `tune` runs scikit-learn's `GridSearchCV` over the model's hyperparameters —
# checked first against what the model accepts, so a typo is an error naming
# it — and returns the model trained on all the rows with the best ones. A
# progress bar ticks once per fit. `model.tuning` lists every candidate.

# %%
best = board.index[0]
grids = {
    "scikitlor": {"C": [0.01, 0.1, 1.0, 10.0]},
    "scikitrfc": {"n_estimators": [50, 100, 200], "max_features": ["sqrt", "log2"]},
    "scikitgnb": {"var_smoothing": [1e-9, 1e-7, 1e-5]},
    "scikitknn": {"n_neighbors": [3, 5, 9, 15]},
    "scikitdtc": {"max_depth": [3, 5, 8, None]},
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model = models[best] if not isinstance(models[best], str) else Model.load(best)()
    tuned = tune(model, grids[best], cancer, predict="target", cv=5)
print(best, "tuned:", tuned.tuning.attrs["best_params"], "accuracy", round(tuned.tuning.attrs["best_score"], 4))
tuned.tuning

# %% [markdown]
# ## The mistakes, as in Orange's Test & Score
#
# `Leaderboard` shows the same table as a widget. Click a column header to
# sort; click a model's name to see its **cross-validated confusion matrix**
# (each record predicted by the model that did not train on it) and its ROC
# curve. **Click a cell of the matrix** — say true 0 (malignant), predicted 1
# (benign): the dangerous mistake — and those records are listed below it.
# Models can be added from the dropdown and the board re-evaluated.
#
# `%dffml evaluate` builds it with the command line's flags; a DataFrame
# variable is a source. `-model-scikitlor-max_iter` sets one model's
# hyperparameter, `-model-random_state` every model's that has one.

# %%
# leaderboard = %dffml evaluate -models scikitlor scikitrfc scikitgnb scikitknn scikitdtc -model-predict target -model-scikitlor-max_iter 5000 -model-random_state 0 -sources cancer -cv 5 -scorers accuracy f1 -no-progress
leaderboard

# %% [markdown]
# Everything the widget does can be done from code — this is how the
# notebook's test drives it. Select the tuned model's kind and list its
# malignant tumours that it called benign:

# %%
leaderboard.select(best)
missed = leaderboard.click_cell(0, 1)
print(f"{best}: {len(missed)} malignant tumours predicted benign (of {int((cancer['target'] == 0).sum())})")
missed.iloc[:, [0, 1, 2, 3, -3, -2, -1]]

# %% [markdown]
# The `confidence` column is the probability the model gave its (wrong)
# answer: mistakes made with confidence near 0.5 are borderline cases; ones
# near 1 deserve a closer look at the records themselves.
#
# ## Regression: the diabetes data
#
# The same for regressors: scorers are `r2` by default; errors such as `mse`
# are reported as the error itself (lower is better) and sort lowest first.
# Selecting a regressor shows predicted against actual values and the
# residuals, each from held-out folds.

# %%
diabetes = load_diabetes(as_frame=True).frame
regressors = ["scikitlr", "scikitridge", "scikitlas", Model.load("scikitrfr")(random_state=0, n_estimators=50), "scikitknr"]
scores = evaluate(regressors, diabetes, predict="target", scorers=["mse", "r2"], cv=5)
scores

# %%
regression_board = Leaderboard(regressors, diabetes, predict="target", scorers=["mse", "r2"], cv=5)
regression_board

# %% [markdown]
# ## From a shell
#
# The same with DFFML's flags — JSON on stdout, a text progress bar on stderr:
#
# ```
# dffml-nb evaluate -models scikitlor scikitrfc scikitgnb -model-predict target:int:1 \
#     -sources f=csv -source-filename cancer.csv -cv 5 -scorers accuracy f1
# dffml-nb tune -model scikitrfc -model-predict target:int:1 -grid n_estimators=50,100,200 \
#     -model-location tuned -sources f=csv -source-filename cancer.csv
# ```
#
# Scorers also answer to dffml-model-scikit's names (`acscore`, `f1score`,
# `r2score`, `meansqrerr`, …), so DFFML command lines keep working.
