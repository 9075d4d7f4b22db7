"""``regwatch crawl``, ``regwatch run`` and ``regwatch demo``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from regwatch.config import ConfigError, Settings

#: Exit codes of crawl / run / demo (documented in their --help and the README).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_SOURCE_FAILED = 3
EXIT_CODES_HELP = """\b
Exit codes:
  0  every source crawled ok (or listed nothing)
  2  usage or configuration error (nothing crawled)
  3  a source failed, was blocked or its selectors are broken (see its line)"""


def _print_runs(runs: list) -> None:  # type: ignore[type-arg]
    """The status table: one line per source; a source that is not ok says why on that line."""
    click.echo(f"{'source':24} {'status':16} {'pages':>5} {'new':>4} {'known':>5} {'errors':>6}  reason")
    for r in runs:
        click.echo(f"{r.source_id:24} {r.status:16} {r.pages_fetched:5} {r.new_articles:4} {r.skipped:5} {r.errors:6}"
                   + (f"  {r.reason}" if r.status != "ok" and r.reason else ""))


def _crawl(settings: Settings, source_ids: tuple[str, ...], quiet: bool, verbose: bool = False,
           overrides: dict | None = None) -> list:  # type: ignore[type-arg]
    from regwatch.crawler.run import run_crawl

    try:
        return run_crawl(settings, source_ids or None, progress=not quiet, verbosity=2 if verbose else 0 if quiet else 1,
                         scrapy_overrides=overrides)
    except ConfigError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(EXIT_USAGE)


def _exit_code(runs: list) -> int:  # type: ignore[type-arg]
    return EXIT_SOURCE_FAILED if any(r.failed for r in runs) else EXIT_OK


_verbose = click.option("--verbose", "-v", is_flag=True,
                        help="Log at the configured log_level, with tracebacks (default: warnings, one line each).")


@click.command("crawl", epilog=EXIT_CODES_HELP)
@click.option("--source", "source_ids", multiple=True, metavar="ID",
              help="Crawl only this source (repeatable; default: every enabled source).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but the status table.")
@_verbose
@click.pass_obj
def crawl_cmd(app, source_ids: tuple[str, ...], quiet: bool, verbose: bool) -> None:  # type: ignore[no-untyped-def]
    """Crawl the sources, classify new articles and store them with their cases.

    Incremental: list paging stops at the first page holding an already-stored article, and
    unchanged list pages are not downloaded again (ETag / Last-Modified). An article that fails
    is kept as pending and retried on the next crawls (backoff: crawl.retry_backoff_seconds).
    Each source's run is recorded; `regwatch sources list` shows it.

    \b
    Examples:
      regwatch crawl
      regwatch crawl -q --source cac-wxfb --source secrss
      regwatch crawl -q || echo "a source failed"

    """
    app.engine()
    runs = _crawl(app.settings, source_ids, quiet, verbose)
    _print_runs(runs)
    sys.exit(_exit_code(runs))


@click.command("run", epilog=EXIT_CODES_HELP)
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Crawl only this source (repeatable).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but the status table and the delivery lines.")
@_verbose
@click.pass_obj
def run_cmd(app, source_ids: tuple[str, ...], quiet: bool, verbose: bool) -> None:  # type: ignore[no-untyped-def]
    """One full cycle: crawl → classify → store → digest of the new cases.

    New cases go out through the alert channels of the settings (`alerts:`); with none
    configured, a digest is written as HTML + text files to digest_dir.
    Delivery runs even when a source failed.

    \b
    Example:
      regwatch run -q --source cac-wxfb
    """
    from regwatch.alerts import deliver_new_cases

    engine = app.engine()
    runs = _crawl(app.settings, source_ids, quiet, verbose)
    _print_runs(runs)
    click.echo("\n".join(deliver_new_cases(engine, app.settings)))
    sys.exit(_exit_code(runs))


@click.command("demo", epilog=EXIT_CODES_HELP)
@click.option("--workdir", type=click.Path(path_type=Path),
              help="Folder for the demo's database, sources file and digests (default: DATA_DIR/demo).")
@click.option("--fresh", is_flag=True, help="Start from an empty demo database.")
@click.option("--serve", is_flag=True, help="Only serve the snapshot (until Ctrl-C), e.g. for `scrapy crawl`.")
@click.option("--port", type=int, default=0,
              help="Port for the local server (default: the one this workdir's first run recorded, else any free port).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but the status table and the delivery lines.")
@_verbose
@click.pass_obj
def demo_cmd(app, workdir: Path, fresh: bool, serve: bool, port: int, quiet: bool, verbose: bool) -> None:  # type: ignore[no-untyped-def]
    """Run the whole cycle against the bundled snapshot of the sites — no internet needed.

    Starts a local server for demo/site/ (secrss API, 中国网信网 lists, a GBK provincial site,
    WeChat accounts via RSS feeds, the 公安部 anti-bot challenge), then crawls, classifies,
    stores into WORKDIR/regwatch.db and writes a digest to WORKDIR/digests. Run it twice: the
    second run finds nothing new and downloads no article.

    The clock runs from the snapshot's capture time (regwatch/demo/snapshot.yaml), so the demo
    prints the same whatever today's date; the server keeps the port of the workdir's first run,
    so article URLs stay the same from run to run. The 公安部 source is reported `blocked`, as on
    the real site, so the demo exits with 3.

    \b
    Example:
      regwatch demo --fresh -q
    """
    import os

    from regwatch import clock
    from regwatch.alerts import deliver_new_cases
    from regwatch.app.demo import DemoServer, captured_at, demo_port, record_port, write_demo_sources
    from regwatch.storage.db import make_engine, upgrade_schema

    start = captured_at()
    clock.pin(start)
    os.environ[clock.ENV_NOW] = start.isoformat()  # worker processes read the same clock
    workdir = workdir or app.settings.data_dir / "demo"
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "regwatch.db"
    if fresh:
        for f in workdir.glob("regwatch.db*"):
            f.unlink()
    port = demo_port(workdir, port, fresh)
    try:
        server = DemoServer(port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot serve the demo on port {port}: {exc.strerror}; stop the other demo, "
                                   "or pass --port N / --fresh") from None
    record_port(workdir, server.port)
    with server:
        if serve:
            click.echo(f"serving the demo snapshot at {server.base_url}/ (Ctrl-C to stop)")
            write_demo_sources(server.base_url, workdir / "sources.yaml")
            click.echo(f"sources file for it: {workdir / 'sources.yaml'}")
            try:
                server._thread.join()  # type: ignore[union-attr]
            except KeyboardInterrupt:
                return
        base = app.settings
        settings = base.model_copy(update={
            "database_url": f"sqlite:///{db}",
            "sources_file": write_demo_sources(server.base_url, workdir / "sources.yaml"),
            "digest_dir": workdir / "digests",
            "crawl": base.crawl.model_copy(update={"download_delay": 0.0, "concurrent_per_domain": 4}),
        })
        engine = make_engine(settings.database_url)
        upgrade_schema(engine)
        click.echo(f"demo site: {server.base_url}/   database: {db}")
        runs = _crawl(settings, (), quiet, verbose, {"AUTOTHROTTLE_ENABLED": False})
        _print_runs(runs)
        lines = deliver_new_cases(engine, settings)
    click.echo("\n".join(lines))
    sys.exit(_exit_code(runs))
