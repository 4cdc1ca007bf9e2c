"""Statements compiled once and run with the driver's executemany on many rows at a time.

SQLAlchemy's own executemany builds and processes a parameter dictionary per row; for the
hundreds of thousands of rows of a rebuild that costs more than the database's work. Here
a statement is compiled once per dialect, each row becomes a plain tuple (or dictionary, for
drivers with named parameters) through the same bind processors SQLAlchemy would use, and
the rows go to the driver's cursor, inside the connection's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table, and_, bindparam, insert, true, update
from sqlalchemy.sql import ClauseElement


class Bulk:
    """One compiled statement whose binds are named after the row fields they take."""

    def __init__(self, statement: ClauseElement, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
        self.positional = compiled.positional
        self.values = itemgetter(*self.names) if len(self.names) > 1 else lambda row: (row[self.names[0]],)
        processors = ((i, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for i, name in enumerate(self.names))
        self.processors: list[tuple[int, Callable[[Any], Any]]] = [(i, p) for i, p in processors if p]

    def parameters(self, row: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = self.values(row)
        if self.processors:
            values = list(values)
            for i, process in self.processors:
                values[i] = process(values[i])
        return values if self.positional else dict(zip(self.names, values))

    def run(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        cursor = conn.connection.cursor()  # the driver's cursor, in this connection's transaction
        try:
            cursor.executemany(self.sql, [self.parameters(row) for row in rows])
        finally:
            cursor.close()


def numbered(column: Column) -> bool:
    """A key the database numbers, declared `autoincrement=True`: rows do not carry it."""
    return column.autoincrement is True


def key_names(table: Table) -> tuple[str, ...]:
    """The primary key columns that rows carry."""
    return tuple(c.name for c in table.primary_key if not numbered(c))


def where_key(table: Table) -> Any:
    """The row whose key columns equal the binds of the same names."""
    return and_(true(), *(table.c[name] == bindparam(name) for name in key_names(table)))


@cache
def inserting(table: Table, dialect: Dialect) -> Bulk:
    columns = [c.name for c in table.columns if not numbered(c)]
    return Bulk(insert(table).inline().values({name: bindparam(name) for name in columns}), dialect)


@cache
def updating(table: Table, columns: frozenset[str], dialect: Dialect) -> Bulk:
    """Set `columns` of rows found by their key."""
    return Bulk(update(table).where(where_key(table)).values({name: bindparam(name) for name in sorted(columns)}),
                dialect)
