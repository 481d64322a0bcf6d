"""Key rotation: re-encrypt every encrypted field under the newest key.

Keys rotate in three steps: put the new key first in ``FIELD_ENCRYPTION_KEYS`` everywhere
(old keys still decrypt), run ``manage.py rotate_keys``, then drop the old key. The run
works on raw column values, never through the field (whose ``get_prep_value`` would
encrypt again), one chunk per transaction together with its progress row, so a run killed
half-way resumes where it stopped.
"""

import hashlib
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from compliance import audit, crypto
from compliance.crypto import EncryptedTextField
from compliance.models import KeyRotationRun


class UndecryptableValue(Exception):
    """A stored value opens with none of the configured keys."""


@dataclass
class RotationResult:
    key_fingerprint: str
    rows: dict[str, int] = field(default_factory=dict)
    complete: bool = True


def key_fingerprint(key: str) -> str:
    """Names a key in run rows and audit events without revealing it."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete model with encrypted columns, found by introspection, so a new
    encrypted field is rotated without anyone remembering to list it."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def _rotate_chunk(
    model: type[models.Model],
    fields: list[EncryptedTextField],
    run: KeyRotationRun,
    *,
    newest: Fernet,
    chunk_size: int,
) -> int:
    """Re-encrypt one chunk of rows after ``run.last_pk``; returns how many rows it read."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), model._meta.pk
    pk_column = quote(pk.column)
    columns = [quote(f.column) for f in fields]
    where, params = "", []
    if run.last_pk:
        where, params = f"WHERE {pk_column} > %s", [pk.to_python(run.last_pk)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk_column}, {', '.join(columns)} FROM {table} {where} "  # noqa: S608
            f"ORDER BY {pk_column} LIMIT %s",
            [*params, chunk_size],
        )
        rows = cursor.fetchall()
        rotated = 0
        for row in rows:
            changed = False
            for column, f, token in zip(columns, fields, row[1:], strict=True):
                if not token:
                    continue
                try:
                    newest.decrypt(token.encode())
                    continue  # already under the newest key
                except InvalidToken:
                    pass
                try:
                    fresh = crypto.rotate(token)
                except InvalidToken as error:
                    raise UndecryptableValue(
                        f"{model._meta.label} pk {row[0]} {f.name} opens with no configured key"
                    ) from error
                # Only if unchanged since read: a concurrent edit already wrote it under the
                # newest key, and must not be overwritten with the old value.
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s "  # noqa: S608
                    f"WHERE {pk_column} = %s AND {column} = %s",
                    [fresh, row[0], token],
                )
                changed = True
            rotated += changed
        if rows:
            run.last_pk = str(rows[-1][0])
            run.rows_seen += len(rows)
            run.rows_rotated += rotated
            run.save(update_fields=["last_pk", "rows_seen", "rows_rotated"])
    return len(rows)


def keys_rotate(
    *, actor=None, chunk_size: int = 1000, max_chunks: int | None = None
) -> RotationResult:
    """Re-encrypt every encrypted value under the first key of ``FIELD_ENCRYPTION_KEYS``.

    Resumes an unfinished run for the same newest key; stops after ``max_chunks`` chunks
    if given (the run stays unfinished). Values already under the newest key are left as
    they are, so running again is harmless. Writes one audit event per call.
    """
    newest_key = settings.FIELD_ENCRYPTION_KEYS[0]
    newest = Fernet(newest_key.encode())
    result = RotationResult(key_fingerprint=key_fingerprint(newest_key))
    chunks = 0
    for model, fields in encrypted_fields():
        label = model._meta.label
        run = (
            KeyRotationRun.objects.filter(
                key_fingerprint=result.key_fingerprint, model_label=label, finished_at=None
            )
            .order_by("-started_at")
            .first()
        ) or KeyRotationRun.objects.create(
            key_fingerprint=result.key_fingerprint, model_label=label
        )
        before = run.rows_rotated
        while True:
            if max_chunks is not None and chunks >= max_chunks:
                result.complete = False
                break
            read = _rotate_chunk(model, fields, run, newest=newest, chunk_size=chunk_size)
            chunks += 1
            if read < chunk_size:
                run.finished_at = timezone.now()
                run.save(update_fields=["finished_at"])
                break
        result.rows[label] = run.rows_rotated - before
        if not result.complete:
            break
    with transaction.atomic():
        audit.keys_rotated(
            actor=actor,
            key_fingerprint=result.key_fingerprint,
            rows=result.rows,
            complete=result.complete,
        )
    return result
