"""DataFlow: operations linked by the definitions they consume and produce."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dffml_nb.df.errors import DataFlowError
from dffml_nb.df.operation import Operation, op
from dffml_nb.df.reprs import safe_repr
from dffml_nb.df.types import Definition, Input

__all__ = ["DataFlow"]


class DataFlow:
    """A directed graph of operations; an output feeds every input of its definition.

    ``DataFlow(add, mult, get_single, seed=[Input(["result"], get_single.inputs["spec"])])``.
    Plain functions are wrapped with :func:`op`. ``seed`` inputs join every context;
    they may also be given as ``{definition_name: value}``.
    """

    def __init__(
        self,
        *ops: Operation | Callable[..., Any] | Iterable[Operation | Callable[..., Any]],
        seed: Iterable[Input[Any] | dict[str, Any]] | dict[str, Any] = (),
        operations: Mapping[str, Operation | Callable[..., Any]] | None = None,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """``ops``: operations (or plain functions, or lists of them), named as they are.

        ``operations``: DFFML's spelling, ``{name: operation}`` — each is added under
        that name (renamed if it differs). ``configs``: ``{operation name: {field:
        value}}``, the configuration of operations that declare ``config=`` (over what
        ``operation.configure`` bound); saved in flow files.
        """
        found: list[Operation] = []
        for item in ops:
            if isinstance(item, (list, tuple)):
                found.extend(_as_operation(o) for o in item)
            else:
                found.append(_as_operation(item))
        for name, item in (operations or {}).items():
            operation = _as_operation(item)
            found.append(operation if operation.name == name else operation.replace(name=name))
        self._ops = found
        self.seed: list[Input[Any]] = []
        if isinstance(seed, dict):
            seed = [seed]
        for entry in seed:
            if isinstance(entry, dict):
                self.seed.extend(Input(v, k) for k, v in entry.items())
            else:
                self.seed.append(entry)
        #: operation name -> {config field: value} (see dffml_nb.df.configs)
        self.configs: dict[str, dict[str, Any]] = {
            str(name): dict(values) for name, values in (configs or {}).items()
        }
        self._plan: Any = None  # (key, Plan) cached by dffml_nb.df.plan.plan_of

    @classmethod
    def auto(cls, *operations: Operation | Callable[..., Any], **kwargs: Any) -> DataFlow:
        """DFFML's spelling: the same as ``DataFlow(*operations)``."""
        return cls(*operations, **kwargs)

    # -- structure ---------------------------------------------------------

    @property
    def operations(self) -> dict[str, Operation]:
        """Operations by name (a later duplicate name is reported by ``validate``)."""
        out: dict[str, Operation] = {}
        for item in self._ops:
            out.setdefault(item.name, item)
        return out

    def __iter__(self) -> typing.Iterator[Operation]:
        return iter(self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __contains__(self, name: object) -> bool:
        return any(o.name == name for o in self._ops)

    def __getitem__(self, name: str) -> Operation:
        for item in self._ops:
            if item.name == name:
                return item
        raise KeyError(
            f"no operation {name!r} in this flow; operations: {', '.join(self.operations)}"
        )

    @property
    def definitions(self) -> dict[str, Definition]:
        """Every definition the operations and seeds use, by name (first seen wins)."""
        out: dict[str, Definition] = {}
        for item in self._ops:
            for definition in item.definitions():
                out.setdefault(definition.name, definition)
        for seed in self.seed:
            if isinstance(seed.definition, Definition):
                out.setdefault(seed.definition.name, seed.definition)
        return out

    def _consumed(self) -> set[Definition]:
        return {d for o in self._ops for d in (*o.inputs.values(), *o.conditions)}

    def _produced(self) -> set[Definition]:
        return {d for o in self._ops for d in o.outputs.values()}

    @property
    def flow_inputs(self) -> dict[str, Definition]:
        """Definitions some operation consumes and none produces: what a user supplies."""
        produced = self._produced()
        return {
            d.name: d
            for o in self._ops
            for d in (*o.inputs.values(), *o.conditions)
            if d not in produced
        }

    @property
    def leaves(self) -> dict[str, Definition]:
        """Definitions produced and never consumed: a flow's natural results."""
        consumed = self._consumed()
        return {
            d.name: d
            for o in self._ops
            if o.stage != "output"
            for d in o.outputs.values()
            if d not in consumed
        }

    def producers(self, definition: Definition | str) -> list[Operation]:
        name = definition if isinstance(definition, str) else definition.name
        return [o for o in self._ops if any(d.name == name for d in o.outputs.values())]

    def consumers(self, definition: Definition | str) -> list[Operation]:
        name = definition if isinstance(definition, str) else definition.name
        return [
            o for o in self._ops if any(d.name == name for d in (*o.inputs.values(), *o.conditions))
        ]

    def validate(self) -> list[str]:
        """Every problem that would stop this flow from running; empty when sound."""
        problems: list[str] = []
        seen: dict[str, int] = {}
        for item in self._ops:
            seen[item.name] = seen.get(item.name, 0) + 1
        for name, count in seen.items():
            if count > 1:
                problems.append(
                    f"operation name {name!r} is used by {count} operations; names must be unique"
                )
        uses: dict[str, dict[str, list[str]]] = {}
        for item in self._ops:
            for role, mapping in (("input", item.inputs), ("output", item.outputs)):
                for key, definition in mapping.items():
                    uses.setdefault(definition.name, {}).setdefault(
                        definition.primitive, []
                    ).append(f"{item.name} {role} {key!r}")
            for definition in item.conditions:
                uses.setdefault(definition.name, {}).setdefault(definition.primitive, []).append(
                    f"{item.name} condition"
                )
            targets: dict[str, str] = {}
            for key, definition in item.outputs.items():
                if definition.name in targets:
                    problems.append(
                        f"operation {item.name!r}: outputs {targets[definition.name]!r} and {key!r} "
                        f"both produce definition {definition.name!r}; give each output its own definition"
                    )
                targets[definition.name] = key
        for name, primitives in uses.items():
            if len(primitives) > 1:
                detail = "; ".join(f"{p} by {', '.join(w)}" for p, w in primitives.items())
                problems.append(
                    f"definition {name!r} is used with {len(primitives)} primitives ({detail}); "
                    "a definition must have one primitive — annotate the functions alike"
                )
        names = self.definitions
        for seed in self.seed:
            definition = seed.definition
            if isinstance(definition, str) and definition not in names:
                problems.append(
                    f"seed {safe_repr(seed.value)} names definition {definition!r} which no operation uses; "
                    f"definitions: {', '.join(sorted(names)) or '(none)'}"
                )
        from dffml_nb.df.configs import problems as config_problems

        problems.extend(config_problems(self))
        return problems

    def as_op(self, name: str | None = None) -> Operation:
        """This flow as one operation of another flow (a subflow): its inputs are this
        flow's inputs (consumed, never produced, not seeded), its outputs this flow's
        results (what get_single / get_multi pick, else the leaves). It runs in the same
        executor as the calling flow, one context per call; the outer run's subscribers
        hear its operation events, marked ``inner`` with ``name`` (default
        ``"subflow"``).

        >>> outer = DataFlow(parse, features.as_op("features"), model.as_op())  # doctest: +SKIP
        """
        from dffml_nb.df.subflow import subflow_operation

        return subflow_operation(self, name)

    # -- serialisation -----------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description: operations by import path, definitions, seed."""
        from dffml_nb.df.serialize import flow_to_dict

        return flow_to_dict(self)

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, origin: str = "<dict>", trust: bool = False
    ) -> DataFlow:
        """A flow from :meth:`to_dict`'s form; ``origin`` names it in errors.

        The operations it names are found without running any code: registered
        operations, and operations (or functions) of modules already imported.
        ``trust=True`` lets it import the modules it names — only for data you trust.
        """
        from dffml_nb.df.serialize import flow_from_dict

        return flow_from_dict(data, origin=origin, trust=trust)

    def save(self, path: Any) -> None:
        """Write to a ``.json``, ``.yaml`` or ``.yml`` file (atomically)."""
        from dffml_nb.df.serialize import save_flow

        save_flow(self, path)

    @classmethod
    def load(cls, path: Any, *, trust: bool = False) -> DataFlow:
        """Read a flow from a JSON or YAML file; errors name the file and position.

        As :meth:`from_dict`: nothing is imported unless ``trust=True``.
        """
        from dffml_nb.df.serialize import load_flow

        return load_flow(path, trust=trust)

    def mermaid(self) -> str:
        """Mermaid ``flowchart`` text: operations as boxes, definitions as stadiums."""
        from dffml_nb.df.serialize import mermaid

        return mermaid(self)

    def __repr__(self) -> str:
        return f"DataFlow({', '.join(o.name for o in self._ops)})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        # The picture comes from the notebook layer, through the hook the package root
        # sets (dffml_nb.df.display); without one IPython shows the plain repr.
        from dffml_nb.df.display import mimebundle

        return mimebundle(self)


def _as_operation(item: Any) -> Operation:
    return item if isinstance(item, Operation) else op(item)


def ensure_valid(flow: DataFlow) -> None:
    problems = flow.validate()
    if problems:
        raise DataFlowError(f"{flow!r} cannot run; {len(problems)} problem(s):", problems)
