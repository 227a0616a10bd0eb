"""Errors of the dataflow core."""

from __future__ import annotations

from typing import Any

from dffml_nb.df.reprs import describe_error, safe_repr


class DataFlowError(ValueError):
    """A dataflow that cannot run: every problem is listed in ``problems``."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class OperationError(RuntimeError):
    """An operation raised: names the operation, the context and the input values.

    Raised ``from`` the original exception. ``results`` holds the results of
    every context that finished before the failure, so nothing finished is lost.
    """

    def __init__(
        self,
        operation: str,
        context: str,
        inputs: dict[str, Any] | None = None,
        error: BaseException | None = None,
        message: str | None = None,
    ) -> None:
        self.operation = operation
        self.context = context
        self.inputs = dict(inputs or {})
        self.error = error
        self.results: dict[str, Any] = {}
        if message is None:
            shown = ", ".join(f"{k}={safe_repr(v)}" for k, v in self.inputs.items())
            failure = describe_error(error) if error is not None else "unknown error"
            message = (
                f"operation {operation!r} failed in context {context!r} "
                f"with inputs ({shown}): {failure}"
            )
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:  # keep picklable despite the custom signature
        return (OperationError, (self.operation, self.context, self.inputs, None, str(self)))


class SubscriberError(RuntimeError):
    """An event subscriber (``on_event`` / ``on_events``) raised: the run was stopped.

    A subscriber is the caller's own code (a log, a progress bar, a live
    graph), so its failure is reported like any bug of the caller: the run
    raises this, ``from`` the subscriber's exception, whether the operations
    are inline or async and whatever ``strict`` says. ``results`` holds the
    results of every context that finished before, so nothing finished is lost.
    """

    def __init__(self, option: str, subscriber: Any, receiving: str, error: BaseException) -> None:
        self.option = option
        self.subscriber = subscriber
        self.error = error
        self.results: dict[str, Any] = {}
        super().__init__(
            f"{option} subscriber {_name_of(subscriber)} raised while receiving {receiving}: "
            f"{describe_error(error)}; the run was stopped. Fix the subscriber, or catch "
            "errors inside it if the run should go on without it."
        )


def _name_of(function: Any) -> str:
    module = getattr(function, "__module__", None)
    name = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{module}.{name}" if module else name
