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
# # dffml_nb dashboard
#
# Train a model on the iris flowers or the diabetes patients, predict with it,
# and watch a dataflow run — all from widgets.

# %%
# A dashboard: run every cell, or open it with Voilà to see only the widgets
# (Voilà hides the code):
#
#     voila notebooks/06_dashboard.ipynb
#
# Every cell but the last only sets things up and shows nothing.
import html

import ipywidgets as widgets
import pandas as pd
from sklearn.datasets import load_diabetes, load_iris

from dffml_nb import Model, train
from dffml_nb.examples.calc import calc_flow
from dffml_nb.nb import DataFlowGraph, ModelTrainer, Predictor

# %%
# the data: iris flowers (classification) and diabetes patients (regression)
iris_data = load_iris(as_frame=True)
iris = iris_data.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
iris["species"] = iris_data.target_names[iris_data.target]
iris = iris.drop(columns="target")
diabetes = load_diabetes(as_frame=True).frame

# %%
# Train tab: the trainer offers both data sets, starting with iris and a random forest
trainer = ModelTrainer(
    data=iris,
    namespace={"iris": iris, "diabetes": diabetes},
    model="scikitrfc",
    target="species",
    test_size=0.3,
)

# %%
# Predict tab: a model to start with; it follows the trainer after each training
starter = Model.load("scikitrfc")(
    features=[f"{c}:float:1" for c in iris.columns if c != "species"],
    predict="species:str:1",
    n_estimators=50,
    random_state=0,
)
train(starter, iris)
predict_tab = widgets.VBox([Predictor(starter, data=iris)])
predict_note = widgets.HTML(
    "<i>Predicting with a random forest trained on all of iris. "
    "Train a model in the <b>Train</b> tab and it is used here.</i>"
)


def use_trained_model(button):
    if trainer.model is not None and trainer.error is None:
        predict_tab.children = [trainer.predictor()]
        predict_note.value = (
            f"<i>Predicting with the {html.escape(trainer.model_name.value)} model "
            f"trained in the <b>Train</b> tab.</i>"
        )


trainer.train_button.on_click(use_trained_model)   # runs after the trainer's own handler

# %%
# Dataflow tab: DFFML's calculator, with a text box and a Run button
calc_graph = DataFlowGraph(calc_flow(), height="300px")
question = widgets.Text(
    value="multiply 6 and 7", description="Ask", continuous_update=False, layout=widgets.Layout(width="360px")
)
run_button = widgets.Button(description="Run", button_style="primary", icon="play")
answer = widgets.HTML()


def run_flow(_=None):
    try:
        results = calc_graph.run({question.value: {"calc_string": question.value}})
    except Exception as error:  # show, don't raise: this is a dashboard
        answer.value = f"<span style='color:#b00020'>{html.escape(str(error))}</span>"
        return
    result = results[question.value].get("result", "no answer (try 'add 1 and 2')")
    answer.value = f"<b>{html.escape(question.value)}</b> = <b>{html.escape(str(result))}</b>"


run_button.on_click(run_flow)
question.observe(run_flow, "value")     # Enter in the text box runs it too

# %%
tabs = widgets.Tab(
    children=[
        trainer,
        widgets.VBox([predict_note, predict_tab]),
        widgets.VBox([widgets.HBox([question, run_button]), answer, calc_graph]),
    ],
    titles=["Train", "Predict", "Dataflow"],
)
tabs
