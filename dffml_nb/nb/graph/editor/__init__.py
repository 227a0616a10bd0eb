"""The flow editor room: build a dataflow with the mouse, or from code.

- ``model`` — the editor's state: immutable snapshots, the edits that make new
  ones (add, connect, disconnect, remove, seed, ...), undo / redo, problems per
  node (pure Python, on the dataflow core)
- ``palette`` — what can be added: registered operations, the operations
  library, the notebook's ``@op`` s, flows and models (pure Python)
- ``export`` — the flow as JSON / YAML / Mermaid / Python text and as a notebook
  cell; atomic saves (pure Python)
- ``placement`` — where a node new to the picture goes (pure Python)
- ``canvas`` — :class:`EditorGraph`, the live graph patched one edit at a time
- ``forms`` — palette, flow-input, results and settings forms
- ``widget`` — :class:`FlowEditor`, the view composing them

No import here: ``import dffml_nb.nb.graph.editor.model`` must not load ipywidgets.
"""
