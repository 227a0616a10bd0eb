"""docs/architecture.md is checked against the code, and no page names a file that is gone.

The architecture page: every file path it names exists, every qualified name
(``dffml_nb.x.y``) imports, its layer table is the import-linter layers
contract of pyproject.toml, the contracts and entry-point groups it names are
pyproject.toml's, and its examples run. Every page (README.md,
notebooks/README.md, docs/*.md): every repository path it names exists, and
every ``dffml_nb.`` name it gives imports or is an entry-point group.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PAGES = [
    ROOT / "README.md",
    ROOT / "notebooks" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS = PYPROJECT["tool"]["importlinter"]["contracts"]
ENTRY_POINT_GROUPS = set(PYPROJECT["project"]["entry-points"])

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
QUALIFIED = re.compile(r"dffml_nb(?:\.[A-Za-z_]\w*)+")
# what a file in this repository is called
SUFFIXES = (".py", ".md", ".ipynb", ".toml", ".yaml", ".yml", ".json", ".txt", ".png", ".csv")
# top-level entries of the repository: a token starting with one of them is a repo path
TOP_LEVEL = {p.name for p in ROOT.iterdir() if not p.name.startswith(".")} | {".ci"}

# Files the pages name that are the user's, not the repository's.
USER_FILES = {
    "training.csv": "the quickstart's data, written into the user's folder by write_data",
    "model.json": "the metadata file inside a saved model's directory (-model-location)",
    "NN_name.ipynb": "the naming pattern of the notebooks, not one file",
    "NN_name.py": "the naming pattern of the notebooks' jupytext pairs, not one file",
}


def _tracked_names() -> set[str]:
    skip = {".git", ".mypy_cache", ".ruff_cache", ".benchmarks", "__pycache__", "site"}
    return {
        p.name for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
    }


def _prose(text: str) -> str:
    """``text`` without its fenced code blocks."""
    return FENCE.sub("", text)


def mentioned(page: Path) -> list[str]:
    """What ``page`` names in backticks outside code examples, links' targets, and the
    words of unlabelled fences (the README's tree of the layout)."""
    text = page.read_text(encoding="utf-8")
    words = [m.group(1).strip() for m in CODE_SPAN.finditer(_prose(text))]
    words += [m.group(1) for m in LINK.finditer(_prose(text))]
    for fence in FENCE.finditer(text):
        if fence.group(1) == "":
            words += fence.group(2).split()
    return words


def looks_like_repo_path(word: str) -> bool:
    """A path inside this repository, as opposed to a URL, a route, a MIME type, a
    user's file outside it (``~/.config/...``) or a bare suffix (``.csv``)."""
    if not word or " " in word or re.fullmatch(r"\.\w+", word):
        return False
    if word.startswith(("/", "~", "http:", "https:", "<", "#")) or any(c in word for c in "?*=$<>"):
        return False
    if "/" in word:
        return word.split("/")[0] in TOP_LEVEL or word.endswith(SUFFIXES)
    return word.endswith(SUFFIXES)


def missing_paths(page: Path, names: set[str]) -> list[str]:
    """The repo paths ``page`` names that are not in the repository. A bare file name
    (``bench_graph.py``, ``runtime.txt``) may sit anywhere in it."""
    missing = []
    for word in mentioned(page):
        word = word.split("#")[0].rstrip(".,:;")
        if not looks_like_repo_path(word) or word in USER_FILES:
            continue
        if (ROOT / word).exists() or (page.parent / word).exists():
            continue
        if "/" not in word and word in names:
            continue
        missing.append(word)
    return missing


def resolve(name: str) -> Any:
    """The object a dotted name stands for: its longest importable module, then attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)  # AttributeError names what is missing
        return found
    raise ModuleNotFoundError(name)


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


# -- every page -------------------------------------------------------------------------


def test_the_path_check_tells_repo_paths_from_everything_else(tmp_path):
    assert looks_like_repo_path("dffml_nb/df/executor.py")
    assert looks_like_repo_path("notebooks/_build.py")
    assert looks_like_repo_path("bench_graph.py")
    assert looks_like_repo_path("docs/")
    for other in ("text/event-stream", "/docs?token=...", "~/.config/dask/jobqueue.yaml", ".csv"):
        assert not looks_like_repo_path(other), other
    page = tmp_path / "page.md"
    page.write_text(
        "Built by `notebooks/_build.py` from `_gone.py`, see [it](docs/nowhere.md);"
        " `dffml_nb/df/executor.py`, `training.csv` and `text/plain` are fine.\n"
        "```\ndffml_nb/old_room/   a tree\n```\n"
    )
    assert missing_paths(page, _tracked_names()) == [
        "notebooks/_build.py",
        "_gone.py",
        "docs/nowhere.md",
        "dffml_nb/old_room/",
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repo_path_a_page_names_exists(page):
    assert missing_paths(page, _tracked_names()) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dffml_nb_name_a_page_gives_imports(page):
    """A moved module (``dffml_nb.nb.trainer`` became ``dffml_nb.nb.ml.trainer``) is caught;
    an entry-point group such as ``dffml_nb.operation`` is pyproject.toml's."""
    wrong = []
    for word in mentioned(page):
        for name in QUALIFIED.findall(word):
            if name in ENTRY_POINT_GROUPS:
                continue
            try:
                resolve(name)
            except (ImportError, AttributeError) as error:
                wrong.append(f"{name}: {error}")
    assert wrong == []


# -- the architecture page ---------------------------------------------------------------


def test_the_architecture_page_is_in_the_site_and_the_readme():
    import yaml

    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    assert {"Architecture": "architecture.md"} in nav
    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def _items(text: str) -> list[str]:
    """The paragraphs and list items of ``text`` (without code examples)."""
    return [item for block in _prose(text).split("\n\n") for item in re.split(r"\n(?=- )", block)]


def test_it_names_files_that_exist():
    """Full paths from the repository's root; a bare file name in a list item whose
    first name is a folder (``dffml_nb/nb/graph/`` — ``layout.py``, ...) is in that folder."""
    checked, missing = [], []
    for item in _items(DOC.read_text(encoding="utf-8")):
        spans = CODE_SPAN.findall(item)
        opens_with_folder = item.startswith("- `") and spans[0].endswith("/")
        folder = spans[0] if opens_with_folder else ""
        for word in spans:
            if not looks_like_repo_path(word) or word in USER_FILES:
                continue
            path = ROOT / word if "/" in word else ROOT / folder / word
            (checked if path.exists() else missing).append(word)
    assert missing == []
    assert len(checked) > 40  # the page is checked, not skipped


def test_every_qualified_name_it_gives_imports():
    names = [n for w in mentioned(DOC) for n in QUALIFIED.findall(w)]
    assert len(names) > 40
    for name in names:
        if name not in ENTRY_POINT_GROUPS:
            assert resolve(name) is not None, name


def test_its_layer_table_is_the_import_linter_layers_contract():
    [layers] = [c for c in CONTRACTS if c["type"] == "layers"]
    rows = [
        line.split("|")[2]
        for line in _section("The layers").splitlines()
        if re.match(r"\| \d+ \|", line)
    ]
    stated = [set(CODE_SPAN.findall(row)) for row in rows]
    declared = [{m.strip() for m in layer.split("|")} for layer in layers["layers"]]
    assert stated == declared
    # the exceptions the page explains are exactly the contract's
    for ignored in layers["ignore_imports"]:
        assert f"`{ignored}`" in _section("The layers")
    assert len(layers["ignore_imports"]) == 2


def test_it_names_each_contract_and_what_the_core_may_not_import():
    section = _section("The import contracts")
    stated = re.findall(r"^- \*\*(.+?)\*\*", section, re.M)
    assert stated == [c["name"] for c in CONTRACTS]
    [core] = [c for c in CONTRACTS if c["type"] == "forbidden"]
    assert core["source_modules"] == ["dffml_nb.df"]
    bullet = section.split("- **")[2].split("\n\n")[0]
    listed = set(CODE_SPAN.findall(bullet)) - {"dffml_nb.df"}
    listed = {w for w in listed if re.fullmatch(r"[\w.]+", w)}  # module names
    assert listed == set(core["forbidden_modules"]) - _layered() | {"dffml_nb._lazy"}
    # "with the layers contract, that keeps every module of dffml_nb out of the core
    # except _version and __main__"
    kept_out = (_layered() - {"dffml_nb.df"}) | set(core["forbidden_modules"])
    package = ROOT / "dffml_nb"
    modules = {
        f"dffml_nb.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()
    }
    assert modules - kept_out == {"dffml_nb.df", "dffml_nb._version", "dffml_nb.__main__"}


def _layered() -> set[str]:
    [layers] = [c for c in CONTRACTS if c["type"] == "layers"]
    return {m.strip() for layer in layers["layers"] for m in layer.split("|")}


def test_the_entry_point_groups_it_names_are_pyprojects():
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r'entry-points\."([^"]+)"', text))
    assert named == ENTRY_POINT_GROUPS
    from dffml_nb import plugins

    assert {f"dffml_nb.{kind}" for kind in plugins.GROUPS} == ENTRY_POINT_GROUPS


