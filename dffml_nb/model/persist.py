"""Saving and loading trained models: skops for the state, JSON beside it.

A model directory (``location``) holds::

    model.json                  metadata: features, target, hyperparameters,
                                confidence, and which state file is current
    model-<sha256 prefix>.skops the trained state, written by ``skops.io``

``model.json`` is the commit point. A save writes the new state file under a new
name, then atomically replaces ``model.json`` (temporary file + ``os.replace``),
then removes state files nothing refers to — so a save that fails at any step
leaves the previous model loadable.

Loading never runs code from the file: ``skops.io`` only rebuilds types it
trusts, and the only extra types we trust are the scikit-learn internals in
:data:`TRUSTED_TYPES`, fixed here in code. The file's own
``get_untrusted_types()`` is never fed back as ``trusted``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

METADATA = "model.json"
FORMAT = "dffml_nb.model"
VERSION = 1  # written by this dffml_nb
SUPPORTED: tuple[int, ...] = (1,)  # read by this dffml_nb

# scikit-learn internals that skops does not trust by default but that the
# registered estimators hold once fitted (checked with skops.io.get_untrusted_types
# on every registered model, scikit-learn 1.9.1 / skops 0.16). All are plain
# scikit-learn data holders: trusting them does not let a file run code.
TRUSTED_TYPES: tuple[str, ...] = (
    # tree ensembles, decision trees, gradient boosting, AdaBoost, bagging
    "sklearn.tree._tree.Tree",
    # k-neighbours: the search trees and the distance metrics they store
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.metrics._dist_metrics.HaversineDistance64",
    # MLP optimisers (solver="adam" / "sgd")
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    # SVC confidence via CalibratedClassifierCV(SVC(), ensemble=False)
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    # Gaussian processes and their kernels
    "sklearn.gaussian_process._gpc._BinaryGaussianProcessClassifierLaplace",
    "sklearn.gaussian_process.kernels.ConstantKernel",
    "sklearn.gaussian_process.kernels.DotProduct",
    "sklearn.gaussian_process.kernels.ExpSineSquared",
    "sklearn.gaussian_process.kernels.Exponentiation",
    "sklearn.gaussian_process.kernels.Matern",
    "sklearn.gaussian_process.kernels.Product",
    "sklearn.gaussian_process.kernels.RBF",
    "sklearn.gaussian_process.kernels.RationalQuadratic",
    "sklearn.gaussian_process.kernels.Sum",
    "sklearn.gaussian_process.kernels.WhiteKernel",
)


class ModelFileError(ValueError):
    """A model directory or file that is missing, damaged, not trusted, or cannot be written."""


def has_saved_model(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` holds a saved model (its ``model.json``)."""
    return (Path(location) / METADATA).is_file()


def save(location: str | os.PathLike[str], state: Any, metadata: dict[str, Any]) -> str:
    """Persist ``state`` (anything skops can write) and ``metadata`` (JSON) to ``location``.

    Returns the state's sha256 (recorded in ``model.json``, see :func:`saved_digest`).
    The state file is written before ``model.json``, which names it, so a reader never
    sees a description of a state not yet written. ``metadata`` must be JSON-serialisable;
    non-JSON values (e.g. numpy scalars) are written with their ``repr``.
    """
    import skops.io

    from dffml_nb.df.atomic import write_atomic  # imports the dataflow core: only when saving

    directory = Path(location)
    blob = skops.io.dumps(state)
    digest = hashlib.sha256(blob).hexdigest()
    state_file = directory / f"model-{digest[:16]}.skops"
    document = {
        "format": FORMAT,
        "version": VERSION,
        **metadata,
        "state": {"file": state_file.name, "sha256": digest, "skops": skops.__version__},
    }
    text = json.dumps(document, indent=2, default=_json_default) + "\n"
    metadata_file = directory / METADATA
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not state_file.exists():
            write_atomic(state_file, blob)
        write_atomic(metadata_file, text)
    except OSError as error:
        if not _location_problem(error):
            raise  # e.g. a full disk: not something another location would fix
        raise unwritable(directory, error) from error
    # only now is the old state unreferenced
    for stale in directory.glob("model-*.skops"):
        if stale != state_file:
            with contextlib.suppress(OSError):  # saved already: a leftover is harmless
                stale.unlink()
    return digest


def saved_digest(location: str | os.PathLike[str]) -> str | None:
    """The sha256 of the state ``model.json`` in ``location`` names now (None if unreadable):
    compared with a loaded model's ``saved_digest``, whether the saved model is another."""
    try:
        document = json.loads((Path(location) / METADATA).read_text())
        digest = document["state"]["sha256"]
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        return None
    return digest if isinstance(digest, str) else None


