"""Set-based SQL for batches, the one place that knows these forms: a set of values travels as
one parameter (an array on PostgreSQL, a JSON array on SQLite), so a statement costs the same
to prepare whatever its size and the database, not Python, walks the values; rows go in as
arrays on PostgreSQL, and to the driver's executemany on SQLite (where a row's insert costs
less than any per-row work in Python)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.types import TypeEngine

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import ARRAY


def one_of(
    dialect: str, column: ColumnElement[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """``column IN values``, the values bound as one parameter."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=_array_of(column.type)))
    if dialect == "sqlite":
        return column.in_(select(_json_each(values).c.value))
    return column.in_(values)


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``INSERT INTO table (columns)`` the rows (tuples of plain values: text, integers, None):
    in one statement on PostgreSQL."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":
        arrays = [
            bindparam(None, [row[i] for row in rows], type_=_array_of(table.c[name].type))
            for i, name in enumerate(columns)
        ]
        source = func.unnest(*arrays).table_valued(*columns).render_derived()
        connection.execute(insert(table).from_select(columns, select(*source.c)))
    elif dialect == "sqlite":  # the driver's executemany is faster than any one statement
        _driver_executemany(connection, table, columns, rows)
    else:
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def insert_many(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
) -> None:
    """``INSERT INTO table`` the rows: mappings holding (at least) the ``columns``, by default
    the first row's keys, with values as the columns' types take them. On SQLite each value is
    converted by its column type's own bind processor, a value many rows share (a batch's
    timestamp) once, and the rows go to the driver's executemany: SQLAlchemy's handling of each
    row's parameters costs more than SQLite's insert of the row. Elsewhere Core's executemany."""
    if not rows:
        return
    names = list(columns if columns is not None else rows[0])
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [{name: row[name] for name in names} for row in rows])
        return
    dialect = connection.dialect
    values = [[row[name] for name in names] for row in rows]
    for position, name in enumerate(names):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            convert = _once_per_object(process)
            for row_values in values:
                row_values[position] = convert(row_values[position])
    _driver_executemany(connection, table, names, values)


def _driver_executemany(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``INSERT INTO table (columns)`` the rows of values ready for the driver, through its
    executemany."""
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(columns))
    order = [columns.index(name) for name in compiled.positiontup or []]
    if order != list(range(len(columns))):  # the statement names the columns in its own order
        rows = [[row[i] for i in order] for row in rows]
    connection.exec_driver_sql(str(compiled), list(map(tuple, rows)))


def _once_per_object(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process``, computed once per object it is given (the objects outlive the calls)."""
    done: dict[int, Any] = {}

    def convert(value: Any) -> Any:
        key = id(value)
        if key not in done:
            done[key] = process(value)
        return done[key]

    return convert


def _json_each(values: Collection[Any]) -> Any:
    """SQLite's ``json_each`` over the values, bound as one JSON text."""
    text = json.dumps(list(values), separators=(",", ":"))
    return func.json_each(bindparam(None, text)).table_valued("value")


def _array_of(element: TypeEngine[Any]) -> ARRAY[Any]:
    """A PostgreSQL array of the column's values. Text without a length: an explicit cast to
    ``varchar(n)`` would cut a longer value silently (it could then equal another one).
    PostgreSQL's dialect is imported on first use: a crawl into SQLite never loads it."""
    from sqlalchemy.dialects.postgresql import ARRAY

    return ARRAY(String() if isinstance(element, String) else element)
