"""The ``regwatch`` command line. ``regwatch COMMAND --help`` documents each command.

Every command turns a bad configuration, an unusable database and a filesystem failure into one
readable line on stderr (secrets masked) and exit status 2 — never a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from regwatch import clock
from regwatch.app.commands.alerts import alerts_group, deliveries_cmd
from regwatch.app.commands.classify import classify_cmd, eval_cmd
from regwatch.app.commands.crawl import crawl_cmd, demo_cmd, run_cmd
from regwatch.app.errors import describe_database_error, describe_os_error
from regwatch.config import (ConfigError, Settings, check_environment, default_config_path, load_settings, load_sources,
                             mask_secrets, user_config_file)
from regwatch.app.commands.daemon import daemon_cmd, status_cmd
from regwatch.app.commands.export import export_cmd, stats_cmd

#: Exit status for a bad configuration or an unusable database, folder or file.
EXIT_CONFIG = 2


class AppContext:
    """Lazily loaded settings shared by the commands."""

    def __init__(self, config_path: Path | None):
        self.config_path = config_path
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                click.echo(exc.report(), err=True)
                sys.exit(EXIT_CONFIG)
            clock.set_local_zone(self._settings.timezone)
            logging.basicConfig(level=self._settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            if self._settings.log_level != "DEBUG":
                logging.getLogger("alembic").setLevel(logging.WARNING)
        return self._settings

    def engine(self, *, check_schema: bool = True, writable: bool = True):  # type: ignore[no-untyped-def]
        """An engine on the configured database; refuses a schema that is behind, and (``writable``)
        a SQLite file this process cannot write — before a crawl starts, not in the middle of it."""
        from regwatch.storage.db import SchemaOutdated, ensure_schema_current, make_engine

        engine = make_engine(self.settings.database_url)
        if check_schema:
            try:
                ensure_schema_current(engine)
            except SchemaOutdated as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(EXIT_CONFIG)
        if writable:
            ensure_writable(engine)
        return engine

    def sources(self):  # type: ignore[no-untyped-def]
        try:
            return load_sources(self.settings.sources_file)
        except ConfigError as exc:
            click.echo(exc.report(), err=True)
            sys.exit(EXIT_CONFIG)


pass_app = click.make_pass_decorator(AppContext)


def ensure_writable(engine) -> None:  # type: ignore[no-untyped-def]
    """Take SQLite's write lock and let it go: raises OperationalError on a read-only file or folder."""
    from regwatch.storage.db import writer

    if engine.dialect.name == "sqlite":
        with writer(engine).begin():  # BEGIN IMMEDIATE
            pass


