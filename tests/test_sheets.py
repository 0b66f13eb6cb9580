"""docgen.sheets: the one rule for spreadsheet cells we write."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook

from docgen.sheets import csv_cell, csv_writer, formula_like, xlsx_row


def test_formula_like_text_is_prefixed_in_csv_and_numbers_are_not() -> None:
    for text in ('=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1", "-"):
        assert formula_like(text) and csv_cell(text) == "'" + text
    for value in (-2, -2.5, "-2", "+3.5", "送教下乡", "", None, "a=b"):
        assert not formula_like(value) and csv_cell(value) == value
    out = io.StringIO()
    csv_writer(out).writerows([["=1+1", -2, "x"]])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "-2", "x"]


def test_xlsx_text_is_a_string_cell_and_numbers_stay_numbers() -> None:
    for write_only in (True, False):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("s") if write_only else wb.active
        ws.append(xlsx_row(ws, ["=1+1", -2, None, "-2+3", "文字"]))
        out = io.BytesIO()
        wb.save(out)
        a, b, e, c, d = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
        assert (a.value, a.data_type, a.quotePrefix) == ("=1+1", "s", True)
        assert (b.value, b.data_type) == (-2, "n")
        assert (c.data_type, c.quotePrefix) == ("s", True)
        assert (d.value, d.data_type, d.quotePrefix) == ("文字", "s", False)
        assert e.value is None
