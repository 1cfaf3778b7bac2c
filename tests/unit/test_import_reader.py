"""Reading member files: formats, encodings, delimiters, line numbers, header and column
guesses, and the files that are not member lists (each refused with a reason)."""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from pathlib import Path

import pytest

from service.errors import ValidationFailed
from service.imports.columns import guess_field
from service.imports.reader import MAX_COLUMNS, NotASpreadsheet, Record, sniff
from service.imports.rows import Table, open_table, with_mapping
from tests.unit.spreadsheets import ods_bytes, xlsx_bytes

HEADER = "Email,First name,Last name,Country\n"


def table(tmp_path: Path, data: bytes, name: str = "members") -> Table:
    path = tmp_path / name
    path.write_bytes(data)
    return open_table(path)


def rows(found: Table) -> list[tuple[int, list[str]]]:
    """Every data record that holds anything, as (line, cells)."""
    try:
        return [(r.line, r.cells) for r in found.records if "".join(r.cells).strip()]
    finally:
        found.close()


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_with_or_without_a_byte_order_mark(tmp_path, bom):
    data = bom + (HEADER + "josé@example.org,José,Araújo,Portugal\n").encode()
    found = table(tmp_path, data)
    assert (found.sniffed.format, found.sniffed.encoding, found.sniffed.delimiter) == (
        "csv",
        "utf-8",
        ",",
    )
    assert found.header.names == ("Email", "First name", "Last name", "Country")
    assert rows(found) == [(2, ["josé@example.org", "José", "Araújo", "Portugal"])]


