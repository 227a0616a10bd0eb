"""Binder: repo2docker reads binder/ and would install the requirements and the package."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_repo2docker_plans_the_image_from_binder_config(tmp_path):
    exe = shutil.which("jupyter-repo2docker") or shutil.which("repo2docker")
    assert exe, "jupyter-repo2docker is not installed (pip install 'dffml_nb[test]')"
    # repo2docker reads a plain directory; copy only what a clone has (no build artefacts)
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    for name in (
        "binder/requirements.txt",
        "binder/postBuild",
        "binder/runtime.txt",
        "pyproject.toml",
    ):
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, target)
    result = subprocess.run(
        [exe, "--no-build", "--debug", str(repo)], capture_output=True, text=True, timeout=300
    )
    plan = result.stdout + result.stderr
    assert result.returncode == 0, plan[-3000:]
    assert "python=3.11" in plan
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in plan
    assert "./binder/postBuild" in plan


def test_post_build_installs_the_package_and_fails_fast():
    text = (ROOT / "binder" / "postBuild").read_text()
    assert text.startswith("#!/bin/bash") and "set -e" in text
    assert 'pip install --no-cache-dir ".[notebook]"' in text
    requirements = (ROOT / "binder" / "requirements.txt").read_text()
    for package in ("jupyterlab", "ipywidgets", "ipycytoscape", "scikit-learn", "matplotlib"):
        assert package in requirements


def _readme_binder_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## On Binder")
    return text[start : text.index("\n## ", start + 1)]


def test_readme_has_no_binder_link_to_a_repository_that_does_not_exist():
    """No public remote yet: no rendered link may point Binder at a made-up repository."""
    text = (ROOT / "README.md").read_text()
    prose = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)  # code is not rendered as links
    assert not re.search(r"\]\(https://mybinder\.org/v2/", prose)
    assert "mybinder.org/v2/gh/" not in prose


def test_readme_binder_template_opens_lab_on_the_notebooks_and_names_the_config():
    section = _readme_binder_section()
    (pattern,) = re.findall(r"https://mybinder\.org/v2/gh/OWNER/REPO/HEAD\?urlpath=(\S+)", section)
    assert pattern == "lab/tree/notebooks" and (ROOT / "notebooks").is_dir()
    for name in ("runtime.txt", "requirements.txt", "postBuild"):
        assert f"`{name}`" in section and (ROOT / "binder" / name).is_file()


@pytest.mark.parametrize(
    "remote, url",
    [
        ("git@github.com:someone/dffml_nb.git", "https://mybinder.org/v2/gh/someone/dffml_nb/HEAD"),
        (
            "https://github.com/some-one/dffml_nb",
            "https://mybinder.org/v2/gh/some-one/dffml_nb/HEAD",
        ),
        ("https://github.com/a/b.c.git", "https://mybinder.org/v2/gh/a/b.c/HEAD"),
        ("https://gitlab.com/a/b", None),
        ("/srv/git/dffml_nb", None),
    ],
)
def test_readme_command_derives_the_launch_url_from_a_github_remote(tmp_path, remote, url):
    (command,) = [
        line for line in _readme_binder_section().splitlines() if line.startswith("git remote")
    ]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", remote], check=True)
    result = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    expected = "" if url is None else url + "?urlpath=lab/tree/notebooks\n"
    assert result.stdout == expected
