"""One installable package: the wheel holds every data file, works installed outside the checkout,
and the layers point one way (configuration and clock at the bottom, the CLI on top)."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "regwatch"
WHEEL_MUST_HOLD = [
    "regwatch/config/regwatch.example.yaml",
    "regwatch/config/sources.yaml",
    "regwatch/config/extraction.yaml",
    *(f"regwatch/config/rules/{p.name}" for p in sorted((PACKAGE / "config" / "rules").glob("*.yaml"))),
    "regwatch/alerts/templates/alert.html.j2",
    "regwatch/alerts/templates/alert.txt.j2",
    "regwatch/alerts/templates/alert.md.j2",
    "regwatch/storage/migrations/env.py",
    "regwatch/storage/migrations/script.py.mako",
    *(f"regwatch/storage/migrations/versions/{p.name}" for p in sorted((PACKAGE / "storage" / "migrations" / "versions").glob("*.py"))),
    "regwatch/demo/sources.yaml",
    "regwatch/demo/expected.yaml",
    *(str(p.relative_to(ROOT)) for p in sorted((PACKAGE / "demo" / "site").rglob("*")) if p.is_file()),
]
_IGNORED = shutil.ignore_patterns(".venv", ".git", "var", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                  ".hypothesis", "*.db", "*.db-*")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout (offline: the venv's setuptools, no isolation)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_IGNORED)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(tmp / "dist")], check=True, capture_output=True)
    (found,) = (tmp / "dist").glob("regwatch-*.whl")
    return found


def test_the_wheel_holds_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert len(WHEEL_MUST_HOLD) > 40  # the demo site alone has dozens of files
    missing = [n for n in WHEEL_MUST_HOLD if n not in names]
    assert not missing, missing
    assert not [n for n in names if n.split("/")[0] not in ("regwatch",) and ".dist-info" not in n.split("/")[0]], \
        "only the regwatch package may land in site-packages"


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding only the wheel; the dependencies come from the dev venv through a .pth."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dev venv's site-packages for the dependencies; its .pth files (the editable regwatch)
    # are not processed from a path added this way, so regwatch can only come from the wheel.
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    zipfile.ZipFile(wheel).extractall(site)
    script = venv / "bin" / "regwatch"
    # As pip's console script: the guard keeps multiprocessing's spawned workers from running the CLI again.
    script.write_text(f"#!{python}\nimport sys\nfrom regwatch.app.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n",
                      encoding="utf-8")
    script.chmod(0o755)
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "XDG_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    return venv, env


def run(installed, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    venv, env = installed
    workdir = Path(env["HOME"]) / "work"
    workdir.mkdir(exist_ok=True)
    return subprocess.run([str(venv / "bin" / "regwatch"), *args], input=stdin, capture_output=True, cwd=workdir,
                          env=env, timeout=600, check=False)


@pytest.mark.slow
def test_the_installed_wheel_works_outside_the_checkout(installed):
    venv, env = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import regwatch; print(regwatch.__file__)"],
                           capture_output=True, text=True, cwd=env["HOME"], env=env, check=True).stdout
    assert where.startswith(str(venv)), where
    check = run(installed, "config", "check")
    assert check.returncode == 0, check.stderr.decode()
    assert b"configuration is valid" in check.stdout and str(ROOT).encode() not in check.stdout
    row = json.dumps({"id": "a", "title": "", "text": "某区网信办对某公司罚款5万元。"}, ensure_ascii=False)
    classified = run(installed, "classify", stdin=row.encode() + b"\n")
    assert classified.returncode == 0, classified.stderr.decode()
    pred = json.loads(classified.stdout)
    assert pred["id"] == "a" and pred["is_enforcement"] and pred["cases"][0]["fine_org_yuan"] == 50000
    demo = run(installed, "demo", "--quiet")
    assert demo.returncode == 3, demo.stderr.decode()[-2000:]  # 3: the demo's 公安部 source is blocked by design
    assert not re.search(rb"^\S+\s+error\s", demo.stdout, re.M), demo.stdout.decode()  # no source failed
    assert b"digest:" in demo.stdout
    data = Path(env["HOME"]) / ".local" / "share" / "regwatch" / "demo" / "regwatch.db"
    assert data.is_file(), "runtime files go to the user data folder, not the package"


def _imports(path: Path) -> list[str]:
    """Absolute names of every module `path` imports (top level or inside functions)."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])  # a module's or __init__'s package
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names += [target] + [f"{target}.{a.name}" for a in node.names]
    return names


def _modules(*under: str) -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] in under or not under]


def test_the_import_helper_resolves_relative_imports():
    names = _imports(PACKAGE / "config" / "__init__.py")
    assert "regwatch.config.sources" in names and "regwatch.config.masking.mask_secrets" in names


def test_no_module_below_the_cli_imports_it():
    below = [p for p in _modules() if p.relative_to(PACKAGE).parts[0] != "app" and p.name != "__main__.py"]
    assert len(below) > 30
    offenders = {str(p.relative_to(ROOT)): n for p in below for n in _imports(p)
                 if n == "regwatch.app" or n.startswith("regwatch.app.")}
    assert not offenders, offenders


def test_config_and_clock_import_nothing_else_of_the_project():
    bottom = _modules("config") + [PACKAGE / "clock.py"]
    offenders = {}
    for path in bottom:
        for name in _imports(path):
            if (name == "regwatch" or name.startswith("regwatch.")) and not name.startswith("regwatch.config"):
                offenders[str(path.relative_to(ROOT))] = name
    assert not offenders, offenders
