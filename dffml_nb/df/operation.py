"""Operations: plain functions that consume and produce definitions.

``@op`` infers everything it can from the signature, so functions wire
themselves by name::

    @op
    def add(a: int, b: int) -> int: ...

    @op
    def total(add: int) -> int: ...   # consumes what ``add`` produces
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from dffml_nb.df.context import Context
from dffml_nb.df.types import NO_DEFAULT, Definition

__all__ = ["Operation", "op", "STAGES", "RUNNERS"]

STAGES = ("processing", "cleanup", "output")
RUNNERS = ("inline", "thread")
_ITERATOR_ORIGINS = (
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
    collections.abc.Iterator,
    collections.abc.Iterable,
    collections.abc.Generator,
)


class Operation:
    """A function with named inputs and outputs. Calling it calls the function."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        inputs: dict[str, Definition | str] | None = None,
        outputs: dict[str, Definition | str] | None = None,
        conditions: typing.Iterable[Definition | str] = (),
        expand: typing.Iterable[str] = (),
        stage: str = "processing",
        retry: int = 0,
        runner: str = "inline",
    ) -> None:
        if not callable(func):
            raise TypeError(f"@op needs a function, got {func!r}")
        self.func = func
        self.name = name or getattr(func, "__name__", None) or type(func).__name__
        where = f"operation {self.name!r}"
        if stage not in STAGES:
            raise ValueError(f"{where}: stage must be one of {STAGES}, got {stage!r}")
        if runner not in RUNNERS:
            raise ValueError(f"{where}: runner must be one of {RUNNERS}, got {runner!r}")
        if not isinstance(retry, int) or retry < 0:
            raise ValueError(f"{where}: retry must be a whole number >= 0, got {retry!r}")
        self.stage = stage
        self.retry = retry
        self.runner = runner

        signature = _signature(func)
        hints = _hints(func)
        params = signature.parameters if signature else {}
        takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())

        #: parameters that receive the running Context instead of an input
        self.context_params = tuple(
            p for p, param in params.items() if _is_context(hints.get(p, param.annotation))
        )
        self.defaults: dict[str, Any] = {}
        if inputs is None:
            inputs = {
                p: Definition(
                    p,
                    hints.get(p, param.annotation if param.annotation is not param.empty else None),
                )
                for p, param in params.items()
                if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
                and p not in self.context_params
            }
        self.inputs: dict[str, Definition] = {}
        for param, definition in inputs.items():
            if param not in params and not takes_kwargs and signature is not None:
                raise TypeError(
                    f"{where}: input {param!r} is not a parameter of {self.name}{signature}"
                )
            if isinstance(definition, str):
                annotation = hints.get(param)
                definition = Definition(definition, annotation)
            if not isinstance(definition, Definition):
                raise TypeError(
                    f"{where}: input {param!r} must be a Definition, got {definition!r}"
                )
            self.inputs[param] = definition
            found = params.get(param)
            if found is not None and found.default is not found.empty:
                self.defaults[param] = found.default
            elif definition.default is not NO_DEFAULT:
                self.defaults[param] = definition.default

        if outputs is None:
            returned = hints.get("return", signature.return_annotation if signature else None)
            if signature is not None and returned is signature.empty:
                returned = None
            elif returned is None or returned is type(None):
                returned = _NO_OUTPUT
            fname = getattr(func, "__name__", self.name)
            if returned is _NO_OUTPUT:
                outputs = {}
            else:
                if inspect.isasyncgenfunction(func) or inspect.isgeneratorfunction(func):
                    returned = _yielded(returned)
                if fname in set(expand):
                    returned = _yielded(returned, list_too=True)
                outputs = {fname: Definition(fname, returned)}
        self.outputs: dict[str, Definition] = {}
        for key, definition in outputs.items():
            if isinstance(definition, str):
                definition = Definition(definition)
            if not isinstance(definition, Definition):
                raise TypeError(f"{where}: output {key!r} must be a Definition, got {definition!r}")
            self.outputs[key] = definition
        #: one output: the function returns the value itself, not a dict
        self.single = len(self.outputs) == 1

        self.conditions = tuple(
            c if isinstance(c, Definition) else Definition(c, "bool") for c in conditions
        )
        self.expand = frozenset(expand)
        unknown = self.expand - set(self.outputs)
        if unknown:
            raise ValueError(
                f"{where}: expand names {sorted(unknown)} which are not outputs; "
                f"outputs are {sorted(self.outputs)}"
            )

        if inspect.isasyncgenfunction(func):
            self.kind = "asyncgen"
        elif inspect.iscoroutinefunction(func) or (
            not inspect.isfunction(func) and inspect.iscoroutinefunction(type(func).__call__)
        ):
            self.kind = "async"
        elif inspect.isgeneratorfunction(func):
            self.kind = "gen"
        else:
            self.kind = "sync"
        functools.update_wrapper(self, func, updated=())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        ins = ", ".join(f"{k}: {d.name}" for k, d in self.inputs.items())
        outs = ", ".join(f"{k}: {d.name}" for k, d in self.outputs.items())
        return f"Operation({self.name!r}, inputs=({ins}), outputs=({outs}), stage={self.stage!r})"

    @property
    def op(self) -> Operation:
        """DFFML's spelling (``Thing.op.inputs``): the operation itself."""
        return self

    @property
    def signature(self) -> str:
        """``name(param: primitive, ...) -> output: primitive`` for display."""
        ins = ", ".join(
            f"{k}: {d.primitive}" + (f" = {self.defaults[k]!r}" if k in self.defaults else "")
            for k, d in self.inputs.items()
        )
        outs = ", ".join(f"{d.name}: {d.primitive}" for d in self.outputs.values())
        return f"{self.name}({ins}) -> {outs or 'None'}"

    @property
    def path(self) -> str:
        """Import path of the function: ``package.module:qualname``."""
        func = self.func
        module = getattr(func, "__module__", None) or type(func).__module__
        qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
        return f"{module}:{qualname}"

    def replace(self, **changes: Any) -> Operation:
        """A copy of this operation with some settings changed."""
        config = dict(
            name=self.name,
            inputs=self.inputs,
            outputs=self.outputs,
            conditions=self.conditions,
            expand=self.expand,
            stage=self.stage,
            retry=self.retry,
            runner=self.runner,
        )
        config.update(changes)
        return Operation(self.func, **config)

    def definitions(self) -> list[Definition]:
        """Every definition this operation touches."""
        return [*self.inputs.values(), *self.outputs.values(), *self.conditions]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "func": self.path,
            "inputs": {k: d.name for k, d in self.inputs.items()},
            "outputs": {k: d.name for k, d in self.outputs.items()},
        }
        if self.conditions:
            data["conditions"] = [d.name for d in self.conditions]
        if self.expand:
            data["expand"] = sorted(self.expand)
        if self.stage != "processing":
            data["stage"] = self.stage
        if self.retry:
            data["retry"] = self.retry
        if self.runner != "inline":
            data["runner"] = self.runner
        return data


