"""Many rows in one INSERT, for the roster's bulk writes (issue 11, ADR 0037).

On PostgreSQL the rows travel as one array per column and the server unpacks them with
``unnest(...) WITH ORDINALITY``: a few parameters whatever the batch size, where a multi-row
``VALUES`` list carries six thousand for a thousand identities, which the server parses and
plans anew every time (measured on this machine: ~40 ms against 130–260 ms for 1,000 rows).
Columns whose value is the same in every row (the issuer, the time) are sent once, as a plain
parameter of the column's own type. Elsewhere (SQLite, in-process) it is SQLAlchemy's
``insertmanyvalues`` executemany.

Rows are inserted in the order given: PostgreSQL hands out serial ids in the ``ORDER BY`` of an
``INSERT ... SELECT`` (what SQLAlchemy's own ``sort_by_parameter_order`` relies on), so sorting the
returned ids gives the rows' ids in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Connection, CursorResult, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.selectable import TableValuedAlias


def unnest(table: Table, columns: Mapping[str, Sequence[Any]]) -> TableValuedAlias:
    """PostgreSQL: ``unnest(:a_x, :a_y) WITH ORDINALITY AS v(x, y, n)``, one array parameter
    per column (typed as ``table``'s column), for an INSERT ... SELECT or an UPDATE ... FROM."""
    return (
        func.unnest(
            *(
                bindparam(f"a_{name}", list(data), type_=postgresql.ARRAY(table.c[name].type))
                for name, data in columns.items()
            )
        )
        .table_valued(*columns, with_ordinality="n")
        .render_derived()
        .alias("v")
    )


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[Column[Any]] = (),
    conflict_keys: Sequence[str] | None = None,
) -> CursorResult[Any]:
    """INSERT ``rows`` (dicts with the same keys) and RETURN ``returning`` (if any); with
    ``conflict_keys``, rows whose key exists already are left out (``ON CONFLICT DO
    NOTHING``) and return nothing."""
    names = list(rows[0])
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    if dialect is sqlite or len(rows) == 1:  # one row (a launch's person): plain VALUES
        statement = dialect.insert(table)
        if conflict_keys is not None:
            statement = statement.on_conflict_do_nothing(index_elements=list(conflict_keys))
        if returning:
            statement = statement.returning(*returning)
        return connection.execute(statement, list(rows))
    # A column the same in every row is sent once; at least one travels as an array (its
    # length is the number of rows).
    varying = [n for n in names if any(row[n] != rows[0][n] for row in rows)] or names[:1]
    unpacked = unnest(table, {n: [row[n] for row in rows] for n in varying})
    chosen = [
        unpacked.c[n] if n in varying else bindparam(f"c_{n}", rows[0][n], type_=table.c[n].type)
        for n in names
    ]
    source = select(*chosen).select_from(unpacked).order_by(unpacked.c.n)
    pg = postgresql.insert(table).from_select(names, source)
    if conflict_keys is not None:
        pg = pg.on_conflict_do_nothing(index_elements=list(conflict_keys))
    return connection.execute(pg.returning(*returning) if returning else pg)
