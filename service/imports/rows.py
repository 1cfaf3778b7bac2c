"""A member file as a table (its header, then its data records) and each record as the row to
stage or the reason it is refused, with its original values."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from service.imports import values
from service.imports.columns import FIELDS, Header, blank, guess, header_of, resolve
from service.imports.reader import NotASpreadsheet, Record, Sniffed, Source, sniff
from service.taxonomy.normalise import Taxonomy

#: Data rows a preview shows.
PREVIEW_ROWS = 20
#: Records read at most to find the header and the preview's rows.
_HEAD_LIMIT = 10_000
#: Longest original value kept for the rejected-rows file.
_KEEP = 10_000

#: import_rows columns, in the order :meth:`Rows.read` makes them.
STAGED = (
    "import_id",
    "line",
    "email",
    "data",
    "display_name",
    "member_ref",
    "city",
    "country",
    "years_experience",
    "languages",
    "skills",
    "certifications",
    "tools",
    "tag_texts",
)
#: import_rejects columns, in the order :meth:`Rows.read` makes them.
REJECTED = ("import_id", "line", "reason", "data", "email")


@dataclass
class Table:
    """An open member file: what it is, its header and its data records (a single pass)."""

    sniffed: Sniffed
    source: Source
    header: Header
    #: The first data records that hold anything (for a preview and the guesses).
    sample: list[Record]
    records: Iterator[Record]
    #: Header name -> field, guessed from the names (and the sample's values for emails).
    guessed: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Release the file."""
        self.source.close()


def open_table(path: Path, sniffed: Sniffed | None = None) -> Table:
    """Open a member file (sniffed now unless given); 422 when it is not one: no header, or a
    header with no rows under it."""
    sniffed = sniffed or sniff(path)
    source = Source(path, sniffed)
    try:
        stream = iter(source)
        head: list[Record] = []
        filled = 0
        for record in stream:
            head.append(record)
            filled += not blank(record)
            if filled >= 1 + PREVIEW_ROWS + 10 or len(head) >= _HEAD_LIMIT:
                break
        header, start = header_of(head)
        data = head[start:]
        sample = [r for r in data if r.error or not blank(r)][:PREVIEW_ROWS]
        if not sample:
            raise NotASpreadsheet(
                "The file has a header row but no members under it. Export the list with its"
                " members, then upload it again."
            )
        table = Table(sniffed, source, header, sample, itertools.chain(data, stream))
        table.guessed = guess(header, sample)
        return table
    except BaseException:
        source.close()
        raise


def with_mapping(table: Table, chosen: Mapping[str, str] | None) -> dict[str, str]:
    """The mapping the import uses: the guesses, changed by the admin's choices (422 when
    they do not fit the file or leave no email column)."""
    return resolve(table.header, table.guessed, chosen)


#: The order :meth:`Rows.read` takes a record's values in.
_ORDER = (
    "email",
    "first_name",
    "last_name",
    "full_name",
    "member_ref",
    "chapter",
    "certifications",
    "years_experience",
    "city",
    "country",
    "mentor",
    "notes",
    "skills",
    "tools",
    "languages",
)
assert set(_ORDER) == set(FIELDS)


class Rows:
    """Turns a file's records into rows to stage, or rejects with their reason."""

    def __init__(
        self,
        import_id: UUID,
        header: Header,
        mapping: Mapping[str, str],
        taxonomy: Taxonomy,
    ) -> None:
        self.import_id = import_id
        self.names = header.names
        self.tags = values.Tags(taxonomy)
        at = {f: header.names.index(name) for name, f in mapping.items()}
        #: The column of each field of _ORDER (-1: none, which reads as empty).
        self.index = tuple(at.get(f, -1) for f in _ORDER)

    def read(self, record: Record) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
        """(the row to stage, None) or (None, the reject); (None, None) for an empty record."""
        if record.error:
            return None, self._reject(record, record.error, None)
        if blank(record):
            return None, None
        cells = record.cells
        n = len(cells)
        found = [cells[i] if 0 <= i < n else "" for i in self.index]
        address: str | None = None
        try:
            address = values.email(found[0])
            staged = self._member(record.line, address, found)
        except values.Refused as exc:
            return None, self._reject(record, str(exc), address)
        return staged, None

    def _member(self, line: int, address: str, found: list[str]) -> tuple[Any, ...]:
        (_, first, last, full, ref, chapter, certs, years, city, country, mentor, notes) = found[
            :12
        ]
        skills, tools, languages = found[12:]
        tag_texts: dict[str, str] = {}
        lists: dict[str, tuple[str, ...] | None] = {}
        for name, raw in (("certifications", certs), ("skills", skills), ("tools", tools)):
            if raw and not raw.isspace():
                slugs, texts = self.tags(raw, name)  # type: ignore[arg-type]
                lists[name] = slugs or None
                tag_texts.update(texts)
        details: dict[str, Any] = {}
        if chapter and (text := values.text(chapter, values.MAX_CHAPTER, "chapter")):
            details["chapter"] = text
        if notes and (text := values.notes(notes)):
            details["notes"] = text
        if mentor and (answer := values.yes_no(mentor)) is not None:
            details["mentor"] = answer
        return (
            self.import_id,
            line,
            address,
            details,
            values.display_name(full, first, last),
            values.text(ref, values.MAX_MEMBER_REF, "member ID") if ref else None,
            values.text(city, values.MAX_CITY, "city") if city else None,
            values.country(country) if country else None,
            values.years(years) if years else None,
            values.languages(languages) if languages else None,
            lists.get("skills"),
            lists.get("certifications"),
            lists.get("tools"),
            tag_texts or None,
        )

    def _reject(self, record: Record, reason: str, address: str | None) -> tuple[Any, ...]:
        original = {
            (self.names[i] if i < len(self.names) else f"Column {i + 1}"): value[:_KEEP]
            for i, value in enumerate(record.cells)
            if i < len(self.names) or value.strip()
        }
        return (self.import_id, record.line, reason, original, address)
