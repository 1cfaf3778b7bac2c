"""Reading member files: what a file is (CSV and its encoding and delimiter, XLSX, ODS) and its
records, streamed, each with the line where it starts.

CSV is decoded incrementally (a text stream over the file), so memory does not grow with the
file. Its encoding is found from a byte order mark, else by charset-normalizer on the first
64 KiB among the encodings membership systems write (UTF-8, Windows-1252, Latin-1); a UTF-8
file that turns out to hold a stray Windows-1252 byte further on reads that byte as
Windows-1252 instead of failing. XLSX and ODS are read by calamine, sheet by sheet.

Anything else (binary junk, a ZIP that is not a spreadsheet, an empty file) raises
:class:`NotASpreadsheet` with a reason in plain words, the only error this module raises.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, NamedTuple

import charset_normalizer
import python_calamine

from service.errors import ValidationFailed

#: Bytes read to find the format, encoding and delimiter.
SAMPLE_BYTES = 64 * 1024
#: The longest physical line read at once (longer ones are read in pieces, and rejected).
MAX_LINE = 1024 * 1024
#: Columns a member file may have.
MAX_COLUMNS = 500
#: Unpacked size of a spreadsheet's parts beyond which it is refused (a ZIP can unpack to
#: far more than it weighs).
MAX_UNPACKED = 512 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
#: Encodings we detect, as charset-normalizer names them, and what we call and decode them by.
_DETECTED = {"utf_8": "utf-8", "ascii": "utf-8", "cp1252": "windows-1252", "latin_1": "iso-8859-1"}
#: The codec and error handler each encoding is read with: UTF-8 skips a byte order mark and
#: reads a byte that is not UTF-8 as Windows-1252 (exports mixing both exist).
_CODECS = {
    "utf-8": ("utf-8-sig", "kickoff-cp1252"),
    "utf-16": ("utf-16", "replace"),
    "windows-1252": ("cp1252", "kickoff-cp1252"),
    "iso-8859-1": ("latin-1", "strict"),
}
#: Share of control characters beyond which decoded text is taken for binary data.
_MAX_CONTROL = 0.01
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes a codec refused as Windows-1252 (its five unused bytes as Latin-1)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    text = []
    for byte in bad:
        try:
            text.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            text.append(chr(byte))
    return "".join(text), exc.end


codecs.register_error("kickoff-cp1252", _cp1252_fallback)


class NotASpreadsheet(ValidationFailed):
    """The file is not a member list we can read; the message says why, in plain words."""

    code = "not_a_spreadsheet"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields=[{"field": "file", "message": message}])


@dataclass(frozen=True)
class Sniffed:
    """What a file is: its format and, for CSV, its encoding and delimiter."""

    format: str  # csv, xlsx, ods
    encoding: str = ""
    delimiter: str = ""


class Record(NamedTuple):
    """One record of a file: the line (CSV) or row (spreadsheet) it starts on, its cells, and
    why it could not be read (then its cells are what could be read of it)."""

    line: int
    cells: list[str]
    error: str = ""


def sniff(path: Path) -> Sniffed:
    """Find what the file at ``path`` is, from its first bytes."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head.strip():
        raise NotASpreadsheet("The file is empty.")
    if head.startswith(_ZIP):
        return Sniffed(_zip_format(path))
    if head.startswith(_OLE):
        raise NotASpreadsheet(
            "This is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV,"
            " then upload that."
        )
    encoding = _encoding(head)
    return Sniffed("csv", encoding, _delimiter(_sample_text(head, encoding)))


def _zip_format(path: Path) -> str:
    """xlsx or ods for a ZIP that is one of them; refuse any other ZIP."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except Exception:  # zipfile raises many kinds (bad headers, zlib, encrypted parts)
        raise NotASpreadsheet(
            "This looks like a ZIP archive but it is damaged; export the list again as XLSX or CSV."
        ) from None
    if unpacked > MAX_UNPACKED:
        raise NotASpreadsheet(
            "This spreadsheet unpacks to more than 512 MiB; split it, or export it as CSV."
        )
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.strip() == _ODS_MIMETYPE:
        return "ods"
    raise NotASpreadsheet(
        "This is a ZIP archive (or a document such as a Word file), not a spreadsheet. Upload"
        " the member list as CSV, XLSX or ODS."
    )


def _encoding(head: bytes) -> str:
    """The encoding of CSV bytes: a byte order mark says; else charset-normalizer decides."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise NotASpreadsheet(_BINARY)
    if len(head) == SAMPLE_BYTES:  # cut at a line end, not inside a character
        head = head[: head.rfind(b"\n") + 1] or head
    best = charset_normalizer.from_bytes(head, cp_isolation=list(_DETECTED)).best()
    if best is None or best.encoding not in _DETECTED:
        raise NotASpreadsheet(_BINARY)
    return _DETECTED[best.encoding]


