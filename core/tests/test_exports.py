import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from core.exports import FORMULA_TRIGGERS, safe_cell, write_csv, write_xlsx


@pytest.mark.parametrize(
    "value", ["=1+1", "+886912345678", "-5", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")']
)
def test_formula_triggers_are_neutralised(value):
    assert safe_cell(value) == "'" + value


def test_plain_values_pass_through_as_text():
    assert safe_cell("陳怡君") == "陳怡君"
    assert safe_cell(date(2026, 1, 2)) == "2026-01-02"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "TRUE"
    assert safe_cell("0912345678") == "0912345678"


@given(st.text())
def test_no_cell_ever_starts_with_a_formula_trigger(text):
    assert not safe_cell(text).startswith(FORMULA_TRIGGERS)


def test_csv_is_utf8_with_bom_and_keeps_chinese_and_leading_zeros():
    content = write_csv(["Name", "Phone"], [["陳怡君", "0912345678"], ["=cmd", "+886 2 1234"]])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["Name", "Phone"], ["陳怡君", "0912345678"], ["'=cmd", "'+886 2 1234"]]


def test_xlsx_writes_every_value_as_text():
    content = write_xlsx(["Name", "Phone"], [["陳怡君", "0912345678"], ["@x", 42]])
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["Name", "Phone"], ["陳怡君", "0912345678"], ["'@x", "42"]]
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row)
