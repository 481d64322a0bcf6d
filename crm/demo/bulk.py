"""Writing demo rows fast: ``COPY`` on PostgreSQL, ``bulk_create`` anywhere else.

Rows are plain dicts keyed by field ``attname`` (``owner_id``, not ``owner``). On
PostgreSQL, building model instances and letting ``bulk_create`` prepare every value costs
more than everything else in a 100,000-contact load together, so rows go straight to
``COPY``: built-in field types are formatted here, and any other field (the encrypted national
ID, the search-token column, whatever is added later) still goes through its own
``get_db_prep_save``, so it stores exactly what the ORM would. Columns a row leaves out take
the field's default (as the ORM would: the default, else "" for text, else NULL), and
``auto_now``/``auto_now_add`` columns the time of writing.

While the server ingests one chunk, the caller builds the next: the ``COPY`` runs on a second
thread over the same connection and transaction. psycopg2 lets go of the GIL while it waits
on the server, and the caller touches the connection only between chunks.
"""

import io
import json
import re
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import connection, models
from django.utils import timezone

_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"
_MISSING = object()


def _text(value) -> str:
    if value is None:
        return _NULL
    return value.translate(_ESCAPES) if _SPECIAL.search(value) else value


def _boolean(value) -> str:
    return _NULL if value is None else ("t" if value else "f")


def _number(value) -> str:
    return _NULL if value is None else str(int(value))


def _iso(value) -> str:
    return _NULL if value is None else value.isoformat()


def _json(value) -> str:
    return _NULL if value is None else _text(json.dumps(value, ensure_ascii=False))


def _any(value) -> str:
    """Whatever a custom field's ``get_db_prep_save`` returned."""
    if value is None or isinstance(value, bool):
        return _boolean(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal | UUID):
        return str(value)
    raise TypeError(f"cannot COPY a {type(value).__name__}")


# Field classes whose database value is the Python value itself, and how COPY spells it.
# Exact classes only: a subclass may prepare its value differently.
_FORMATS = {
    models.AutoField: _number,
    models.BigAutoField: _number,
    models.BigIntegerField: _number,
    models.IntegerField: _number,
    models.PositiveIntegerField: _number,
    models.PositiveSmallIntegerField: _number,
    models.SmallIntegerField: _number,
    models.ForeignKey: _number,
    models.BooleanField: _boolean,
    models.CharField: _text,
    models.SlugField: _text,
    models.TextField: _text,
    models.DateField: _iso,
    models.DateTimeField: _iso,
    models.JSONField: _json,
}


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


class TableWriter:
    """Turns dict rows into one model's table rows."""

    def __init__(self, model: type[models.Model], *, with_pk: bool = False) -> None:
        self.model = model
        # Primary keys are left to the table's sequence unless the caller reserved them.
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"

    def _columns(self) -> list[tuple]:
        """(attname, the default already spelt for COPY, formatter) for each column."""
        now = timezone.now()
        columns = []
        for field in self.fields:
            fmt = _FORMATS.get(type(field))
            if fmt is None:
                prepare = field.get_db_prep_save

                def fmt(value, prepare=prepare):
                    return _any(prepare(value, connection))

            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = now
            else:
                default = field.get_default()
            columns.append((field.attname, fmt(default), fmt))
        return columns

    def copy_data(self, rows: list[dict]) -> str:
        columns = self._columns()
        missing = _MISSING
        lines = [
            "\t".join(
                [
                    default if (value := row.get(name, missing)) is missing else fmt(value)
                    for name, default, fmt in columns
                ]
            )
            for row in rows
        ]
        lines.append("")
        return "\n".join(lines)

    def bulk_create(self, rows: list[dict]) -> list[models.Model]:
        objs = [self.model(**row) for row in rows]
        self.model.objects.bulk_create(objs, batch_size=1000)
        return objs


class Loader:
    """Writes chunks of rows, parents before the rows that point at them.

    Use as a context manager inside the caller's transaction; leaving it waits for the last
    chunk and re-raises any error from writing it.
    """

    def __init__(self) -> None:
        self.copy = uses_copy()
        self._chunk: list[tuple[TableWriter, list[dict]]] = []
        self._pending: Future | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._reserved: list[int] = []

    def __enter__(self) -> "Loader":
        if self.copy:
            with connection.cursor() as cursor:
                # Check foreign keys as each COPY ends, while the next chunk is being built,
                # instead of all at once at commit where nothing overlaps them. Stricter
                # than deferred, and it lasts only until this transaction ends.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._raw = connection.connection
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-copy")
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self._executor is None:
            return
        try:
            if self._pending is not None and exc_type is None:
                self._pending.result()
        finally:
            self._executor.shutdown(wait=True)

    def reserve(self, model: type[models.Model], count: int) -> None:
        """Take ``count`` primary keys from the table's own sequence up front, so ordinary
        inserts never collide with rows written by COPY."""
        if not self.copy or count <= 0:
            return
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            ids = [row[0] for row in cursor.fetchall()]
        # Kept reversed so pop() hands them out in sequence order.
        self._reserved[:0] = reversed(ids)

    def insert_parents(self, writer: TableWriter, rows: list[dict]) -> list[int]:
        """Queue (or, without COPY, insert) rows that others point at; return their keys."""
        if not self.copy:
            return [obj.pk for obj in writer.bulk_create(rows)]
        if len(self._reserved) < len(rows):
            raise RuntimeError("more rows written than reserve() took keys for")
        pk = writer.model._meta.pk.attname
        ids = [self._reserved.pop() for _ in rows]
        for row, value in zip(rows, ids, strict=True):
            row[pk] = value
        self._chunk.append((writer, rows))
        return ids

    def insert(self, writer: TableWriter, rows: list[dict]) -> None:
        if not rows:
            return
        if self.copy:
            self._chunk.append((writer, rows))
        else:
            writer.bulk_create(rows)

    def end_chunk(self) -> None:
        """Send what was queued; returns once the previous chunk is in, not this one."""
        if not self.copy or not self._chunk:
            return
        payload = [(writer.copy_sql, writer.copy_data(rows)) for writer, rows in self._chunk]
        self._chunk = []
        if self._pending is not None:
            self._pending.result()
        self._pending = self._executor.submit(self._stream, payload)

    def _stream(self, payload) -> None:
        with self._raw.cursor() as cursor:
            for sql, data in payload:
                # One read of the whole buffer: each read needs the GIL, which the building
                # thread holds for up to a switch interval (5 ms) at a time, so psycopg2's
                # default 8 KiB reads would starve the server.
                cursor.copy_expert(sql, io.StringIO(data), size=len(data) + 1)
