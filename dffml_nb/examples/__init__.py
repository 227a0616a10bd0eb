"""Small example operations and data used by the docs, notebooks, CLI and tests."""