def test_utf16_with_a_byte_order_mark_as_excel_writes_unicode_text(tmp_path):
    text = "Email\tFull name\tCity\r\nzoe@example.org\tZoë Ñúñez\tSão Paulo\r\n"
    found = table(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (found.sniffed.encoding, found.sniffed.delimiter) == ("utf-16", "\t")
    assert rows(found) == [(2, ["zoe@example.org", "Zoë Ñúñez", "São Paulo"])]


def test_windows_1252_with_accents_and_the_euro_sign(tmp_path):
    lines = ["E-mail;Nom;Ville;Notes"]
    lines += [f"membre{i}@exemple.fr;Hélène Dubois;Orléans;Cotisation 20 €" for i in range(40)]
    found = table(tmp_path, ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    assert (found.sniffed.encoding, found.sniffed.delimiter) == ("windows-1252", ";")
    first = rows(found)[0]
    assert first == (2, ["membre0@exemple.fr", "Hélène Dubois", "Orléans", "Cotisation 20 €"])


def test_latin_1(tmp_path):
    lines = ["Email|Name|City"] + [f"m{i}@example.de|Jürgen Groß|Köln" for i in range(30)]
    found = table(tmp_path, "\n".join(lines).encode("latin-1"))
    assert found.sniffed.encoding in ("windows-1252", "iso-8859-1")
    assert found.sniffed.delimiter == "|"
    assert rows(found)[-1] == (31, ["m29@example.de", "Jürgen Groß", "Köln"])


def test_a_utf8_file_with_a_stray_windows_1252_byte_beyond_the_sample_still_reads(tmp_path):
    ascii_rows = "".join(f"member{i}@example.org,Plain,Name,PT\n" for i in range(3000))
    late = b"late@example.org,Ren\xe9,Dupont,FR\n"
    found = table(tmp_path, HEADER.encode() + ascii_rows.encode() + late)
    assert found.sniffed.encoding == "utf-8"
    assert rows(found)[-1] == (3002, ["late@example.org", "René", "Dupont", "FR"])


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(tmp_path, delimiter):
    lines = [["Email", "Full name", "Certifications"], ["a@example.org", "Ana", "PMP/CAPM"]]
    text = "\n".join(delimiter.join(cells) for cells in lines) + "\n"
    found = table(tmp_path, text.encode())
    assert found.sniffed.delimiter == delimiter
    assert rows(found) == [(2, ["a@example.org", "Ana", "PMP/CAPM"])]


def test_quoted_line_breaks_and_the_line_each_record_starts_on(tmp_path):
    text = (
        "Email,Notes\r\n"
        'a@example.org,"first line\r\nsecond line"\r\n'
        "\r\n"
        'b@example.org,"one, two and ""three"""\r\n'
        'c@example.org,"a\nb\nc"\n'
        "d@example.org,plain\n"
    )
    assert rows(table(tmp_path, text.encode())) == [
        (2, ["a@example.org", "first line\r\nsecond line"]),
        (5, ["b@example.org", 'one, two and "three"']),
        (6, ["c@example.org", "a\nb\nc"]),
        (9, ["d@example.org", "plain"]),
    ]


def test_title_lines_before_the_header_are_skipped(tmp_path):
    text = "PMI Lisbon members;;\nExported 2027-03-01;;\n;;\nMember ID;Name;E-mail Address\n"
    text += "7;Ana;ana@example.org\n"
    found = table(tmp_path, text.encode())
    found.close()
    assert found.header.line == 4
    assert found.guessed == {
        "Member ID": "member_ref",
        "Name": "full_name",
        "E-mail Address": "email",
    }


def test_xlsx_rows_numbered_as_the_sheet_numbers_them(tmp_path):
    data = xlsx_bytes(
        [
            ["Email Address", "Member ID", "Years of experience", "Mentor?"],
            ["ana@example.org", 1234, 10.0, True],
            [None, None, None, None],
            ["rui@example.org", 99, 2.5, False],
        ],
        title_rows=2,
    )
    found = table(tmp_path, data)
    assert found.sniffed == found.sniffed.__class__("xlsx")
    assert found.header.line == 3
    assert rows(found) == [
        (4, ["ana@example.org", "1234", "10", "TRUE"]),
        (6, ["rui@example.org", "99", "2.5", "FALSE"]),
    ]


def test_ods(tmp_path):
    data = ods_bytes([["Mail", "Full name", "Country"], ["eva@example.org", "Eva Lopes", "PT"]])
    found = table(tmp_path, data)
    assert found.sniffed.format == "ods"
    assert found.guessed == {"Mail": "email", "Full name": "full_name", "Country": "country"}
    assert rows(found) == [(2, ["eva@example.org", "Eva Lopes", "PT"])]


def mapping_of(path: Path) -> dict[str, str]:
    """The mapping an import of the file would use (the file closed after)."""
    found = open_table(path)
    try:
        return with_mapping(found, None)
    finally:
        found.close()


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\n ", "The file is empty."),
        (random.Random(3).randbytes(5000), "looks like binary data"),
        (b"\x89PNG\r\n\x1a\n" + random.Random(4).randbytes(3000), "looks like binary data"),
        (b"Email,Name\x00\x00\x00,x\n", "looks like binary data"),
        (_zip({"word/document.xml": b"<w/>"}), "This is a ZIP archive"),
        (b"PK\x03\x04 broken", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel file (.xls)"),
        (HEADER.encode(), "a header row but no members under it"),
        (b"Email,Name\n\n,\n", "a header row but no members under it"),
        (b"Name,City\nAna,Lisbon\nRui,Porto\n", "No column holds email addresses"),
    ],
)
def test_what_is_not_a_member_list_is_refused_with_a_reason(tmp_path, data, reason):
    path = tmp_path / "upload"
    path.write_bytes(data)
    with pytest.raises(NotASpreadsheet) as refused:
        mapping_of(path)
    assert reason in refused.value.message
    assert refused.value.status == 422
    assert refused.value.fields == [{"field": "file", "message": refused.value.message}]


def test_an_email_column_is_found_by_its_values_when_its_name_says_nothing(tmp_path):
    found = table(tmp_path, b"Contact,Name\nana@example.org,Ana\nrui@example.org,Rui\n")
    assert found.guessed == {"Contact": "email", "Name": "full_name"}
    found.close()


def test_the_admins_mapping_changes_the_guesses_and_is_checked(tmp_path):
    found = table(tmp_path, b"Email,Email 2,Name,Junk\na@example.org,b@example.org,Ana,x\n")
    assert with_mapping(found, {"Email 2": "email"}) == {"Email 2": "email", "Name": "full_name"}
    assert with_mapping(found, {"Name": "", "Junk": "notes"}) == {
        "Email": "email",
        "Junk": "notes",
    }
    with pytest.raises(ValidationFailed) as bad:
        with_mapping(found, {"Nope": "email", "Junk": "favourite colour"})
    assert [f["message"] for f in bad.value.fields] == [
        "The file has no column named 'Nope'.",
        "'favourite colour' is not something a column can fill; choose one of: email,"
        " first_name, last_name, full_name, member_ref, chapter, certifications,"
        ' years_experience, city, country, mentor, notes, skills, tools, languages (or "" to'
        " leave the column out).",
    ]
    with pytest.raises(ValidationFailed, match="does not fit"):
        with_mapping(found, {"Name": "email", "Junk": "email"})
    with pytest.raises(NotASpreadsheet, match="No column holds email addresses"):
        with_mapping(found, {"Email": ""})
    found.close()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Email", "email"),
        ("E-mail", "email"),
        ("EMAIL ADDRESS", "email"),
        ("Mail", "email"),
        ("Member e-mail (primary)", "email"),
        ("First Name", "first_name"),
        ("Surname", "last_name"),
        ("Full name", "full_name"),
        ("Member ID", "member_ref"),
        ("Member #", "member_ref"),
        ("Chapter", "chapter"),
        ("Certifications", "certifications"),
        ("Years of Experience", "years_experience"),
        ("City", "city"),
        ("Country", "country"),
        ("Mentor?", "mentor"),
        ("Notes", "notes"),
        ("Skills", "skills"),
        ("Tools", "tools"),
        ("Languages", "languages"),
        ("Favourite colour", None),
    ],
)
def test_header_names_as_membership_systems_write_them(header, field):
    assert guess_field(header) == field


def test_repeated_and_empty_header_names_are_made_unique(tmp_path):
    found = table(tmp_path, b"Email,,Email,Notes\na@example.org,1,b@example.org,x\n")
    assert found.header.names == ("Email", "Column 2", "Email (2)", "Notes")
    found.close()


def test_an_unreadable_record_is_reported_with_its_line_and_reading_goes_on(tmp_path):
    text = HEADER + "a@example.org,A,B,PT\n" + 'b@example.org,"' + "x" * 200_000 + "\n"
    found = table(tmp_path, text.encode())
    records = list(found.records)
    found.close()
    assert records[0] == Record(2, ["a@example.org", "A", "B", "PT"])
    assert records[1].line == 3 and "longer than 131,072 characters" in records[1].error


def test_a_row_wider_than_the_column_limit_is_cut(tmp_path):
    text = "Email," + ",".join(f"c{i}" for i in range(MAX_COLUMNS + 50)) + "\n"
    found = table(tmp_path, (text + "a@example.org\n").encode())
    assert len(found.header.names) == MAX_COLUMNS
    found.close()


def test_sniff_reads_only_the_head(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER.encode() + b"a@example.org,A,B,PT\n" * 50_000)
    assert sniff(path).encoding == "utf-8"
