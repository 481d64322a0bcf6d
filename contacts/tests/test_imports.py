"""Reading contact CSVs (pure) and uploading one for review (the view)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.imports import ImportFileError, decode, read_rows
from contacts.models import Contact, ReviewBatch

CSV = "family_name,name_zh,date_of_birth,lifecycle_stage\n陳,陳怡君,1980-05-17,prospect\n"


@pytest.mark.parametrize(
    "data",
    [CSV.encode("utf-8"), CSV.encode("utf-8-sig"), CSV.encode("cp950")],
    ids=["utf-8", "utf-8 with BOM", "big5/cp950"],
)
def test_utf8_with_or_without_bom_and_big5_read_the_same(data):
    (row,) = read_rows(data)
    assert row.number == 2
    assert row.values == {
        "family_name": "陳",
        "name_zh": "陳怡君",
        "date_of_birth": date(1980, 5, 17),
        "lifecycle_stage": "prospect",
    }
    assert row.errors == {}


def test_a_bad_date_is_a_row_error_not_a_file_error():
    rows = read_rows(b"family_name,date_of_birth\nLin,17/05/1980\nWu,\n")
    assert rows[0].errors == {"date_of_birth": ["Write dates as YYYY-MM-DD."]}
    assert rows[1].values == {"family_name": "Wu"}


def test_unknown_columns_and_undecodable_files_are_refused_whole():
    with pytest.raises(ImportFileError, match="Unknown columns: salary"):
        read_rows(b"family_name,salary\nLin,100\n")
    with pytest.raises(ImportFileError):
        decode(b"\xff\xfe\x00\xd8")
    with pytest.raises(ImportFileError):
        read_rows(b"")


def test_blank_lines_are_skipped_and_row_numbers_follow_the_file():
    rows = read_rows(b"family_name\nLin\n\nWu\n")
    assert [r.number for r in rows] == [2, 4]


@pytest.mark.django_db
def test_an_upload_becomes_one_batch_for_review_with_its_row_report(rm_client, rm_user):
    data = (
        "family_name,lifecycle_stage,date_of_birth\nLin,prospect,\n,prospect,\nWu,client,\n"
    ).encode("cp950")
    upload = SimpleUploadedFile("seminar.csv", data, content_type="text/csv")
    response = rm_client.post(reverse("contacts:import"), {"file": upload})
    assert response.status_code == 200
    batch = ReviewBatch.objects.get()
    assert (batch.row_count, batch.error_count, batch.proposed_by) == (3, 2, rm_user)
    page = response.content.decode()
    assert "Enter at least one name" in page
    assert "Enter the date of birth." in page  # a client needs one (a blocking rule)
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_upload_is_refused_with_a_clear_message(rm_client):
    upload = SimpleUploadedFile("x.csv", b"name;salary\n", content_type="text/csv")
    response = rm_client.post(reverse("contacts:import"), {"file": upload})
    assert response.status_code == 422
    assert "Unknown columns" in response.content.decode()
    assert not ReviewBatch.objects.exists()
