"""``evaluate`` and ``tune``, and the parts behind them, each on scikit-learn's own machinery.

- :mod:`~dffml_nb.evaluation.evaluate` — :func:`dffml_nb.evaluate`, a cross-validated leaderboard
- :mod:`~dffml_nb.evaluation.tune` — :func:`dffml_nb.tune`, grid search

- :mod:`~dffml_nb.evaluation.candidates` — models and data made ready to
  compare: one feature matrix and target for every model (:func:`prepare`)
- :mod:`~dffml_nb.evaluation.metrics` — dffml_nb scorers as scikit-learn scorers
- :mod:`~dffml_nb.evaluation.estimator` — a model as the estimator scikit-learn fits
- :mod:`~dffml_nb.evaluation.progress` — one progress tick per fit, whatever runs the fits

The public functions are :func:`dffml_nb.evaluate` and :func:`dffml_nb.tune`. They live
here, not in modules ``dffml_nb/evaluate.py`` and ``dffml_nb/tune.py``: importing such a
module binds it to the package under the same name, so ``from dffml_nb import tune`` would
then give the module instead of the function.
"""
