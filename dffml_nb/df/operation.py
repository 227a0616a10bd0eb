"""Operations: plain functions that consume and produce definitions.

``@op`` infers everything it can from the signature, so functions wire
themselves by name::

    @op
    def add(a: int, b: int) -> int: ...

    @op
    def total(add: int) -> int: ...   # consumes what ``add`` produces

Three pieces, as Hamilton builds its nodes: :class:`Operation` only stores what
an operation is; :meth:`Operation.from_function` infers it from a function and
the :class:`Settings` given; :meth:`Operation.replace` copies one with some
settings changed. :data:`Settings` is the one list of settings.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from dffml_nb.df import configs
from dffml_nb.df.context import Context
from dffml_nb.df.reprs import safe_repr
from dffml_nb.df.types import NO_DEFAULT, Definition

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["UNSET", "FunctionType", "Operation", "RUNNERS", "SETTINGS", "STAGES", "Settings", "op"]

STAGES = ("processing", "cleanup", "output")
RUNNERS = ("inline", "thread")


class _Unset:
    """The type of :data:`UNSET`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"


#: "Not given", as distinct from every real value (httpx's ``USE_CLIENT_DEFAULT``):
#: ``op(existing, retry=0)`` sets retry to 0, ``op(existing, retry=UNSET)`` leaves it.
UNSET: Any = _Unset()


class Settings(TypedDict, total=False):
    """Everything an operation is besides its function: the one list of settings.

    ``@op(**settings)``, ``Operation.from_function(func, **settings)`` and
    ``operation.replace(**settings)`` take these. A setting left out (or given as
    :data:`UNSET`) is inferred from the function — or, for ``replace``, kept.
    """

    name: str
    inputs: Mapping[str, Definition | str]
    outputs: Mapping[str, Definition | str]
    conditions: Iterable[Definition | str]
    expand: Iterable[str]
    stage: str
    retry: int
    runner: str
    #: a dataclass: the function receives an instance as its ``config`` argument
    config: type | None
    #: field values bound with :meth:`Operation.configure` (a flow's ``configs`` win)
    configured: Mapping[str, Any]


SETTINGS: tuple[str, ...] = tuple(Settings.__annotations__)


class FunctionType(enum.Enum):
    """How an operation's function is called (decided once, from the function)."""

    PLAIN = "plain"
    GENERATOR = "generator"
    COROUTINE = "coroutine"
    ASYNC_GENERATOR = "async_generator"


