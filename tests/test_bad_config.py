"""Bad configurations: `config check` names each one (file and key, host, permission or path) and
every command turns it into one line and exit status 2 — never a traceback, never a secret."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from regwatch.app.cli import cli

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("shared_classifier")
GOOD_SOURCE = '  - {id: s1, name: S, kind: feed, start_urls: ["https://a.example/rss"], authority: 网信}\n'
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False).returncode == 0


@pytest.fixture
def read_only() -> Iterator:
    """Make a file or folder read-only for this process (root ignores modes: then the immutable flag)."""
    made: list[Path] = []

    def make(path: Path) -> None:
        path.chmod(0o555 if path.is_dir() else 0o444)
        if IS_ROOT and not _chattr("+i", path):
            pytest.skip("running as root and chattr +i is not available")
        made.append(path)

    yield make
    for path in made:
        if IS_ROOT:
            _chattr("-i", path)
        path.chmod(0o755 if path.is_dir() else 0o644)


# Each case: settings file lines, sources file body (None: a good one), environment, a set-up step,
# and the text the problem line must hold. {tmp} is the test's folder.
CASES = {
    "postgres-port-closed": ("database_url: postgresql://postgres@127.0.0.1:1/regwatch\n", None, {}, None,
                             "127.0.0.1:1"),
    "postgres-unknown-host": ("database_url: postgresql://postgres@no-such-host.invalid:5432/regwatch\n", None, {},
                              None, "no-such-host.invalid"),
    "postgres-unknown-database": ("database_url: postgresql://postgres@127.0.0.1:5432/regwatch_no_such_db\n", None,
                                  {}, "needs_pg", "regwatch_no_such_db"),
    "postgres-password-with-at": ("database_url: postgresql://bot:pa@ss@127.0.0.1:1/regwatch\n", None, {}, None,
                                  "%40"),
    "postgres-password-in-query": ("database_url: postgresql://bot@127.0.0.1:1/regwatch?password=hunter2\n", None,
                                   {}, None, "127.0.0.1:1"),
    "postgres-port-not-a-number": ("database_url: postgresql://bot@db:port/regwatch\n", None, {}, None,
                                   "database_url:"),
    "postgres-port-out-of-range": ("database_url: postgresql://bot@db:99999/regwatch\n", None, {}, None,
                                   "database_url:"),
    "postgres-no-database": ("database_url: postgresql://bot@db:5432\n", None, {}, None, "names no database"),
    "postgres-url-with-space": ("database_url: postgresql://bot@db host:5432/x\n", None, {}, None, "whitespace"),
    "unsupported-backend": ("database_url: mysql://root@localhost/x\n", None, {}, None, "must be a sqlite"),
    "sqlite-two-slashes": ("database_url: sqlite://x.db\n", None, {}, None, "database_url:"),
    "not-a-url": ("database_url: just some words\n", None, {}, None, "database_url:"),
    "sqlite-read-only-file": ("database_url: sqlite:///{tmp}/ro/r.db\n", None, {}, "ro_db_file", "read-only"),
    "sqlite-read-only-folder": ("database_url: sqlite:///{tmp}/ro/sub/r.db\n", None, {}, "ro_folder", "ro"),
    "sqlite-folder-is-a-file": ("database_url: sqlite:///{tmp}/blocker/r.db\n", None, {}, "blocker",
                                "blocker"),
    "sqlite-file-is-a-folder": ("database_url: sqlite:///{tmp}/adir\n", None, {}, "adir", "adir"),
    "sqlite-file-not-a-database": ("database_url: sqlite:///{tmp}/junk.db\n", None, {}, "junk_db",
                                   "not a SQLite database"),
    "digest-dir-under-a-file": ("digest_dir: {tmp}/blocker/digests\n", None, {}, "blocker", "digest_dir"),
    "digest-dir-read-only": ("digest_dir: {tmp}/ro/digests\n", None, {}, "ro_folder", "digest_dir"),
    "sources-file-missing": ("sources_file: {tmp}/nope.yaml\n", None, {}, None, "file not found"),
    "sources-file-is-a-folder": ("sources_file: {tmp}/adir\n", None, {}, "adir", "is a folder"),
    "sources-not-utf8": ("", b"sources:\n  - {id: s1, name: \xff\xfe}\n", {}, None, "not UTF-8"),
    "sources-not-yaml": ("", "sources: [\n", {}, None, "not valid YAML"),
    "source-url-with-space": ("", 'sources:\n  - {id: s1, name: S, kind: feed, start_urls: ["http://a.example/x y"], '
                              'authority: 网信}\n', {}, None, "sources[s1].start_urls"),
    "source-url-no-host": ("", 'sources:\n  - {id: s1, name: S, kind: feed, start_urls: ["https:///rss"], '
                           'authority: 网信}\n', {}, None, "sources[s1].start_urls"),
    "source-unknown-option": ("", 'sources:\n  - {id: s1, name: S, kind: cac, start_urls: ["https://a.example/"], '
                              'authority: 网信, options: {list_item: "li"}}\n', {}, None,
                              "sources[s1].options.list_item: unknown key"),
    "listpage-without-list-item": ("", 'sources:\n  - {id: s1, name: S, kind: listpage, '
                                   'start_urls: ["https://a.example/"], authority: 网信}\n', {}, None,
                                   "sources[s1].options.list_item: Field required"),
    "invalid-list-css": ("", 'sources:\n  - {id: s1, name: S, kind: listpage, start_urls: ["https://a.example/"], '
                         'authority: 网信, options: {list_item: "ul..li["}}\n', {}, None,
                         "sources[s1].options.list_item"),
    "invalid-article-css": ("", 'sources:\n  - {id: s1, name: S, kind: feed, start_urls: ["https://a.example/"], '
                            'authority: 网信, options: {body: "div::text"}}\n', {}, None, "sources[s1].options.body"),
    "secrss-template-without-id": ("", 'sources:\n  - {id: s1, name: S, kind: secrss, '
                                   'start_urls: ["https://a.example/api/articles"], authority: 媒体, '
                                   'options: {article_url: "https://a.example/a/"}}\n', {}, None,
                                   "sources[s1].options.article_url"),
    "bad-cron": ("", 'sources:\n  - {id: s1, name: S, kind: feed, start_urls: ["https://a.example/"], '
                 'authority: 网信, schedule: "every day"}\n', {}, None, "sources[s1].schedule"),
    "options-not-a-mapping": ("", 'sources:\n  - {id: s1, name: S, kind: feed, start_urls: ["https://a.example/"], '
                              'authority: 网信, options: [1]}\n', {}, None, "sources[s1].options"),
    "settings-not-yaml": ("crawl: [\n", None, {}, None, "not valid YAML"),
    "settings-unknown-key": ("databse_url: x\n", None, {}, None, "databse_url: unknown key"),
    "env-nested-bad-value": ("", None, {"REGWATCH_CRAWL__WINDOW_DAYS": "soon"}, None,
                             "crawl.window_days"),
    "env-database-url-garbage": ("", None, {"REGWATCH_DATABASE_URL": "postgres//nope"}, None,
                                 "REGWATCH_DATABASE_URL"),
    "rules-dir-empty": ("rules_dir: {tmp}/adir\n", None, {}, "adir", "file not found"),
    "rules-bad-regex": ("rules_dir: {tmp}/rules\n", None, {}, "bad_rules", "penalties.yaml"),
    "user-agent-two-lines": ('user_agent: "a\\nb"\n', None, {}, None, "user_agent"),
}
SECRETS = ("pa@ss", "ss@127", "hunter2")


def _set_up(step: str | None, tmp: Path, read_only) -> None:  # type: ignore[no-untyped-def]
    if step == "needs_pg":
        from tests.conftest import _pg_admin

        if _pg_admin() is None:
            pytest.skip("PostgreSQL not reachable")
    elif step == "ro_db_file":
        (tmp / "ro").mkdir()
        from regwatch.storage.db import make_engine, upgrade_schema

        engine = make_engine(f"sqlite:///{tmp}/ro/r.db")
        upgrade_schema(engine)
        engine.dispose()
        for f in (tmp / "ro").iterdir():
            if f.name != "r.db":
                f.unlink()
        read_only(tmp / "ro" / "r.db")
        read_only(tmp / "ro")
    elif step == "ro_folder":
        (tmp / "ro").mkdir()
        read_only(tmp / "ro")
    elif step == "blocker":
        (tmp / "blocker").write_text("a file, not a folder", encoding="utf-8")
    elif step == "adir":
        (tmp / "adir").mkdir()
    elif step == "junk_db":
        (tmp / "junk.db").write_bytes(b"this is not a database" * 100)
    elif step == "bad_rules":
        shutil.copytree(ROOT / "regwatch" / "config" / "rules", tmp / "rules")
        path = tmp / "rules" / "penalties.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("约谈: '约谈'", "约谈: '约谈('"), encoding="utf-8")


def _files(tmp: Path, settings: str, sources: str | bytes | None) -> Path:
    src = tmp / "sources.yaml"
    body = sources if sources is not None else "sources:\n" + GOOD_SOURCE
    if isinstance(body, bytes):
        src.write_bytes(body)
    else:
        src.write_text(body, encoding="utf-8")
    lines = settings.replace("{tmp}", str(tmp))
    defaults = {"database_url": f"sqlite:///{tmp}/ok.db", "sources_file": str(src), "digest_dir": f"{tmp}/digests"}
    for key, value in defaults.items():
        if not lines.startswith(key) and f"\n{key}:" not in lines:
            lines += f"{key}: {value}\n"
    config = tmp / "regwatch.yaml"
    config.write_text(lines, encoding="utf-8")
    return config


@pytest.mark.parametrize("case", list(CASES))
def test_bad_configuration_is_one_clear_line(case, tmp_path, monkeypatch, read_only):
    settings, sources, env, step, expected = CASES[case]
    for name in [n for n in os.environ if n.startswith("REGWATCH_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _set_up(step, tmp_path, read_only)
    config = _files(tmp_path, settings, sources)
    runner = CliRunner()
    check = runner.invoke(cli, ["--config", str(config), "config", "check"])
    tracebacks = []
    for args in (["config", "check"], ["db", "upgrade"], ["sources", "list"], ["digest"]):
        result = check if args == ["config", "check"] else runner.invoke(cli, ["--config", str(config), *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            tracebacks.append((args, repr(result.exception)))
        assert "Traceback" not in result.output
        for secret in SECRETS:
            assert secret not in result.output, (args, result.output)
    assert not tracebacks, tracebacks
    assert check.exit_code == 2, check.output
    assert expected in check.stderr, check.stderr
    assert "configuration is valid" not in check.output


def test_every_command_fails_with_one_line_and_exit_2_on_an_unreachable_database(tmp_path, monkeypatch):
    config = _files(tmp_path, "database_url: postgresql://bot:pa%40ss@127.0.0.1:1/regwatch?password=hunter2\n", None)
    for args in (["db", "upgrade"], ["db", "current"], ["sources", "list"], ["digest"], ["crawl"], ["run"]):
        result = CliRunner().invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 2, (args, result.output)
        assert isinstance(result.exception, SystemExit)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "127.0.0.1:1" in lines[0] and "cannot connect" in lines[0], (args, lines)
        assert "pa%40ss" not in result.output and "hunter2" not in result.output


def test_commands_that_write_refuse_a_read_only_database_before_they_start(tmp_path, read_only):
    _set_up("ro_db_file", tmp_path, read_only)
    config = _files(tmp_path, "database_url: sqlite:///{tmp}/ro/r.db\n", None)
    for args in (["crawl"], ["run"], ["digest"], ["sources", "list"]):  # WAL mode cannot even read there
        result = CliRunner().invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (args, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert "read-only" in line and "r.db" in line, line


def test_a_good_configuration_passes_and_connects(tmp_path):
    config = _files(tmp_path, "", None)
    assert CliRunner().invoke(cli, ["--config", str(config), "db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check"])
    assert result.exit_code == 0, result.output
    assert "database: connected" in result.output and "configuration is valid" in result.output
