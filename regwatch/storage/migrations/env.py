"""Alembic environment: runs on the connection (or engine) handed over by ``storage.db``."""

from alembic import context

from regwatch.storage.models import Base


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()


# ``storage.db.upgrade_schema`` hands over a connection inside its locked transaction.
if "connection" in context.config.attributes:
    _run(context.config.attributes["connection"])
else:
    with context.config.attributes["engine"].begin() as connection:
        _run(connection)
