"""One progress tick per fit of a scikit-learn cross-validation or grid search.

scikit-learn runs the fits (``cross_validate``, ``GridSearchCV``) through
joblib, in this process or in worker processes, and calls every scorer of the
``scoring`` dict once after each fit. So the hook is a scorer: :class:`FitTicker`
scores nothing (it returns 0.0) and counts a fit. Nothing of the search is
re-implemented and ``n_jobs`` keeps working:

- in this process (``n_jobs=None`` / 1, or joblib's threading backend) the
  ticker calls the progress callback directly;
- in worker processes (loky, ``n_jobs=2``) it puts a tick on a
  ``multiprocessing.Manager`` queue, which a thread here drains into the callback.

``progress`` (the argument of ``evaluate`` and ``tune``) is ``None`` (a bar
when someone is watching: in a Jupyter kernel — tqdm's ipywidgets bar — or
on a terminal), ``True`` (always a tqdm bar: text on stderr outside Jupyter),
``False`` (none), or a callable ``progress(done, total)`` — e.g. a
:class:`dffml_nb.nb.ui.progress.Progress` widget, or a function of your own.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

#: the key of the ticker in a ``scoring`` dict (its results are dropped)
TICK = "_dffml_nb_fit"

ProgressArg = bool | Callable[..., Any] | None

# token -> callback, for tickers called in this process
_LOCAL: dict[int, Callable[[int], None]] = {}
_TOKENS = itertools.count(1)


class FitTicker:
    """A scikit-learn scorer that counts a fit (scikit-learn scores once per fit).

    Alone (an extra entry of a ``scoring`` dict) it returns 0.0; wrapping
    ``inner`` (the one scorer of a search) it returns ``inner``'s score.
    Picklable: in another process it reaches the counter through ``queue``.
    """

    def __init__(self, token: int, pid: int, queue: Any = None, inner: Any = None) -> None:
        self.token, self.pid, self.queue, self.inner = token, pid, queue, inner

    def __call__(self, estimator: Any, X: Any, y: Any = None, **kwargs: Any) -> float:
        score = 0.0 if self.inner is None else self.inner(estimator, X, y, **kwargs)
        callback = _LOCAL.get(self.token) if os.getpid() == self.pid else None
        if callback is not None:
            callback(1)
        elif self.queue is not None:
            self.queue.put(1)
        return score


def _watched() -> bool:
    """Whether someone sees a bar: a Jupyter kernel, or a terminal on stderr."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _tqdm_reporter(text: str) -> Callable[[int, int | None], None] | None:
    """A ``(done, total)`` callback drawing a tqdm bar (tqdm.auto: ipywidgets in Jupyter)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar: Any = None

    def report(done: int, total: int | None) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=text, unit="fit", leave=True)
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)
        if total is not None and done >= total:
            bar.close()

    report.close = lambda: bar is not None and bar.close()  # type: ignore[attr-defined]
    return report


class FitProgress:
    """Counts fits into a progress callback while a search runs (a context manager).

    ``with FitProgress(progress, total=15, n_jobs=n_jobs, text="tuning") as fits:``
    put ``fits.scorer`` in the ``scoring`` dict (key :data:`TICK`) or pass
    ``scoring=fits.wrap(scorer)``, and call
    ``fits.tick()`` for fits made outside scikit-learn's scoring (a final refit).
    ``fits.done`` is the count so far.
    """

    def __init__(
        self,
        progress: ProgressArg,
        total: int | None,
        *,
        n_jobs: int | None = None,
        text: str = "fitting",
    ) -> None:
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._report: Callable[..., Any] | None
        if callable(progress) and not isinstance(progress, bool):
            self._report = progress
        elif progress is True or (progress is None and _watched()):
            self._report = _tqdm_reporter(text)
        else:
            self._report = None
        self._token = next(_TOKENS)
        self._remote = n_jobs not in (None, 1) and self._report is not None
        self._manager: Any = None
        self._queue: Any = None
        self._drain: threading.Thread | None = None

    @property
    def scorer(self) -> FitTicker:
        """A scorer that only counts: an extra entry of a ``scoring`` dict (key :data:`TICK`)."""
        return FitTicker(self._token, os.getpid(), self._queue)

    def wrap(self, scorer: Any) -> FitTicker:
        """``scorer``, counting a fit each time it scores (for a search with one scorer)."""
        return FitTicker(self._token, os.getpid(), self._queue, scorer)

    def tick(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            done = self.done
        if self._report is not None:
            self._report(done, self.total)

    def set_total(self, total: int) -> None:
        self.total = total
        if self._report is not None:
            self._report(self.done, total)

    def __enter__(self) -> FitProgress:
        _LOCAL[self._token] = self.tick
        if self._remote:
            import multiprocessing

            self._manager = multiprocessing.Manager()
            self._queue = self._manager.Queue()
            self._drain = threading.Thread(target=self._drain_queue, daemon=True)
            self._drain.start()
        if self._report is not None:
            self._report(0, self.total)
        return self

    def _drain_queue(self) -> None:
        while True:
            try:
                item = self._queue.get()
            except (EOFError, OSError):  # the manager went away
                return
            if item is None:
                return
            self.tick(item)

    def __exit__(self, *exc: Any) -> None:
        _LOCAL.pop(self._token, None)
        if self._drain is not None:
            self._queue.put(None)  # after every worker's tick: the search has returned
            self._drain.join(timeout=10)
            self._manager.shutdown()
        close = getattr(self._report, "close", None)
        if close is not None:
            close()
