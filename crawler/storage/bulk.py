"""Set-based SQL for batches: a set of values or rows travels as one parameter (an array on
PostgreSQL, a JSON array on SQLite), so a statement costs the same to prepare whatever its
size, and the database, not Python, walks the rows. The one place that knows these forms."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
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
    literal,
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
    """``INSERT INTO table (columns)`` the rows (tuples of plain values: text, integers, None)
    in one statement."""
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
    elif dialect == "sqlite":
        each = _json_each(rows)
        fields = [func.json_extract(each.c.value, literal(f"$[{i}]")) for i in range(len(columns))]
        connection.execute(insert(table).from_select(columns, select(*fields)))
    else:
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


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
