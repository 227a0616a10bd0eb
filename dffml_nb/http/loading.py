"""What a server serves, from the command line's ``NAME=FILE`` / ``NAME=DIR`` pairs.

A model directory is read the way it was written (``model.json`` names the
registered model; skops rebuilds the state without running code): nothing in
it can make the server import a module of its choosing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class LoadError(ValueError):
    """A flow file or model directory that cannot be served; the message names it."""


def split_pair(text: str, what: str) -> tuple[str, str]:
    """``"salary=./model"`` -> ``("salary", "./model")``; ``what`` names the flag in errors."""
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise LoadError(f"{what} takes NAME=PATH (e.g. {what} salary=./model), got {text!r}")
    return name, path


def load_model_dir(location: str | os.PathLike[str]) -> Any:
    """The trained model saved in ``location`` (by ``train`` with that location)."""
    from dffml_nb.model import Model
    from dffml_nb.model.persist import ModelFileError, read_metadata
    from dffml_nb.plugins import PluginError

    try:
        metadata = read_metadata(location)
        name = metadata.get("model")
        if not isinstance(name, str) or ":" in name:
            # a registered name only: an import path in a data file would run its module
            raise LoadError(f"{Path(location) / 'model.json'} does not name a registered model")
        model = Model.open(location)
    except (ModelFileError, PluginError) as error:
        raise LoadError(str(error)) from error
    return model


def load_flow_file(path: str | os.PathLike[str], *, trust: bool = False) -> Any:
    """The dataflow saved in ``path`` (JSON or YAML), checked to be sound.

    ``trust``: the file may make the server import the modules its operations
    name (``-trust``); without it only registered operations resolve.
    """
    from dffml_nb.df import DataFlow, DataFlowError

    try:
        flow = DataFlow.load(path, trust=trust)
    except DataFlowError as error:
        raise LoadError(str(error)) from error
    problems = flow.validate()
    if problems:
        raise LoadError(f"{path}: the flow is not sound: " + "; ".join(problems))
    return flow


def load_named(
    flows: dict[str, str] | None, models: dict[str, str] | None, *, trust: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``({name: DataFlow}, {name: Model})`` from ``{name: file}`` and ``{name: directory}``."""
    loaded_flows = {}
    for name, path in (flows or {}).items():
        try:
            loaded_flows[name] = load_flow_file(path, trust=trust)
        except LoadError as error:
            raise LoadError(f"-dataflow {name}={path}: {error}") from error
    loaded_models = {}
    for name, path in (models or {}).items():
        try:
            loaded_models[name] = load_model_dir(path)
        except LoadError as error:
            raise LoadError(f"-model {name}={path}: {error}") from error
    return loaded_flows, loaded_models
