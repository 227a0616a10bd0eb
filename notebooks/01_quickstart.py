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
# # Quickstart: predict a salary
#
# This is [DFFML's quickstart](https://intel.github.io/dffml/main/quickstart/model.html)
# in a notebook. We have a few people's **years** of experience, level of
# **expertise** and the **trust** their colleagues place in them, and their
# **salary**. We will train a model on four of them, check it on two more, and
# predict the salary of two newcomers.
#
# You will see the same steps three ways: the Python API, the `%dffml` magics
# (DFFML's command line, inside the notebook) and widgets.

# %%
%load_ext dffml_nb

import tempfile

import numpy as np
import pandas as pd

from dffml_nb import Model, predict, score, train

# %% [markdown]
# ## The data
#
# Plain pandas DataFrames: one row per person, one column per feature.

# %%
training = pd.DataFrame({
    "Years":     [0, 1, 2, 3],
    "Expertise": [1, 3, 5, 7],
    "Trust":     [0.1, 0.2, 0.3, 0.4],
    "Salary":    [10, 20, 30, 40],
})
test = pd.DataFrame({
    "Years": [4, 5], "Expertise": [9, 11], "Trust": [0.5, 0.6], "Salary": [50, 60],
})
predict_df = pd.DataFrame({"Years": [6, 7], "Expertise": [13, 15], "Trust": [0.7, 0.8]})
training

# %% [markdown]
# ## A model
#
# `Model.load(name)` gives a model class; its keywords say what to learn.
# Features and the value to predict are written the way DFFML writes them:
# `name:type:length`. With a `location`, the trained model is saved there.

# %%
location = tempfile.mkdtemp(prefix="quickstart_model_")

model = Model.load("scikitlr")(
    features=["Years:int:1", "Expertise:int:1", "Trust:float:1"],
    predict="Salary:float:1",
    location=location,
)
model

# %% [markdown]
# ## Train, score, predict
#
# Three functions, each taking the model and the data. `score` needs a
# scorer — `mse`, the mean squared error, is 0 for a perfect model — and the
# feature to compare the predictions with.

# %%
train(model, training)

# %%
mse = score(model, "mse", "Salary:float:1", test)
print(f"mean squared error on the test rows: {mse:.2g}")

# %%
predictions = predict(model, predict_df, as_frame=True)
predictions

# %% [markdown]
# The newcomers get 70 and 80: the salary grows by 10 a year. The
# `Salary_confidence` column is the model's R² on its training data (DFFML's
# convention for regressors: 1 means a perfect fit).
#
# `predict` can also give you DFFML's **records**, each with its features and
# its prediction:

# %%
for record in predict(model, predict_df):
    print(record.key, record.features(), "->", round(record.prediction("Salary").value, 2))

# %% [markdown]
# ## The same with `%dffml` magics
#
# If you know DFFML's command line, you already know these: `%dffml train`,
# `%dffml accuracy` and `%dffml predict` take the same flags as `dffml-nb`
# (and `dffml`). The one twist: a **DataFrame variable** can be the source —
# `-sources training` reads the `training` DataFrame above.

# %%
%dffml help

# %% [markdown]
# DFFML's quickstart trains, scores and predicts with three commands that share
# the model's flags; each command finds the trained model in
# `-model-location`. (`$magic_location` is this notebook's variable: IPython
# puts its value into the line.)

# %%
magic_location = tempfile.mkdtemp(prefix="quickstart_magic_")

%dffml train -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -sources training

# %%
%dffml accuracy -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -features Salary:float:1 -scorer mse -sources test

# %%
%dffml predict all -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -sources predict_df

# %% [markdown]
# Each magic returns what it made — the model, the score, a DataFrame of
# predictions — so `scores = %dffml accuracy ...` works. And a model variable
# can stand in for the `-model…` flags:

# %%
magic_predictions = %dffml predict all -model model -sources predict_df
magic_predictions["Salary"].round().tolist()

# %% [markdown]
# ### …and in a terminal
#
# The model saved by the magics is an ordinary model directory: the
# `dffml-nb` command (here run from the notebook with `!`) predicts with it
# from a CSV file. That is how a model trained in a notebook goes to
# production.

# %%
import sys

csv_folder = tempfile.mkdtemp()
predict_df.to_csv(f"{csv_folder}/predict.csv", index=False)

!{sys.executable} -m dffml_nb predict all -model scikitlr -model-features Years:int:1 Expertise:int:1 Trust:float:1 -model-predict Salary:float:1 -model-location $magic_location -sources f=csv -source-filename $csv_folder/predict.csv

# %% [markdown]
# ## Widgets
#
# ### Train from a form
#
# A `ModelTrainer` does the same from a form: pick the data (any DataFrame in
# the notebook, or a file), the features, the target, a model and its
# hyperparameters, then press **Train**. It holds some rows out for testing,
# and shows the score and plots.
#
# Four rows are too few to hold any out, so here is a bigger (made-up)
# salary survey of 60 people, a little noisy, as real data is:

# %%
rng = np.random.default_rng(0)
years = rng.integers(0, 20, size=60)
survey = pd.DataFrame({
    "Years": years,
    "Expertise": 2 * years + 1 + rng.integers(-2, 3, size=60),
    "Trust": np.round(0.1 * (years + 1) + rng.normal(0, 0.05, size=60), 2),
    "Salary": np.round(10 * (years + 1) + rng.normal(0, 4, size=60), 1),
})
survey.head()

# %% [markdown]
# Press **Train** below. Then try another model (`scikitrfr`, a random forest,
# or `scikitknr`), change a hyperparameter, or pick the `training` data from the
# list, and train again.

# %%
from dffml_nb.nb import ModelTrainer, Predictor

trainer = ModelTrainer(survey, model="scikitlr", target="Salary", test_size=0.25)
trainer

# %% [markdown]
# Everything in the widget is reachable from code: `trainer.train()` does what
# the button does, and afterwards `trainer.model`, `trainer.score` and
# `trainer.figures` hold the results.
#
# ### Predict from a form
#
# A `Predictor` has a field per feature of a trained model. Here it uses the
# quickstart model; `data=` fills the fields with typical values. Set the
# fields and press **Predict** — or predict a whole DataFrame at once with
# `predict_frame`.

# %%
predictor = Predictor(model, data=training)
predictor.inputs["Years"].value = 6
predictor.inputs["Expertise"].value = 13
predictor.inputs["Trust"].value = 0.7
predictor.predict()
predictor

# %%
predictor.predict_frame(predict_df)

# %% [markdown]
# ## Where next
#
# * `02_dataflows.ipynb` — functions become live dataflow graphs.
# * `03_models.ipynb` — compare models on real data, plots, saving.
# * `06_dashboard.ipynb` — these widgets as a Voilà dashboard.
