"""Whatever is uploaded, reading it either works or refuses the file with a reason: no other
exception escapes (the API would answer 500)."""

from __future__ import annotations

import csv
import io
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.imports.reader import NotASpreadsheet
from service.imports.rows import Rows, open_table, with_mapping
from service.taxonomy.normalise import Taxonomy
from tests.unit.spreadsheets import xlsx_bytes

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAXONOMY = Taxonomy.build([], [])
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


def outcome(data: bytes) -> tuple[int, int] | str:
    """(rows staged, rows refused) of reading a file as an import does, to its end; or why it
    was refused as not a member list. Any other exception escapes."""
    try:
        return read_everything(data)
    except NotASpreadsheet as refused:
        return f"{refused.status}: {refused.message}"


def read_everything(data: bytes) -> tuple[int, int]:
    """Read a file as an import does, to its end: (rows staged, rows refused)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        table = open_table(path)
        try:
            mapping = with_mapping(table, None)
            reader = Rows(uuid.uuid4(), table.header, mapping, TAXONOMY)
            staged = refused = 0
            last = table.header.line
            for record in table.records:
                assert record.line > last  # lines only grow
                last = record.line
                member, reject = reader.read(record)
                staged += member is not None
                refused += reject is not None
                for value in [*(member or ()), *(reject or ())]:
                    # Nothing PostgreSQL would refuse to store.
                    assert "\x00" not in str(value)
            return staged, refused
        finally:
            table.close()


@FUZZ
@given(st.binary(max_size=4000))
@example(b"Email\n" + b"\xff\xfe" * 10)
@example(b"\xff\xfeE\x00m\x00a\x00i\x00l\x00\n\x00a\x00@\x00b")  # UTF-16 cut mid-character
@example(b"PK\x03\x04" + b"\x00" * 100)
@example(b'Email,Notes\na@example.org,"never closed\n')
@example(b"Email\r\r\r\na@example.org\x00\n")
def test_arbitrary_bytes(data):
    result = outcome(data)
    assert isinstance(result, tuple) or result.startswith("422: ")


cells = st.text(st.characters(exclude_categories=("Cs",)), max_size=25)


@FUZZ
@given(
    rows=st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(ENCODINGS),
    header=st.booleans(),
)
def test_arbitrary_csv_text(rows, delimiter, encoding, header):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow(["Email", "Name", "Country", "Years of experience", "Mentor?"])
    writer.writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    result = outcome(data)
    if not isinstance(result, str):
        staged, refused = result
        assert staged + refused <= len(rows)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(
            # What a worksheet can hold: no control characters.
            st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=25)
            | st.integers(-(10**12), 10**12)
            | st.floats(allow_nan=False),
            max_size=5,
        ),
        max_size=8,
    )
)
def test_arbitrary_spreadsheets(rows):
    assert outcome(xlsx_bytes([["Email", "Name"], *rows]))
