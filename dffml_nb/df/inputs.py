"""What a run's ``inputs`` mean: which contexts, named how, with which inputs.

``run`` / ``run_sync`` take ``{context_name: input_set}`` or a list of input sets
(contexts named ``"0"``, ``"1"``, ... by position). An input set is
``{definition_name: value}``, an ``Input``, or a list of Inputs and such dicts.
Conveniences that make one context named ``"0"``: ``None`` (no inputs), a bare
``{definition_name: value}`` (no value is itself an input set), one ``Input``, and a
list made only of Inputs (DFFML's style).

:func:`input_sets` is the one reading of that shape — the executor runs what it
yields and :func:`count_contexts` counts it (a progress bar's total), so the two
can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sized
from typing import Any

from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.named import Named
from dffml_nb.df.plan import Plan
from dffml_nb.df.reprs import describe_error, short_repr
from dffml_nb.df.types import Definition, Input

__all__ = ["count_contexts", "input_sets", "parse_input_set"]

_SET_TYPES = (dict, list, tuple, Input)


def _one_context(inputs: Any) -> list[Any] | dict[str, Any] | None:
    """The single input set ``inputs`` stands for, or None if it names several contexts."""
    if inputs is None:
        return []
    if isinstance(inputs, Input):
        return [inputs]
    if isinstance(inputs, dict):
        if inputs and not any(isinstance(v, _SET_TYPES) for v in inputs.values()):
            return inputs  # one input set given bare: {definition: value}
        return None
    if isinstance(inputs, (list, tuple)) and inputs and all(isinstance(i, Input) for i in inputs):
        return list(inputs)  # DFFML style: a list of Inputs is one context
    return None


def input_sets(inputs: Any) -> Iterator[tuple[str, Any]]:
    """``(context_name, input_set)`` for each context ``inputs`` holds, in order.

    Lazy: a generator of input sets is read as the run goes. ``{"a": Input(...),
    "b": Input(...)}`` is two contexts, ``a`` and ``b``, of one input each.
    """
    if isinstance(inputs, Named):  # named input sets given lazily
        yield from inputs
        return
    one = _one_context(inputs)
    if one is not None:
        yield "0", one
    elif isinstance(inputs, Mapping):
        for name, input_set in inputs.items():
            yield str(name), input_set
    else:
        for index, input_set in enumerate(inputs):
            yield str(index), input_set


def count_contexts(inputs: Any) -> int | None:
    """How many contexts :func:`input_sets` yields for ``inputs``, without reading them.

    None when that cannot be known in advance (an iterator or generator of input sets).
    """
    if isinstance(inputs, Named):
        return len(inputs.pairs) if isinstance(inputs.pairs, Sized) else None
    if _one_context(inputs) is not None:
        return 1
    if isinstance(inputs, Sized):
        return len(inputs)
    return None


def parse_input_set(plan: Plan, name: str, input_set: Any) -> list[Input[Definition]]:
    """One context's inputs, resolved against ``plan``'s flow, seeds first, validated.

    Raises :class:`DataFlowError` naming the context and the input at fault.
    """
    items: list[Input[Definition]] = list(plan.seed)
    if isinstance(input_set, dict):
        input_set = [input_set]
    elif isinstance(input_set, Input):
        input_set = [input_set]
    elif not isinstance(input_set, (list, tuple)):
        raise DataFlowError(
            f"context {name!r}: inputs must be a dict {{definition: value}} or a list of Inputs "
            f"and dicts, got {type(input_set).__name__}: {short_repr(input_set)}"
        )
    for entry in input_set:
        if isinstance(entry, Input):
            if isinstance(entry.definition, str):
                entry = Input(
                    entry.value,
                    plan.resolve(entry.definition, f"context {name!r}: an input"),
                    entry.parents,
                    entry.origin,
                )
            items.append(entry)
        elif isinstance(entry, dict):
            for key, value in entry.items():
                items.append(
                    Input(value, plan.resolve(key, f"context {name!r}: an input"), (), "seed")
                )
        else:
            hint = ""
            if name in plan.definitions:
                hint = (
                    f"; {name!r} is a definition: to give it a value in one context, "
                    f"wrap the input set: {{'0': {{{name!r}: ...}}}}"
                )
            raise DataFlowError(
                f"context {name!r}: each input must be an Input or a dict {{definition: value}}, "
                f"got {type(entry).__name__}: {short_repr(entry)}{hint}"
            )
    for index, item in enumerate(items):
        if isinstance(item.definition, str):
            items[index] = item = Input(
                item.value, plan.resolve(item.definition, "a seed"), item.parents, item.origin
            )
        if plan.any_validate and item.definition.validate is not None:
            try:
                value = item.definition.validate(item.value)
            except Exception as error:
                raise DataFlowError(
                    f"context {name!r}: value {short_repr(item.value)} rejected by the validator of "
                    f"definition {item.definition.name!r}: {describe_error(error)}"
                ) from error
            items[index] = Input(value, item.definition, item.parents, item.origin)
    return items
