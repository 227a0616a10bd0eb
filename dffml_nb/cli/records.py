"""``dffml-nb dataflow run records all|set``, ``dffml-nb merge``, and the ``df`` source's flags.

DFFML's commands and defaults: ``dataflow run records`` runs a flow over every
record of the sources (each record one context named by its key), prints the
records with the results added, and — like DFFML — writes them back to the
sources unless ``-no-update``. ``merge SRC DEST`` copies SRC's records into DEST.
A DataFlowSource is configured with DFFML's nested flags:
``-sources f=df -source-f-dataflow flow.json -source-f-source csv
-source-f-source-filename data.csv``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from dffml_nb.cli.args import Flag, Flags, UsageError, check_keywords, cli_value, one, pairs

RUN_USAGE = """\
usage: dffml-nb dataflow run records all|set -dataflow FILE -sources LABEL=KIND ...
           [-source-[LABEL-]KEYWORD VALUE ...] [-record-def DEFINITION]
           [-inputs VALUE=DEFINITION ...] [-keys KEY ...] [-caching FEATURE ...]
           [-no-update] [-no-strict] [-no-echo] [-pretty] [-trust]

  Runs the flow over each record of the sources (all, or the set named by -keys):
  each record is one context named by its key; features named like definitions
  the flow consumes seed it; -record-def seeds the key; -inputs are added to every
  context. The results become features of the record (a result named like a
  feature replaces its value). Prints the records as JSON (-pretty: a table,
  -no-echo: nothing) and, as DFFML does, writes them back to the sources unless
  -no-update. -caching F ...: skip records that already have these features.
  -no-strict: a record whose flow fails keeps its features; the failure is said
  on stderr and the others go on. -trust: let the flow file import the modules its
  operations name (registered operations load without it).
"""

MERGE_USAGE = """\
usage: dffml-nb merge SRC_LABEL=KIND DEST_LABEL=KIND
           -source-SRC_LABEL-KEYWORD VALUE ... -source-DEST_LABEL-KEYWORD VALUE ...

  Merges every record of SRC into DEST (as DFFML does: a record DEST lacks is
  added; one it has gains SRC's features it lacks, and keeps its own values for
  the rest) and saves DEST atomically. Prints {"merged": N, "destination": ...}.
  e.g. dffml-nb merge src=csv dest=json -source-src-filename a.csv
       -source-dest-filename b.json
"""

RUN_RECORDS = Flags(
    RUN_USAGE,
    (
        Flag("dataflow"),
        Flag("sources", "+"),
        Flag("record-def"),
        Flag("inputs", "+"),
        Flag("keys", "+"),
        Flag("caching", "+"),
        Flag("no-update", 0),
        Flag("no-strict", 0),
        Flag("no-echo", 0),
        Flag("pretty", 0),
        Flag("trust", 0),
    ),
    families=("source",),
)
MERGE = Flags(MERGE_USAGE, (), families=("source",))

#: what ``-source-LABEL-<keyword>`` may say for a ``df`` source (DFFML's config fields)
DATAFLOW_SOURCE_KEYWORDS = (
    "dataflow",
    "source",
    "features",
    "inputs",
    "record_def",
    "record-def",
    "no_strict",
    "no-strict",
    "columnar",
    "trust",
    "readwrite",
    "allowempty",
)


# -- dataflow run records ------------------------------------------------------------------


def run_records_command(tokens: list[str]) -> int:
    from dffml_nb.cli import ml
    from dffml_nb.records import run_records
    from dffml_nb.source.flowrun import FailedRecordsWarning

    positional, options = RUN_RECORDS.parse(tokens)
    if positional not in (["all"], ["set"]):
        raise UsageError("usage: dffml-nb dataflow run records all|set ... (-h for more)")
    if positional == ["set"] and "keys" not in options:
        raise UsageError("dataflow run records set needs -keys KEY ... (the records to run)")
    if positional == ["all"] and "keys" in options:
        raise UsageError("-keys selects records for run records set, not run records all")
    flow = load_flow(one(options, "dataflow", required=True), "-dataflow", "trust" in options)
    inputs = typed_inputs(flow, options.get("inputs", []), "-inputs")
    sources = ml.build_sources(options)
    strict = "no-strict" not in options
    caching = options.get("caching", [])
    done: list[Any] = []
    for source in sources:
        records = _chosen(source, options.get("keys"), caching)
        if not records:
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = run_records(
                flow,
                records,
                record_def=one(options, "record-def"),
                inputs=inputs,
                strict=strict,
            )
        for warning in caught:  # one line each; failures are said per record below
            if not issubclass(warning.category, FailedRecordsWarning):
                sys.stderr.write(f"dffml-nb: warning: {_one_line(warning.message)}\n")
        for error in out.errors:
            sys.stderr.write(f"dffml-nb: record {error.context!r}: {_one_line(error)}\n")
        if "no-update" not in options and _writable(source):
            for record in out:
                source.update(record)
            source.save()
        done.extend(out)
    if "keys" in options:
        missing = [k for k in options["keys"] if not any(r.key == k for r in done)]
        if missing:
            raise UsageError(
                f"-keys {missing[0]}: no record with key {missing[0]!r} in the sources"
            )
    if "no-echo" in options:
        return 0
    if "pretty" in options:
        sys.stdout.write(ml.records_table(done))
    else:
        ml.dump_json(ml.records_json(done))
    return 0


def _chosen(source: Any, keys: list[str] | None, caching: list[str]) -> list[Any]:
    records = list(source.records())
    if keys is not None:
        wanted = set(keys)
        records = [r for r in records if r.key in wanted]
    if caching:  # DFFML: a record that has every one of these features already is skipped
        records = [r for r in records if not all(name in r.features() for name in caching)]
    return records


def _writable(source: Any) -> bool:
    from dffml_nb.source import DataFrameSource, MemorySource
    from dffml_nb.source.dataflow import DataFlowSource

    return not isinstance(source, (DataFrameSource, MemorySource, DataFlowSource))


def _one_line(error: Any) -> str:
    return " ".join(str(error).split())


# -- merge ---------------------------------------------------------------------------------


def merge(tokens: list[str]) -> int:
    from dffml_nb.cli import ml
    from dffml_nb.record import Record

    positional, options = MERGE.parse(tokens)
    if len(positional) != 2 or not all("=" in p for p in positional):
        raise UsageError(
            "merge takes two sources, SRC_LABEL=KIND DEST_LABEL=KIND (dffml-nb merge -h)"
        )
    if positional[0].partition("=")[0] == positional[1].partition("=")[0]:
        raise UsageError("merge: give the two sources different labels (src=csv dest=json)")
    src, dest = ml.build_sources({**options, "sources": positional})
    existing = dest._loaded(missing_ok=True)  # saving creates a destination file that is missing
    count = 0
    for record in src.records():
        merged = Record(record.key).merge(record)
        held = existing.get(record.key)
        if held is not None:
            merged.merge(held)  # DFFML's order: what DEST has stays
        dest.update(merged)
        count += 1
    dest.save()
    ml.dump_json({"merged": count, "destination": dest.origin})
    return 0


# -- the df source's flags -------------------------------------------------------------------


def load_flow(path: Any, flag: str, trust: bool = False) -> Any:
    """The flow in file ``path`` (an error naming the flag and file if it cannot be read)."""
    from dffml_nb.df import DataFlow

    if isinstance(path, DataFlow):
        return path
    try:
        return DataFlow.load(path, trust=trust)
    except Exception as error:
        if str(path) in str(error):
            raise
        raise ValueError(f"{flag} {path}: not a loadable dataflow: {error}") from error


def typed_values(flow: Any, values: list[str], what: str) -> list[tuple[Any, Any]]:
    """``["40=n", ...]`` -> ``[(Definition n, 40), ...]``: each value converted to the
    primitive of the flow's definition it names (an unknown name is a UsageError)."""
    out = []
    for text, name in pairs(values, what):
        definition = flow.definitions.get(name)
        if definition is None:
            known = ", ".join(sorted(flow.definitions))
            raise UsageError(
                f"{what} {text}={name}: the flow has no definition {name!r}; definitions: {known}"
            )
        out.append((definition, cli_value(text, definition, f"{what} {text}={name}")))
    return out