class Operation:
    """A function with named inputs and outputs. Calling it calls the function.

    The constructor only stores (and checks) what it is given; build one from a
    function with :func:`op` or :meth:`from_function`.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str,
        inputs: Mapping[str, Definition],
        outputs: Mapping[str, Definition],
        conditions: Iterable[Definition] = (),
        expand: Iterable[str] = (),
        stage: str = "processing",
        retry: int = 0,
        runner: str = "inline",
        defaults: Mapping[str, Any] | None = None,
        context_params: Iterable[str] = (),
        config: type | None = None,
        configured: Mapping[str, Any] | None = None,
    ) -> None:
        self.func = func
        self.name = name
        self.inputs: dict[str, Definition] = dict(inputs)
        self.outputs: dict[str, Definition] = dict(outputs)
        self.conditions: tuple[Definition, ...] = tuple(conditions)
        self.expand: frozenset[str] = frozenset(expand)
        self.stage = stage
        self.retry = retry
        self.runner = runner
        #: parameter -> the value it gets when no input arrives
        self.defaults: dict[str, Any] = dict(defaults or {})
        #: parameters that receive the running Context instead of an input
        self.context_params: tuple[str, ...] = tuple(context_params)
        #: the configuration dataclass (the function's ``config`` argument), if any
        self.config = config
        #: configuration fields bound to this operation (see :meth:`configure`)
        self.configured: dict[str, Any] = dict(configured or {})
        #: one output: the function returns the value itself, not a dict
        self.single = len(self.outputs) == 1
        self.function_type = _function_type(func)
        self._check()
        functools.update_wrapper(self, func, updated=())

    def _check(self) -> None:
        where = f"operation {self.name!r}"
        if self.stage not in STAGES:
            raise ValueError(f"{where}: stage must be one of {STAGES}, got {self.stage!r}")
        if self.runner not in RUNNERS:
            raise ValueError(f"{where}: runner must be one of {RUNNERS}, got {self.runner!r}")
        if not isinstance(self.retry, int) or isinstance(self.retry, bool) or self.retry < 0:
            raise ValueError(f"{where}: retry must be a whole number >= 0, got {self.retry!r}")
        unknown = self.expand - set(self.outputs)
        if unknown:
            raise ValueError(
                f"{where}: expand names {sorted(unknown)} which are not outputs; "
                f"outputs are {sorted(self.outputs)}"
            )
        if self.config is not None:
            configs.check_class(self.config, where)
        configs.check_fields(self.config, self.configured, where)

    @classmethod
    def from_function(cls, func: Callable[..., Any], **settings: Unpack[Settings]) -> Operation:
        """Infer an operation from ``func``'s signature; ``settings`` override inference.

        Each parameter becomes an input of a definition named after it (primitive
        from its annotation), the return value one output named after the function.
        """
        if not callable(func):
            raise TypeError(f"@op needs a function, got {safe_repr(func)}")
        given = _given(settings)
        name = given.get("name") or getattr(func, "__name__", None) or type(func).__name__
        expand = frozenset(given.get("expand", ()))
        signature = _signature(func)
        hints = _hints(func)
        config = given.get("config")
        if config is not None:
            _check_config_parameter(signature, name)
        inputs, defaults, context_params = _infer_inputs(
            signature, hints, given.get("inputs"), name, reserved=("config",) if config else ()
        )
        return cls(
            func,
            name=name,
            inputs=inputs,
            outputs=_infer_outputs(func, signature, hints, given.get("outputs"), expand, name),
            conditions=[
                c if isinstance(c, Definition) else Definition(c, "bool")
                for c in given.get("conditions", ())
            ],
            expand=expand,
            stage=given.get("stage", "processing"),
            retry=given.get("retry", 0),
            runner=given.get("runner", "inline"),
            defaults=defaults,
            context_params=context_params,
            config=config,
            configured=given.get("configured"),
        )

    def configure(self, **fields: Any) -> Operation:
        """A copy of this operation with configuration ``fields`` bound (on top of any bound
        before); a field its ``config`` dataclass does not have is a TypeError naming it.

        >>> db_query_lookup.configure(database="examples.db")  # doctest: +SKIP
        """
        if self.config is None:
            raise TypeError(
                f"operation {self.name!r} takes no configuration: it declares no config="
            )
        configs.check_fields(self.config, fields, f"operation {self.name!r}")
        return self.replace(configured={**self.configured, **fields})

    def replace(self, **changes: Unpack[Settings]) -> Operation:
        """A copy of this operation with some settings changed (the rest kept)."""
        current: dict[str, Any] = {setting: getattr(self, setting) for setting in SETTINGS}
        current.update(_given(changes))
        return Operation.from_function(self.func, **current)

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
            f"{k}: {d.primitive}"
            + (f" = {safe_repr(self.defaults[k])}" if k in self.defaults else "")
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

    def definitions(self) -> list[Definition]:
        """Every definition this operation touches."""
        return [*self.inputs.values(), *self.outputs.values(), *self.conditions]

    def to_dict(self) -> dict[str, Any]:
        """The flow-file form: definitions by name; settings that equal the default left out."""
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


@typing.overload
def op(func: Callable[..., Any], /, **settings: Unpack[Settings]) -> Operation: ...
@typing.overload
def op(
    func: None = None, /, **settings: Unpack[Settings]
) -> Callable[[Callable[..., Any]], Operation]: ...


def op(
    func: Callable[..., Any] | None = None, /, **settings: Unpack[Settings]
) -> Operation | Callable[[Callable[..., Any]], Operation]:
    """Make an :class:`Operation` of a plain function, coroutine or async generator.

    Use bare (``@op``) to infer inputs and outputs from the signature, or with
    settings (``@op(inputs={...}, outputs={...}, conditions=[...])``; see
    :class:`Settings`). Given an Operation, returns a copy with the settings given
    changed — every setting given, even one equal to its default.
    """
    given = _given(settings)
    if func is None:
        return lambda f: op(f, **given)
    if isinstance(func, Operation):
        return func.replace(**given) if given else func
    return Operation.from_function(func, **given)


# -- inference ----------------------------------------------------------------------------

_NO_OUTPUT = object()
_ITERATOR_ORIGINS = (
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
    collections.abc.Iterator,
    collections.abc.Iterable,
    collections.abc.Generator,
)


def _given(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings actually given (UNSET dropped); an unknown one is an error."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(
            f"unknown operation setting(s) {', '.join(sorted(unknown))}; "
            f"settings are {', '.join(SETTINGS)}"
        )
    return {k: v for k, v in settings.items() if v is not UNSET}


def _check_config_parameter(signature: inspect.Signature | None, name: str) -> None:
    """An operation with ``config=`` must take a ``config`` argument (or ``**kwargs``)."""
    params = signature.parameters if signature else {}
    if (
        signature is not None
        and "config" not in params
        and not any(p.kind is p.VAR_KEYWORD for p in params.values())
    ):
        raise TypeError(
            f"operation {name!r} declares config= but its function {name}{signature} has no "
            "'config' parameter to receive it"
        )


def _infer_inputs(
    signature: inspect.Signature | None,
    hints: dict[str, Any],
    given: Mapping[str, Definition | str] | None,
    name: str,
    reserved: tuple[str, ...] = (),
) -> tuple[dict[str, Definition], dict[str, Any], tuple[str, ...]]:
    """``(inputs, defaults, context_params)`` from the signature and the inputs given.

    ``reserved`` parameters (``config``) are filled by the executor, never inputs."""
    where = f"operation {name!r}"
    params = signature.parameters if signature else {}
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())
    context_params = tuple(
        p for p, param in params.items() if _is_context(hints.get(p, param.annotation))
    )
    if given is None:
        given = {
            p: Definition(
                p, hints.get(p, None if param.annotation is param.empty else param.annotation)
            )
            for p, param in params.items()
            if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
            and p not in context_params
            and p not in reserved
        }
    inputs: dict[str, Definition] = {}
    defaults: dict[str, Any] = {}
    for param, definition in given.items():
        if param not in params and not takes_kwargs and signature is not None:
            raise TypeError(f"{where}: input {param!r} is not a parameter of {name}{signature}")
        if isinstance(definition, str):
            definition = Definition(definition, hints.get(param))
        if not isinstance(definition, Definition):
            raise TypeError(
                f"{where}: input {param!r} must be a Definition, got {safe_repr(definition)}"
            )
        inputs[param] = definition
        found = params.get(param)
        if found is not None and found.default is not found.empty:
            defaults[param] = found.default
        elif definition.default is not NO_DEFAULT:
            defaults[param] = definition.default
    return inputs, defaults, context_params


def _infer_outputs(
    func: Callable[..., Any],
    signature: inspect.Signature | None,
    hints: dict[str, Any],
    given: Mapping[str, Definition | str] | None,
    expand: frozenset[str],
    name: str,
) -> dict[str, Definition]:
    """The outputs given, or one named after the function, typed by its return annotation."""
    where = f"operation {name!r}"
    if given is None:
        returned = hints.get("return", signature.return_annotation if signature else None)
        if signature is not None and returned is signature.empty:
            returned = None  # not annotated: one output of any type
        elif returned is None or returned is type(None):
            return {}  # ``-> None``: no output
        output = getattr(func, "__name__", None) or name
        if inspect.isasyncgenfunction(func) or inspect.isgeneratorfunction(func):
            returned = _yielded(returned)
        if output in expand:
            returned = _yielded(returned, list_too=True)
        given = {output: Definition(output, returned)}
    outputs: dict[str, Definition] = {}
    for key, definition in given.items():
        if isinstance(definition, str):
            definition = Definition(definition)
        if not isinstance(definition, Definition):
            raise TypeError(
                f"{where}: output {key!r} must be a Definition, got {safe_repr(definition)}"
            )
        outputs[key] = definition
    return outputs


def _function_type(func: Callable[..., Any]) -> FunctionType:
    if inspect.isasyncgenfunction(func):
        return FunctionType.ASYNC_GENERATOR
    if inspect.iscoroutinefunction(func) or (
        not inspect.isfunction(func) and inspect.iscoroutinefunction(type(func).__call__)
    ):
        return FunctionType.COROUTINE
    if inspect.isgeneratorfunction(func):
        return FunctionType.GENERATOR
    return FunctionType.PLAIN


def _signature(func: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        return None


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - unresolvable string annotations: use the raw ones
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
