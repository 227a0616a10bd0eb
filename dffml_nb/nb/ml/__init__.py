"""The ML room: the training and prediction widgets and the pure helpers they stand on.

No import here: the pure modules must load without ipywidgets.
"""