_BINARY = (
    "This file does not hold text or a spreadsheet we can read (it looks like binary data)."
    " Upload the member list as CSV, XLSX or ODS."
)


def _sample_text(head: bytes, encoding: str) -> str:
    """The first bytes as text (an unfinished last character left out); refuse binary data."""
    codec, errors = _CODECS[encoding]
    text = codecs.getincrementaldecoder(codec)(errors).decode(head, final=False)
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n"
    ) + text.count("\ufffd")
    if controls > _MAX_CONTROL * max(len(text), 1):
        raise NotASpreadsheet(_BINARY)
    return text


def _delimiter(sample: str) -> str:
    """The delimiter among comma, semicolon, tab and pipe: csv.Sniffer on the first lines,
    else the one the header line holds most of (a comma when it holds none)."""
    lines = sample.splitlines()[:50]
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = ""
    if found in DELIMITERS:
        return found
    header = next((line for line in lines if line.strip()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class Source:
    """The records of a file, in order (empty ones included), read as they are asked for; how
    far through the file they are. Close it (or use it in ``with``) when done."""

    def __init__(self, path: Path, sniffed: Sniffed) -> None:
        self.size = max(path.stat().st_size, 1)
        self._raw: IO[bytes] | None = None
        self._text: IO[str] | None = None
        self._height = 1
        self._done = 0
        if sniffed.format == "csv":
            codec, errors = _CODECS[sniffed.encoding]
            self._raw = path.open("rb")
            self._text = io.TextIOWrapper(self._raw, encoding=codec, errors=errors, newline="")
            self._records = self._csv(self._text, sniffed.delimiter)
        else:
            sheet = _first_sheet(path)
            self._height = max(int(sheet.height), 1)
            self._records = self._sheet(sheet)

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Record]:
        return self._records

    def close(self) -> None:
        """Release the file."""
        if self._text is not None:
            self._text.close()

    def fraction(self) -> float:
        """How much of the file has been read, 0 to 1."""
        if self._raw is not None:
            return min(self._raw.tell() / self.size, 1.0) if not self._raw.closed else 1.0
        return min(self._done / self._height, 1.0)

    @staticmethod
    def _csv(text: IO[str], delimiter: str) -> Iterator[Record]:
        lines = _Lines(text)
        reader = csv.reader(iter(lines), delimiter=delimiter)
        while True:
            start = lines.ended + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(start, [], _csv_error(exc))
                continue
            yield Record(start, cells[:MAX_COLUMNS])

    def _sheet(self, sheet: Any) -> Iterator[Record]:
        # calamine lists rows from the first one and columns from the first that holds anything.
        for index, row in enumerate(sheet.iter_rows(), start=1):
            self._done = index
            yield Record(index, [cell_text(c) for c in row[:MAX_COLUMNS]])


class _Lines:
    """Physical lines of a text stream (pieces of at most :data:`MAX_LINE` characters), and how
    many have ended so far: a record starts on the line after those its reader consumed."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.ended = 0

    def __iter__(self) -> Iterator[str]:
        while chunk := self.text.readline(MAX_LINE):
            if chunk.endswith(("\n", "\r")):
                self.ended += 1
            yield chunk.replace("\x00", "")


def _csv_error(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return (
            "a value is longer than 131,072 characters (perhaps a quote that is never closed);"
            " the lines up to the next record were skipped"
        )
    return "this line could not be read as CSV (a stray quote or line break)"


def _first_sheet(path: Path) -> Any:
    """The first sheet of a workbook that holds anything."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = (book.get_sheet_by_index(i) for i in range(len(book.sheet_names)))
        sheet = next((s for s in sheets if s.height and s.width), None)
    except Exception:  # calamine raises its own errors and the standard library's
        raise NotASpreadsheet(
            "This spreadsheet could not be opened: it may be damaged or protected by a"
            " password. Save it again, or export it as CSV."
        ) from None
    if sheet is None:
        raise NotASpreadsheet("The spreadsheet has no rows.")
    return sheet


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person sees: 12.0 -> "12", dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).replace("\x00", "")
