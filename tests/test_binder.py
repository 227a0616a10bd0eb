"""Binder: repo2docker reads binder/ and would install the requirements and the package."""

from __future__ import annotations

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


@pytest.mark.parametrize("name", ["README.md"])
def test_readme_has_binder_badge_opening_lab_on_notebooks(name):
    text = (ROOT / name).read_text()
    assert "mybinder.org/badge_logo.svg" in text and "urlpath=lab/tree/notebooks" in text
