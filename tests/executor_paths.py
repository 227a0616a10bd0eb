"""Run a test module's executor tests on both paths of the executor.

``from executor_paths import executor_path  # noqa: F401`` in a test module makes
every test there run twice: with flows of plain functions compiled to
straight-line steps (``df/compiled.py``, taken where eligible) and with the
general executor only. The executor's rules must hold on both.
"""

from __future__ import annotations

import pytest

from dffml_nb.df import compiled


@pytest.fixture(autouse=True, params=["compiled", "general"])
def executor_path(request):
    if request.param == "general":
        with compiled.disabled():
            yield request.param
    else:
        yield request.param
