"""CI's own script must at least parse: a broken `.ci/run` fails every submission before any test runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CI_SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "run"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_ci_script_is_valid_bash_that_runs_the_readme_test_command():
    checked = subprocess.run(["bash", "-n", str(CI_SCRIPT)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    commands = [line.strip() for line in CI_SCRIPT.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == "make test"
