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
# # Datasets from dataflows: engineer features once, train and predict with them
#
# DFFML's loop is *data → dataflow → features → model → application*. Raw data
# rarely holds the features a model needs: here job adverts hold text such as
# `"7 years"`, `"Senior Data Engineer"` and `"['python', 'sql']"`. We write the
# feature engineering **once, as a dataflow** of small functions, and then:
#
# 1. run it over every record to **build a dataset** (`run_records`),
# 2. **train** a model on the engineered features (`DataFlowSource`),
# 3. **predict** new adverts through the *same* flow — training and prediction
#    cannot drift apart,
# 4. do column-wise cleanup with vectorised pandas code (`columnar=True`),
# 5. write the enriched dataset to **SQLite** with `update=True`.
#
# Each record is one context of the flow, named by its key; features named like
# a definition the flow consumes seed it, and the flow's results become new
# features.

# %%
import sqlite3

import numpy as np
import pandas as pd

from dffml_nb import (
    DataFlow,
    DataFlowSource,
    Definition,
    Model,
    op,
    predict,
    run_records,
    save,
    score,
    train,
)
from dffml_nb.operations import literal_eval, one_hot_encoder, simple_imputer, standard_scaler

# %% [markdown]
# ## The raw data
#
# Two hundred job adverts, made here (no network): a title, the experience
# asked for and the skills as text, a city, and the salary offered (in
# thousands). Some adverts do not say how much experience they want.

# %%
rng = np.random.default_rng(7)
count = 200
years_asked = rng.integers(0, 15, count)
senior_title = rng.random(count) < 0.4
skill_lists = [
    rng.choice(["python", "sql", "spark", "ml", "excel"], rng.integers(1, 5), replace=False).tolist()
    for _ in range(count)
]
raw = pd.DataFrame(
    {
        "Title": [("Senior " if s else "") + "Data Engineer" for s in senior_title],
        "Experience": [f"{y} years" if i % 17 else None for i, y in enumerate(years_asked)],
        "Skills": [str(skill_list) for skill_list in skill_lists],
        "City": rng.choice(["Berlin", "Paris", "Oslo"], count),
        "Salary": 40 + 3 * years_asked + 15 * senior_title
        + 4 * np.array([len(skill_list) for skill_list in skill_lists])
        + rng.normal(0, 1, count),
    },
    index=[f"ad{i:03d}" for i in range(count)],
)
raw.head()

# %% [markdown]
# ## Features as a dataflow
#
# Plain functions become operations with `@op`; they wire themselves by name:
# `years` consumes the `Experience` column, `skill_count` consumes what the
# library's `literal_eval` makes of the `Skills` text (DFFML's definitions
# `InputStr` → `EvaluatedStr`). A missing `Experience` simply does not seed
# `years`, so its default applies.

# %%
@op
def years(Experience: str = "0 years") -> int:
    """'7 years' -> 7"""
    return int(Experience.split()[0])


@op
def senior(Title: str) -> int:
    return int(Title.lower().startswith("senior"))


parse_skills = literal_eval.replace(
    name="parse_skills",
    inputs={"str_to_eval": Definition("Skills", "str")},
    outputs={"str_after_eval": Definition("skill_list", "list")},
)


@op
def skill_count(skill_list: list) -> int:
    return len(skill_list)


features = DataFlow(years, senior, parse_skills, skill_count)
features

# %% [markdown]
# ## 1. Build the dataset
#
# `run_records` runs the flow over every record. A DataFrame in gives a new
# DataFrame out — same index, the original columns plus one column per result
# (the flow's leaves: `years`, `senior`, `skill_count`). The raw frame is not
# changed.

# %%
dataset = run_records(features, raw)
dataset[["Experience", "Title", "Skills", "years", "senior", "skill_count"]].head()

# %% [markdown]
# The same from a `%%dffml flow` cell: `%dffml run NAME -sources VARIABLE` runs the
# flow over the variable's records, animates its graph with a progress bar over
# them, and returns the new DataFrame.

# %%
%load_ext dffml_nb

# %%
%%dffml flow seniority
def level(Title: str, years: int) -> str:
    if Title.lower().startswith("senior"):
        return "senior"
    return "mid" if years >= 5 else "junior"

# %%
levels = %dffml run seniority -sources dataset
levels["level"].value_counts()

# %% [markdown]
# ## 2. Train on engineered features
#
# A `DataFlowSource` is a read-only source: the records of another source with
# the flow's results added. The model asks for `years`, `senior` and
# `skill_count`; the source makes them from the raw text on the fly.

# %%
train_rows, test_rows = raw.iloc[:160], raw.iloc[160:]
model = Model.load("scikitlr")(
    features=["years:int:1", "senior:int:1", "skill_count:int:1"], predict="Salary:float:1"
)
train(model, DataFlowSource(features, train_rows))
r2 = score(model, "r2", "Salary:float:1", DataFlowSource(features, test_rows))
print(f"R² on held-out adverts: {r2:.3f}")

# %% [markdown]
# ## 3. Predict new adverts through the same flow
#
# New adverts arrive as raw text, without a salary. The same `features` flow
# turns them into the model's inputs.

# %%
new_adverts = pd.DataFrame(
    {
        "Title": ["Senior Data Engineer", "Data Engineer"],
        "Experience": ["10 years", "1 years"],
        "Skills": ["['python', 'sql', 'spark']", "['excel']"],
        "City": ["Oslo", "Paris"],
    },
    index=["new1", "new2"],
)
predicted = predict(model, DataFlowSource(features, new_adverts), as_frame=True)
predicted

# %% [markdown]
# ## 4. Column-wise cleanup: vectorised code in a flow
#
# With `columnar=True` the flow runs **once**, each feature seeded as a whole
# pandas Series. The library's data cleanup operations (DFFML's
# `simple_imputer`, `standard_scaler`, `one_hot_encoder`) work this way; give
# each the column it works on as its input definition.

# %%
cleanup = DataFlow(
    simple_imputer.replace(
        name="impute_years", inputs={"data": "years"}, outputs={"result": "years_filled"}
    ),
    standard_scaler.replace(
        name="scale_years", inputs={"data": "years_filled"}, outputs={"result": "years_scaled"}
    ),
    one_hot_encoder.replace(name="city", inputs={"data": "City"}, outputs={"result": "City_onehot"}),
)
with_gaps = dataset.assign(years=dataset["years"].where(dataset["Experience"].notna()))
clean = run_records(cleanup, with_gaps, columnar=True)
clean[["Experience", "years", "years_scaled", "City_Berlin", "City_Oslo", "City_Paris"]].head()

# %% [markdown]
# ## 5. Write the enriched dataset to SQLite
#
# Save the raw adverts into a database, then run the flow over it with
# `update=True`: the results are written back as new columns, in one
# transaction (a failed save leaves the database as it was). Without
# `update=True` nothing in the source changes.

# %%
save("adverts.sqlite", raw)
run_records(features, "adverts.sqlite", update=True)
with sqlite3.connect("adverts.sqlite") as db:
    stored = pd.read_sql("SELECT * FROM records ORDER BY key", db)
db.close()
stored[["key", "Experience", "years", "senior", "skill_count"]].head()

# %% [markdown]
# The same run from a terminal, with DFFML's command and flags (flows built from
# registered operations load by name):
#
# ```console
# dffml-nb dataflow run records all -dataflow features.json \
#     -sources db=sqlite -source-filename adverts.sqlite
# ```
