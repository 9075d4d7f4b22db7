"""The ``regwatch`` command line. ``regwatch COMMAND --help`` documents each command."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from regwatch.app.commands.classify import classify_cmd, eval_cmd
from regwatch.app.commands.crawl import crawl_cmd, demo_cmd, run_cmd
from regwatch.app.commands.daemon import daemon_cmd, status_cmd
from regwatch.app.commands.export import export_cmd, stats_cmd
from regwatch.config import ConfigError, Settings, check_environment, load_settings, load_sources

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
            logging.basicConfig(level=self._settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            if self._settings.log_level != "DEBUG":
                logging.getLogger("alembic").setLevel(logging.WARNING)
        return self._settings

    def engine(self, *, check_schema: bool = True):  # type: ignore[no-untyped-def]
        """An engine on the configured database; refuses a schema that is behind."""
        from regwatch.storage.db import SchemaOutdated, ensure_schema_current, make_engine

        engine = make_engine(self.settings.database_url)
        if check_schema:
            try:
                ensure_schema_current(engine)
            except SchemaOutdated as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(EXIT_CONFIG)
        return engine

    def sources(self):  # type: ignore[no-untyped-def]
        try:
            return load_sources(self.settings.sources_file)
        except ConfigError as exc:
            click.echo(exc.report(), err=True)
            sys.exit(EXIT_CONFIG)


pass_app = click.make_pass_decorator(AppContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="REGWATCH_CONFIG",
              help="Settings file (default: config/regwatch.yaml, else config/regwatch.example.yaml).")
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
    """
    ctx.obj = AppContext(config_path)


@cli.group("config")
def config_group() -> None:
    """Inspect and validate the configuration."""


@config_group.command("check")
@pass_app
def config_check(app: AppContext) -> None:
    """Validate the settings file, the sources file and the paths they name.

    Prints every problem with its key path; exits 2 if there is any. Secrets are never printed.
    """
    report = check_environment(app.settings)
    click.echo(f"settings: {app.config_path or 'default lookup'}: ok")
    for note in report.notes:
        click.echo(f"  {note}")
    if report.problems:
        click.echo("problems:", err=True)
        for p in report.problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(EXIT_CONFIG)
    click.echo("configuration is valid")


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

    engine = app.engine(check_schema=False)
    click.echo(f"database: {current_revision(engine) or 'empty'}; code needs: {head_revision()}")


@cli.group("sources")
def sources_group() -> None:
    """The configured crawl sources."""


@sources_group.command("list")
@pass_app
def sources_list(app: AppContext) -> None:
    """List sources with their last crawl status and health warnings."""
    from regwatch.storage.repository import CrawlRunLog

    runs = CrawlRunLog(app.engine())
    rows = []
    for src in app.sources():
        health = runs.health(src.id)
        last = health.last_run
        status = "never crawled" if last is None else (
            f"{last.status} {last.finished_at:%Y-%m-%d %H:%M} pages={last.pages_fetched} new={last.new_articles} errors={last.errors}")
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
cli.add_command(daemon_cmd)
cli.add_command(status_cmd)
cli.add_command(export_cmd)
cli.add_command(stats_cmd)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