class RegwatchGroup(click.Group):
    """The top command: whatever a subcommand raises about configuration, database or files
    becomes one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:  # noqa: BLE001 - only the kinds _one_line knows are turned into a line
            message = _one_line(ctx, exc)
            if message is None:
                raise
        click.echo(mask_secrets(message), err=True)
        ctx.exit(EXIT_CONFIG)


def _one_line(ctx: click.Context, exc: Exception) -> str | None:
    """The readable line for a configuration, rules, database or filesystem error; None for others."""
    rules = sys.modules.get("regwatch.classifiers.rules")  # a RulesError needs its module loaded
    if isinstance(exc, ConfigError):
        return exc.report()
    if rules is not None and isinstance(exc, rules.RulesError):
        return f"rules error in {exc.file}: {exc.key}: {exc.reason}"
    if isinstance(exc, SQLAlchemyError):
        return "error: " + describe_database_error(_database_url(ctx), exc)
    if isinstance(exc, OSError):
        return "error: " + describe_os_error(exc)
    return None


def _database_url(ctx: click.Context) -> str:
    app = ctx.find_object(AppContext)
    return app.settings.database_url if app is not None and app._settings is not None else ""


@click.group(cls=RegwatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="REGWATCH_CONFIG",
              help="Settings file (default: regwatch.yaml in the user config folder if present, else the "
                   "bundled example; `regwatch config check` prints which).")
@click.version_option(package_name="regwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """regwatch — monitor Chinese cybersecurity enforcement news.

    Crawls 网信 / 公安 / secrss / WeChat sources, finds enforcement cases, tags them in the
    report taxonomy, stores them and writes digests.

    \b
    First steps:
      regwatch config check     validate the settings and sources
      regwatch db upgrade       create or upgrade the database schema
      regwatch run              one crawl → classify → store → digest cycle
      regwatch demo             the same cycle against the bundled local snapshot

    Exit status: 0 done, 1 some input was bad (e.g. `classify` lines), 2 a configuration,
    database or filesystem problem (one line on stderr says which key, host, file or permission).
    """
    ctx.obj = AppContext(config_path)


@cli.group("config")
def config_group() -> None:
    """Inspect and validate the configuration."""


@config_group.command("check")
@pass_app
def config_check(app: AppContext) -> None:
    """Validate every configuration file and what it points at, and connect to the database.

    Checks the settings (file and REGWATCH_* environment), the sources file (each entry, each
    kind's options, CSS selectors, URLs), extraction.yaml, the classifier's rule files, that the
    output folders and the SQLite file are writable, and that the database answers. Prints every
    problem with its file and key path; exits 2 if there is any. Secrets are never printed.

    \b
    Examples:
      regwatch config check
      REGWATCH_DATABASE_URL=postgresql://regwatch@db:5432/regwatch regwatch config check
    """
    settings = app.settings
    report = check_environment(settings)
    report.problems += _rules_problems(settings.rules_dir)
    report.problems += _database_problems(settings, report.notes)
    click.echo(f"settings: {app.config_path or default_config_path()}: ok")
    if not user_config_file().exists():
        click.echo(f"  (a settings file at {user_config_file()} would be used automatically)")
    for note in report.notes:
        click.echo(f"  {mask_secrets(note)}")
    if report.problems:
        click.echo("problems:", err=True)
        for p in report.problems:
            click.echo(f"  - {mask_secrets(p)}", err=True)
        sys.exit(EXIT_CONFIG)
    click.echo("configuration is valid")


def _rules_problems(rules_dir: Path) -> list[str]:
    """The classifier's own loader checks the rule files; its error names file and key."""
    from regwatch.classifiers import EnforcementClassifier, RulesError

    try:
        EnforcementClassifier(rules_dir)
    except RulesError as exc:
        return [f"rules_dir ({exc.file}): {exc.key}: {exc.reason}"]
    return []


def _database_problems(settings: Settings, notes: list[str]) -> list[str]:
    """Connect to the database (a SQLite file that does not exist yet is not created)."""
    from regwatch.storage.db import current_revision, head_revision, make_engine

    url = settings.database_url or ""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        notes.append("database: the SQLite file does not exist yet; `regwatch db upgrade` creates it")
        return []
    try:
        engine = make_engine(url)
        try:
            ensure_writable(engine)
            revision, head = current_revision(engine), head_revision()
        finally:
            engine.dispose()
    except (SQLAlchemyError, OSError) as exc:
        return ["database_url: " + (describe_os_error(exc) if isinstance(exc, OSError) and not isinstance(exc, SQLAlchemyError)
                                    else describe_database_error(url, exc))]
    notes.append(f"database: connected; schema {revision or 'empty'}, this regwatch needs {head}"
                 + ("" if revision == head else " (run `regwatch db upgrade`)"))
    return []


@cli.group("db")
def db_group() -> None:
    """Database schema management (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_app
def db_upgrade(app: AppContext, revision: str) -> None:
    """Create the schema on an empty database, or upgrade it to the newest revision."""
    from regwatch.storage.db import current_revision, upgrade_schema

    engine = app.engine(check_schema=False)
    before = current_revision(engine)
    upgrade_schema(engine, revision)
    after = current_revision(engine)
    click.echo(f"{app.settings.safe_database_url}: {before or 'empty'} → {after}")


@db_group.command("current")
@pass_app
def db_current(app: AppContext) -> None:
    """Show the database's schema revision and the one this code needs."""
    from regwatch.storage.db import current_revision, head_revision

    engine = app.engine(check_schema=False, writable=False)
    click.echo(f"database: {current_revision(engine) or 'empty'}; code needs: {head_revision()}")


@cli.group("sources")
def sources_group() -> None:
    """The configured crawl sources."""


@sources_group.command("list")
@pass_app
def sources_list(app: AppContext) -> None:
    """List sources with their last crawl status and health warnings."""
    from regwatch.storage.repository import CrawlRunLog

    runs = CrawlRunLog(app.engine(writable=False))
    rows = []
    for src in app.sources():
        health = runs.health(src.id)
        last = health.last_run
        status = "never crawled" if last is None else (
            f"{last.status} {clock.to_local(last.finished_at):%Y-%m-%d %H:%M} {clock.zone_label()} pages={last.pages_fetched} new={last.new_articles} errors={last.errors}")
        rows.append((src, status, health.warnings))
    for src, status, warnings in rows:
        flag = "on " if src.enabled else "off"
        click.echo(f"{flag} {src.id:24} {src.kind:8} {src.authority:4} {src.name}")
        click.echo(f"      last crawl: {status}")
        for w in warnings:
            click.echo(f"      warning: {w}")


@cli.command("digest")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the digest files (default: digest_dir).")
@pass_app
def digest_cmd(app: AppContext, out: Path | None) -> None:
    """Write a digest (HTML + text) of the cases stored since the previous digest."""
    from regwatch.alerts.digest import write_digest_files

    files = write_digest_files(app.engine(), out or app.settings.digest_dir)
    click.echo("\n".join(str(f) for f in files) if files else "no new cases since the last digest")


cli.add_command(crawl_cmd)
cli.add_command(run_cmd)
cli.add_command(demo_cmd)
cli.add_command(classify_cmd)
cli.add_command(eval_cmd)
cli.add_command(alerts_group)
cli.add_command(deliveries_cmd)
cli.add_command(daemon_cmd)
cli.add_command(status_cmd)
cli.add_command(export_cmd)
cli.add_command(stats_cmd)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
