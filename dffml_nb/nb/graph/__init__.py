"""The graph room: a dataflow drawn as a graph (layout, static SVG, live widget, rich display).

No import here: ``import dffml_nb.nb.graph.layout`` must not load ipywidgets.
"""