def test_its_examples_run(tmp_path, monkeypatch):
    """Also run by tests/test_docs.py with every page; here so this file checks the page whole."""
    monkeypatch.chdir(tmp_path)
    text = DOC.read_text(encoding="utf-8")
    examples = [
        (text[: m.start()].count("\n") + 2, m.group(2))
        for m in FENCE.finditer(text)
        if m.group(1) == "python"
    ]
    assert len(examples) >= 4
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for line, code in examples:
        exec(compile(code, f"architecture.md:{line}", "exec"), namespace)


# what the page says of the code, beyond names -------------------------------------------

#: the modules the page calls pure (no widget): they must load without ipywidgets
PURE = [
    "dffml_nb.nb.graph.layout",
    "dffml_nb.nb.graph.svg",
    "dffml_nb.nb.graph.state",
    "dffml_nb.nb.graph.editor.model",
    "dffml_nb.nb.graph.editor.palette",
    "dffml_nb.nb.graph.editor.export",
    "dffml_nb.nb.graph.editor.placement",
    "dffml_nb.nb.ml.pipeline",
    "dffml_nb.nb.ml.training_data",
    "dffml_nb.nb.ml.leaderboard_data",
    "dffml_nb.nb.ml.plots",
]


def test_the_modules_it_calls_pure_load_without_widgets():
    rooms = _section("The layers")
    for module in PURE:
        assert f"`{module.rsplit('.', 1)[1]}.py`" in rooms, module
    probe = (
        f"import importlib, sys\n"
        f"for m in {PURE!r}: importlib.import_module(m)\n"
        "print([m for m in ('ipywidgets', 'ipycytoscape') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_the_view_imports_ipycytoscape():
    importers = set()
    for path in (ROOT / "dffml_nb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "ipycytoscape" for n in names):
                importers.add(path.relative_to(ROOT).as_posix())
    assert importers == {"dffml_nb/nb/graph/view.py"}
    assert "`view.py` (the only module that imports ipycytoscape)" in _section("The layers")


def test_the_numbers_and_stages_it_quotes_are_the_codes():
    from dffml_nb.df import executor
    from dffml_nb.df.plan import Stage

    text = " ".join(DOC.read_text(encoding="utf-8").split())  # lines joined
    options = inspect.signature(executor.run).parameters
    assert options["max_contexts"].default == 128
    assert "`max_contexts` (128 by default)" in text
    assert "len(done) >= 256" in inspect.getsource(executor._Run.start_more)
    assert "fewer than 256 finished results wait" in text
    assert options["interval"].default == 0.1 and "(0.1 by default)" in text
    assert executor._BATCH == 512 and "or 512 have piled up" in text
    assert [s.name for s in Stage] == ["PROCESSING", "CLEANUP", "OUTPUT", "SETTLED", "FINISHED"]
    assert (
        "`PROCESSING`, `CLEANUP`, `OUTPUT` (an operation's `stage=`), then `SETTLED` and `FINISHED`"
        in text
    )
    # "release ... hands each waiting context its calls through one method"
    release = inspect.getsource(executor._Run.release)
    assert "context.resume(calls)" in release
    assert not re.search(r"context\.\w+\s*[-+]?=", release)
