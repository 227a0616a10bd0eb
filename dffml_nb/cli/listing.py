"""``dffml-nb list models|sources|scorers|operations`` and ``list records -sources ...``."""

from __future__ import annotations

import json
import sys

from dffml_nb import plugins
from dffml_nb.cli.args import Flag, Flags, UsageError, flag

KINDS = {"models": "model", "sources": "source", "scorers": "scorer", "operations": "operation"}

USAGE = f"""\
usage: dffml-nb list {"|".join(KINDS)}
       dffml-nb list records -sources f=csv -source-filename FILE [-pretty]

  {"|".join(KINDS)}   the names installed (built-ins and plugins), as JSON
  records        every record of the sources, as JSON (DFFML's list records)
"""

LIST = Flags(USAGE)
RECORDS = Flags(USAGE, (Flag("sources", "+"), Flag("pretty", 0)), families=("source",))


def main(tokens: list[str]) -> int:
    what = tokens[0] if tokens else ""
    if what == "records":
        return _records(tokens[1:])
    positional, _ = LIST.parse(tokens)
    if len(positional) != 1 or positional[0] not in KINDS:
        raise UsageError(f"usage: dffml-nb list {'|'.join(KINDS)}|records")
    json.dump(plugins.names(KINDS[positional[0]]), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _records(tokens: list[str]) -> int:
    from dffml_nb.cli import ml

    positional, options = RECORDS.parse(tokens)
    if positional:
        raise UsageError(f"list records takes only flags, got {' '.join(positional)!r}")
    records = [record for source in ml.build_sources(options) for record in source.records()]
    if flag(options, "pretty"):
        sys.stdout.write(ml.records_table(records))
    else:
        ml.dump_json(ml.records_json(records))
    return 0
