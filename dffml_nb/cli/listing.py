"""``dffml-nb list models|sources|scorers|operations``."""

from __future__ import annotations

import json
import sys

from dffml_nb import plugins
from dffml_nb.cli.args import UsageError, parse

KINDS = {"models": "model", "sources": "source", "scorers": "scorer", "operations": "operation"}


def main(tokens: list[str]) -> int:
    positional, _ = parse(tokens)
    if len(positional) != 1 or positional[0] not in KINDS:
        raise UsageError(f"usage: dffml-nb list {'|'.join(KINDS)}")
    json.dump(plugins.names(KINDS[positional[0]]), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
