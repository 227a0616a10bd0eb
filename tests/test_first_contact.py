"""First contact: what a new user's first commands do when something is missing.

- ``bash .ci/run`` (the one command that installs everything) run by a user who
  cannot install Chromium stops at once, saying what to run as root.
- Without Chromium the browser tests fail (never skip) saying how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _as_unprivileged_user() -> list[str]:
    """A prefix that runs a command as a user who is not root and cannot sudo."""
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to run .ci/run as another user"
        return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]  # nobody
    can_sudo = (
        shutil.which("sudo")
        and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0
    )
    if can_sudo:
        pytest.skip("this user has password-less sudo: .ci/run would really install Chromium")
    return []


def test_ci_run_without_chromium_and_without_root_says_what_to_install(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "CHROMIUM": str(tmp_path / "no-chromium-here"),  # as if it were not installed
    }
    tmp_path.chmod(0o777)
    result = subprocess.run(
        [*_as_unprivileged_user(), "bash", str(ROOT / ".ci" / "run")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "needs root" in result.stderr
    assert "apt-get update && apt-get install -y --no-install-recommends chromium" in result.stderr
    assert "attempt" not in result.stderr  # no apt-get retries: it stopped at once
    assert result.stdout == ""  # nothing installed, no tests run


def test_browser_tests_fail_with_the_install_command_without_chromium(monkeypatch, tmp_path):
    import browser_support

    monkeypatch.setattr(browser_support, "CHROMIUM", str(tmp_path / "no-chromium-here"))
    with pytest.raises(pytest.fail.Exception) as failure:
        with browser_support.chromium(tmp_path / "profile"):
            pass
    message = str(failure.value)
    assert "Chromium is not installed" in message
    assert "apt-get install -y chromium" in message and "never `playwright install`" in message
