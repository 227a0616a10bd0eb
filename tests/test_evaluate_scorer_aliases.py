"""dffml-model-scikit's scorer names answer too, computing what DFFML computes."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics

from dffml_nb import plugins
from dffml_nb.scorer import Scorer

# dffml-model-scikit's scikit_scorers.py: (entry point name, sklearn.metrics function)
DFFML_SCIKIT_SCORERS = {
    "acscore": "accuracy_score",
    "bacscore": "balanced_accuracy_score",
    "topkscore": "top_k_accuracy_score",
    "avgprescore": "average_precision_score",
    "brierscore": "brier_score_loss",
    "f1score": "f1_score",
    "logloss": "log_loss",
    "prescore": "precision_score",
    "recallscore": "recall_score",
    "jacscore": "jaccard_score",
    "rocaucscore": "roc_auc_score",
    "adjmutinfoscore": "adjusted_mutual_info_score",
    "adjrandscore": "adjusted_rand_score",
    "complscore": "completeness_score",
    "fowlmalscore": "fowlkes_mallows_score",
    "homoscore": "homogeneity_score",
    "mutinfoscore": "mutual_info_score",
    "normmutinfoscore": "normalized_mutual_info_score",
    "randscore": "rand_score",
    "vmscore": "v_measure_score",
    "exvscore": "explained_variance_score",
    "maxerr": "max_error",
    "meanabserr": "mean_absolute_error",
    "meansqrerr": "mean_squared_error",
    "meansqrlogerr": "mean_squared_log_error",
    "medabserr": "median_absolute_error",
    "r2score": "r2_score",
    "meanpoidev": "mean_poisson_deviance",
    "meangammadev": "mean_gamma_deviance",
    "meanabspererr": "mean_absolute_percentage_error",
}
ERRORS = {
    "brierscore",
    "logloss",
    "maxerr",
    "meanabserr",
    "meansqrerr",
    "meansqrlogerr",
    "medabserr",
    "meanpoidev",
    "meangammadev",
    "meanabspererr",
}


@pytest.mark.parametrize("name", sorted(DFFML_SCIKIT_SCORERS))
def test_every_dffml_model_scikit_name_is_a_registered_scorer(name):
    assert name in plugins.names("scorer")
    scorer = Scorer.load(name)
    assert scorer.name == name and scorer.metric == DFFML_SCIKIT_SCORERS[name]
    assert scorer.greater_is_better is (name not in ERRORS)
    if scorer.kind == "regression":
        truth, predicted = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 2.0, 2.5, 4.5])
    else:
        truth, predicted = np.array([0, 1, 1, 0, 1]), np.array([0, 1, 0, 0, 1])
    expected = getattr(sklearn.metrics, scorer.metric)(truth, predicted)
    if name in ("f1score", "prescore", "recallscore", "jacscore"):
        expected = getattr(sklearn.metrics, scorer.metric)(truth, predicted, average="binary")
    assert scorer(truth, predicted) == pytest.approx(expected)


def test_aliases_of_our_scorers_are_the_same_metric():
    assert Scorer.load("meansqrerr").metric == Scorer.load("mse").metric
    assert Scorer.load("r2score").kind == Scorer.load("r2").kind == "regression"
    assert Scorer.load("acscore").greater_is_better
