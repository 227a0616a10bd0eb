"""The parts behind ``evaluate`` and ``tune``, each on scikit-learn's own machinery.

- :mod:`~dffml_nb.evaluation.candidates` — models and data made ready to
  compare: one feature matrix and target for every model (:func:`prepare`)
- :mod:`~dffml_nb.evaluation.metrics` — dffml_nb scorers as scikit-learn scorers
- :mod:`~dffml_nb.evaluation.estimator` — a model as the estimator scikit-learn fits
- :mod:`~dffml_nb.evaluation.progress` — one progress tick per fit, whatever runs the fits

The public functions are :func:`dffml_nb.evaluate` and :func:`dffml_nb.tune`.
"""
