"""Reading a contact CSV: bytes in, rows out, no database.

Excel in Taiwan writes Big5/CP950; elsewhere UTF-8, often with a byte-order mark. The
first line names the columns, by the contact's field names (``family_name``,
``date_of_birth``...). Each row becomes a ``BatchRowInput`` for
``contacts.services.review.review_batch_create``, which checks it against the same rules
as the contact form; problems found here (a date that is not a date) travel with the row.
"""

import csv
import io
from datetime import date

from django.utils.translation import gettext as _

from contacts.services.review import BatchRowInput

COLUMNS = (
    "family_name",
    "given_name",
    "name_zh",
    "name_romanised",
    "preferred_name",
    "preferred_language",
    "date_of_birth",
    "national_id",
    "national_id_country",
    "country_of_residence",
    "lifecycle_stage",
    "acquisition_source",
    "notes",
)
DATE_COLUMNS = frozenset({"date_of_birth"})
MAX_ROWS = 100_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else CP950 (Big5 as Windows writes it)."""
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor Big5 text. Save it as CSV again."))


def read_rows(data: bytes) -> list[BatchRowInput]:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip().lower() for h in header]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(names)s. Use: %(known)s")
            % {"names": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    rows = []
    for number, cells in enumerate(reader, start=2):  # row 1 is the header
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("A file may hold at most %(max)s rows.") % {"max": f"{MAX_ROWS:,}"}
            )
        values, errors = {}, {}
        for name, cell in zip(header, cells, strict=False):
            cell = cell.strip()
            if not cell:
                continue
            if name in DATE_COLUMNS:
                try:
                    values[name] = date.fromisoformat(cell)
                except ValueError:
                    errors[name] = [_("Write dates as YYYY-MM-DD.")]
                continue
            values[name] = cell
        rows.append(BatchRowInput(number=number, values=values, errors=errors))
    return rows