def typed_inputs(flow: Any, values: list[str], what: str) -> dict[str, Any]:
    """``["40=n", ...]`` -> ``{"n": 40}`` (see :func:`typed_values`)."""
    return {definition.name: value for definition, value in typed_values(flow, values, what)}


def dataflow_source(
    label: str,
    config: dict[str, list[str]],
    labels: list[str],
    namespace: dict[str, Any] | None,
) -> Any:
    """A DataFlowSource from ``-source-LABEL-*`` flags, its inner source from
    ``-source-LABEL-source KIND`` and ``-source-LABEL-source-KEYWORD VALUE``."""
    from dffml_nb.cli import ml
    from dffml_nb.source.dataflow import DataFlowSource

    inner = {k[len("source-") :]: v for k, v in config.items() if k.startswith("source-")}
    own = {k: v for k, v in config.items() if not k.startswith("source-")}
    check_keywords(f"source-{label}", own, DATAFLOW_SOURCE_KEYWORDS, f" for source {label}=df")
    given = {k.replace("-", "_"): v for k, v in own.items()}

    def single(key: str) -> str | None:
        values = given.get(key)
        if values is None:
            return None
        if len(values) != 1:
            raise UsageError(f"-source-{label}-{key} takes one value, got {len(values)}")
        return values[0]

    flow_name = single("dataflow")
    if flow_name is None:
        raise UsageError(f"source {label}=df needs -source-{label}-dataflow FILE")
    flow = namespace.get(flow_name) if namespace and flow_name in namespace else None
    flow = load_flow(
        flow if flow is not None else flow_name, f"-source-{label}-dataflow", "trust" in given
    )
    kind = single("source")
    if kind is None:
        raise UsageError(
            f"source {label}=df needs -source-{label}-source KIND (the source it reads, "
            f"e.g. csv with -source-{label}-source-filename FILE)"
        )
    if namespace is not None and kind in namespace and not inner:
        wrapped = namespace[kind]  # a notebook variable (a DataFrame, records)
    else:
        wrapped = ml._labelled_source(
            f"{label}-source", kind, {}, inner, [f"{label}-source"], namespace
        )
    for switch in ("no_strict", "columnar", "trust", "readwrite", "allowempty"):
        if given.get(switch):
            raise UsageError(f"-source-{label}-{switch.replace('_', '-')} takes no value")
    features = given.get("features")
    return DataFlowSource(
        flow,
        wrapped,
        record_def=single("record_def"),
        inputs=typed_inputs(flow, given.get("inputs", []), f"-source-{label}-inputs"),
        columnar="columnar" in given,
        features=features,
        strict="no_strict" not in given,
    )