_NO_OUTPUT = object()


def _signature(func: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        return None


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # unresolvable string annotations: fall back to the raw ones
        return dict(getattr(func, "__annotations__", {}) or {})


def _is_context(annotation: Any) -> bool:
    # a string annotation that could not be resolved still names the Context type
    return annotation is Context or annotation in ("Context", "dffml_nb.df.Context")


def _yielded(annotation: Any, list_too: bool = False) -> Any:
    """``AsyncIterator[int]`` -> ``int``: what a generator yields (or an expanded list holds)."""
    origin = typing.get_origin(annotation)
    if origin in _ITERATOR_ORIGINS or (
        list_too and origin in (list, tuple, collections.abc.Sequence)
    ):
        args = typing.get_args(annotation)
        return args[0] if args else None
    return annotation


def op(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    inputs: dict[str, Definition | str] | None = None,
    outputs: dict[str, Definition | str] | None = None,
    conditions: typing.Iterable[Definition | str] = (),
    expand: typing.Iterable[str] = (),
    stage: str = "processing",
    retry: int = 0,
    runner: str = "inline",
) -> Any:
    """Make an :class:`Operation` of a plain function, coroutine or async generator.

    Use bare (``@op``) to infer inputs and outputs from the signature, or with
    keywords (``@op(inputs={...}, outputs={...}, conditions=[...])``).
    """
    config = dict(
        name=name,
        inputs=inputs,
        outputs=outputs,
        conditions=conditions,
        expand=expand,
        stage=stage,
        retry=retry,
        runner=runner,
    )
    if func is None:
        return lambda f: op(f, **config)
    if isinstance(func, Operation):
        changes = {
            k: v for k, v in config.items() if v not in (None, (), "processing", 0, "inline")
        }
        return func.replace(**changes) if changes else func
    return Operation(func, **config)
