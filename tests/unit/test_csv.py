"""CSV cells a spreadsheet would run as formulas are neutralised; files stream in chunks."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from service.kit.csv import BOM, TRIGGERS, csv_chunks, csv_text, file_name, neutral

cells = st.one_of(
    st.text(),
    st.sampled_from(TRIGGERS).flatmap(lambda t: st.text().map(lambda s: t + s)),
)


@given(cells)
def test_no_text_cell_starts_a_formula_and_nothing_else_changes(cell):
    out = neutral(cell)
    assert not out.startswith(TRIGGERS)
    if cell.startswith(TRIGGERS):
        assert out == "'" + cell
    else:
        assert out == cell


@given(st.lists(st.lists(cells, max_size=6), max_size=8))
def test_rows_read_back_as_the_neutral_cells(rows):
    text = csv_text(rows)
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back == [[neutral(c) for c in row] for row in rows]
    assert all(not c.startswith(TRIGGERS) for row in back for c in row)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_stay_numbers(number):
    assert neutral(number) == str(number)


def test_the_owasp_examples_and_other_values():
    assert neutral('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutral("-2+3") == "'-2+3"
    assert neutral("@SUM(A1)") == "'@SUM(A1)"
    assert neutral("+351 912") == "'+351 912"
    assert neutral("\t=1") == "'\t=1" and neutral("\r=1") == "'\r=1"
    assert neutral("Ana = Silva") == "Ana = Silva"
    assert neutral(-0.5) == "-0.5"
    assert neutral(None) == "" and neutral(True) == "true"
    assert neutral(date(2027, 3, 1)) == "2027-03-01"
    assert neutral(datetime(2027, 3, 1, 9, tzinfo=UTC)) == "2027-03-01T09:00:00+00:00"
    assert neutral(["-x"]) == '["-x"]'


def test_file_names_are_ascii_slugs():
    assert file_name("matches", "PMI Lisboa — Primavera", date(2027, 3, 1)) == (
        "matches-pmi-lisboa-primavera-2027-03-01.csv"
    )
    assert file_name("", '"; rm -rf /') == "rm-rf.csv"
    assert file_name("", "€€") == "export.csv"


def test_chunks_start_with_a_byte_order_mark_and_hold_a_bounded_number_of_rows():
    async def rows(n):
        for i in range(n):
            yield (i, f"=row {i}")

    async def collect():
        return [c async for c in csv_chunks(("n", "text"), rows(1001), chunk_rows=500)]

    chunks = asyncio.run(collect())
    assert len(chunks) == 4  # header, 500, 500, 1
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith(BOM + "n,text\r\n")
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    assert parsed[1] == ["0", "'=row 0"] and len(parsed) == 1002
