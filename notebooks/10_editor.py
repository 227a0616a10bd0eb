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
# # The flow editor: a dataflow app without code
#
# Build a dataflow with the mouse, run it over a CSV file, look at the results.
# Open this notebook with Voilà to get just the app (the code stays hidden):
#
#     voila notebooks/10_editor.ipynb
#
# 1. **Data**: under *Inputs*, pick `houses.csv` in *run over*. Flow inputs named
#    like its columns (`price`, `area`, `rooms`) take their values from it, one
#    run per row.
# 2. **Operations**: click `price_per_m2` in the palette: it appears on the
#    canvas, already fed by the `price` and `area` columns. Click `rounded`
#    too.
# 3. **Connect**: click the output of `price_per_m2` (the oval right of it), then
#    the input of `rounded` (the oval left of it, `value`).
# 4. **Run**: every node turns green and the table below shows each house with
#    its new columns. Click a node for its last inputs and outputs.
#
# *Undo* / *Redo* take back any step; *Export* shows the flow as JSON, YAML,
# Mermaid or Python; *Save* writes it to a file.

# %%
# A sample data file in this folder: a few houses.
HOUSES = """\
key,area,price,rooms
a,52.5,210000,2
b,75.0,262500,3
c,120.0,390000,5
d,38.0,171000,1
"""
with open("houses.csv", "w", encoding="utf-8") as handle:
    handle.write(HOUSES)

# %%
# The operations the palette offers: every @op of the notebook shows up in it.
from dffml_nb.df import op


@op
def price_per_m2(price: float, area: float) -> float:
    """The price of one square metre."""
    return price / area


@op
def rounded(value: float) -> float:
    """A number rounded to whole units."""
    return float(round(value))


@op
def size_class(area: float) -> str:
    """'small' under 60 m², 'medium' under 100 m², else 'large'."""
    return "small" if area < 60 else "medium" if area < 100 else "large"


@op
def per_room(area: float, rooms: int) -> float:
    """Square metres per room."""
    return area / rooms


# %%
from dffml_nb.nb import FlowEditor

editor = FlowEditor()
editor