def _location_problem(error: OSError) -> bool:
    """Whether ``error`` means the location itself cannot hold a model."""
    return (
        isinstance(error, (PermissionError, NotADirectoryError, FileExistsError, IsADirectoryError))
        or error.errno == errno.EROFS
    )


def unwritable(directory: Path, error: OSError | None = None) -> ModelFileError:
    """The error for a location a model cannot be saved to, naming it and why."""
    if isinstance(error, (NotADirectoryError, FileExistsError)) or directory.is_file():
        reason = "it, or a folder above it, is a file, not a directory"
    elif error is None or isinstance(error, PermissionError):
        reason = "no permission to create it or to write in it"
    elif error.errno == errno.EROFS:
        reason = "it is on a read-only file system"
    else:
        reason = error.strerror or str(error)
    return ModelFileError(
        f"cannot save the model to {str(directory)!r}: {reason}; choose a location you can "
        "write (location=... or -model-location DIR)"
    )


def check_writable(location: str | os.PathLike[str]) -> None:
    """ModelFileError if a model plainly cannot be saved to ``location`` (its nearest
    existing folder is a file or is not writable): checked before training, so that
    no one waits for a model that cannot be kept."""
    directory = Path(location)
    existing = directory
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise unwritable(directory, NotADirectoryError())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise unwritable(directory, PermissionError())


def update_metadata(location: str | os.PathLike[str], **changes: Any) -> None:
    """Change fields of a saved model's ``model.json`` (atomically), keeping its state."""
    from dffml_nb.df.atomic import write_atomic

    document = read_metadata(location)
    document.update(changes)
    text = json.dumps(document, indent=2, default=_json_default) + "\n"
    write_atomic(Path(location) / METADATA, text)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)


def read_metadata(location: str | os.PathLike[str]) -> dict[str, Any]:
    """The metadata saved in ``location``, validated; errors name the file."""
    path = Path(location) / METADATA
    if not path.is_file():
        raise ModelFileError(
            f"no saved model in {str(location)!r} (no {METADATA}): train the model first"
        )
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{path} is not a dffml_nb model description: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(
            f"{path} is not a dffml_nb model description (format is not {FORMAT!r})"
        )
    _check_version(document, path)
    state = document.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("file"), str):
        raise ModelFileError(f"{path} does not name a state file")
    return document


def _check_version(document: dict[str, Any], path: Path) -> None:
    """ModelFileError unless ``document`` has a format version this dffml_nb reads."""
    supported = f"this dffml_nb supports format version {', '.join(map(str, SUPPORTED))}"
    if "version" not in document:
        raise ModelFileError(f"{path} has no format version ('version'); {supported}")
    version = document["version"]
    if isinstance(version, int) and not isinstance(version, bool) and version > max(SUPPORTED):
        raise ModelFileError(
            f"{path} was written by a newer dffml_nb (format version {version}); "
            f"{supported}: upgrade dffml_nb to load it"
        )
    if version not in SUPPORTED or isinstance(version, bool):
        raise ModelFileError(f"{path} has an unknown format version {version!r}; {supported}")


def load(location: str | os.PathLike[str]) -> tuple[dict[str, Any], Any]:
    """``(metadata, state)`` from ``location``; refuses tampered or foreign files.

    Raises :class:`ModelFileError` naming the file when it is missing, does not
    match the digest recorded in ``model.json``, is not a skops file, or asks
    for a type outside skops' defaults and :data:`TRUSTED_TYPES`.
    """
    document = read_metadata(location)
    name = document["state"]["file"]
    path = Path(location) / name
    if Path(name).name != name:  # a file elsewhere than the model directory
        raise ModelFileError(f"{Path(location) / METADATA} names a state file outside it: {name!r}")
    try:
        blob = path.read_bytes()
    except OSError as error:
        raise ModelFileError(f"cannot read saved model state {path}: {error}") from error
    expected = document["state"].get("sha256")
    if expected and hashlib.sha256(blob).hexdigest() != expected:
        raise ModelFileError(
            f"refusing to load {path}: its contents do not match the digest recorded in "
            f"{METADATA} (the file was modified or replaced)"
        )
    return document, load_state(blob, path)


def load_state(blob: bytes, path: str | os.PathLike[str] = "<bytes>") -> Any:
    """Rebuild a skops-serialised state, trusting only defaults and :data:`TRUSTED_TYPES`."""
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        return skops.io.loads(blob, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise ModelFileError(
            f"refusing to load {path}: it contains types dffml_nb does not trust ({error})"
        ) from error
    except Exception as error:  # any parse failure means "not a model file we wrote"
        kind = (
            "it is not a skops file"
            if isinstance(error, zipfile.BadZipFile)
            else "it is not a valid skops model file"
        )
        raise ModelFileError(f"refusing to load {path}: {kind} ({error})") from error
