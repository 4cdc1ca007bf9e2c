"""Alembic runs this for every command: migrate on the connection `service.infra.schema` hands over,
inside its transaction (so on PostgreSQL an upgrade is all or nothing)."""

from alembic import context

context.configure(connection=context.config.attributes["connection"],
                  target_metadata=context.config.attributes["metadata"])
with context.begin_transaction():
    context.run_migrations()
