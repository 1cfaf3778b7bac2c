"""Which column of a member file holds what: the header row, guesses from the header names
membership systems use, and the admin's own mapping over them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.errors import ValidationFailed
from service.imports.reader import NotASpreadsheet, Record
from service.taxonomy.normalise import key

#: The fields a column can fill, with what the page calls them.
FIELDS: dict[str, str] = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "member_ref": "Member ID",
    "chapter": "Chapter",
    "certifications": "Certifications",
    "years_experience": "Years of experience",
    "city": "City",
    "country": "Country",
    "mentor": "Mentor?",
    "notes": "Notes",
    "skills": "Skills",
    "tools": "Tools",
    "languages": "Languages",
}
#: The field of a column to leave out, in a mapping.
IGNORE = ""

#: Header names as membership systems and spreadsheets write them, compared without case,
#: spaces or punctuation ("E-mail", "Email Address", "Mentor?").
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "mail",
        "emailaddress",
        "mailaddress",
        "emailaddr",
        "primaryemail",
        "workemail",
        "personalemail",
        "contactemail",
        "memberemail",
        "courriel",
        "correo",
        "correoelectronico",
        "emailadresse",
    ),
    "first_name": ("firstname", "first", "givenname", "forename", "prenom", "vorname"),
    "last_name": ("lastname", "last", "surname", "familyname", "nachname", "apelido", "apellido"),
    "full_name": (
        "fullname",
        "name",
        "membername",
        "displayname",
        "contactname",
        "nome",
        "nomecompleto",
    ),
    "member_ref": (
        "memberid",
        "member#",
        "membership#",
        "membernumber",
        "memberno",
        "membershipid",
        "membershipnumber",
        "membershipno",
        "memberref",
        "memberreference",
        "pmiid",
        "pminumber",
        "id",
        "ref",
        "reference",
    ),
    "chapter": ("chapter", "chaptername", "branch", "section", "region"),
    "certifications": (
        "certifications",
        "certification",
        "certs",
        "credentials",
        "credential",
        "qualifications",
    ),
    "years_experience": (
        "yearsofexperience",
        "yearsexperience",
        "experienceyears",
        "yearsinpm",
        "yearsofpmexperience",
        "pmexperience",
        "experience",
        "years",
        "yoe",
    ),
    "city": ("city", "town", "cidade", "ciudad", "ville", "stadt"),
    "country": ("country", "countrycode", "countryname", "nation", "pais", "pays", "land"),
    "mentor": (
        "mentor",
        "ismentor",
        "canmentor",
        "willingtomentor",
        "wantstomentor",
        "availableasmentor",
        "mentoring",
        "volunteermentor",
    ),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "skills": ("skills", "skill", "competencies", "expertise"),
    "tools": ("tools", "tool", "software"),
    "languages": ("languages", "language", "spokenlanguages"),
}
_BY_ALIAS = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_EMAIL_WORD = re.compile(r"\be ?mail\b")
#: Records looked at for the header row (title lines may come first).
HEADER_SEARCH = 10
#: Share of a column's sample values that hold an @ for it to be taken for the emails.
_EMAIL_SHARE = 0.5


def compact(header: str) -> str:
    """A header as compared with the aliases: 'E-mail Address' -> 'emailaddress'."""
    return key(header).replace(" ", "")


def guess_field(header: str) -> str | None:
    """The field a header name stands for, if it is one membership systems use."""
    found = _BY_ALIAS.get(compact(header))
    if found is None and _EMAIL_WORD.search(key(header)):
        return "email"  # "Email (primary)", "Member e-mail"
    return found


def blank(record: Record) -> bool:
    """Whether a record holds nothing (an empty line or row)."""
    return not "".join(record.cells).strip()


@dataclass(frozen=True)
class Header:
    """The header row: its line and each column's name (made unique: "Email (2)")."""

    line: int
    names: tuple[str, ...]


def header_of(head: Sequence[Record]) -> tuple[Header, int]:
    """The header among the first records and where the data starts (an index into ``head``).

    The header is the first of the first :data:`HEADER_SEARCH` non-empty records that names an
    email column, else the first non-empty one: exports sometimes start with a title line.
    """
    filled = [i for i, r in enumerate(head) if not blank(r) and not r.error][:HEADER_SEARCH]
    if not filled:
        raise NotASpreadsheet("The file has no rows.")
    at = next((i for i in filled if any(guess_field(c) == "email" for c in head[i].cells)), None)
    at = filled[0] if at is None else at
    return Header(head[at].line, unique_names(head[at].cells)), at + 1


def unique_names(cells: Sequence[str]) -> tuple[str, ...]:
    """Column names from header cells: trimmed, "Column 3" for an empty one, "Email (2)" for a
    repeated one."""
    names: list[str] = []
    for i, cell in enumerate(cells, start=1):
        name = " ".join(cell.split())[:100] or f"Column {i}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return tuple(names)


def guess(header: Header, sample: Sequence[Record]) -> dict[str, str]:
    """Header name -> field for the columns whose names say what they hold (the first column
    wins a field); when no name says email, a column whose values mostly hold an @."""
    mapping: dict[str, str] = {}
    for name in header.names:
        field = guess_field(name)
        if field is not None and field not in mapping.values():
            mapping[name] = field
    if "email" not in mapping.values():
        column = _email_column(header, sample)
        if column is not None:
            mapping[column] = "email"
    return mapping


def _email_column(header: Header, sample: Sequence[Record]) -> str | None:
    for i, name in enumerate(header.names):
        values = [r.cells[i].strip() for r in sample if i < len(r.cells) and r.cells[i].strip()]
        if values and sum("@" in v for v in values) >= _EMAIL_SHARE * len(values):
            return name
    return None


def resolve(
    header: Header, guessed: Mapping[str, str], chosen: Mapping[str, str] | None
) -> dict[str, str]:
    """The mapping to import with: the guesses, changed by the admin's choices (a header ->
    a field, or "" to leave the column out). 422 naming what is wrong."""
    chosen = chosen or {}
    problems = [
        {"field": "mapping", "message": f"The file has no column named {name!r}."}
        for name in chosen
        if name not in header.names
    ]
    problems += [
        {
            "field": "mapping",
            "message": f"{field!r} is not something a column can fill; choose one of: "
            + ", ".join(FIELDS)
            + ' (or "" to leave the column out).',
        }
        for field in dict.fromkeys(chosen.values())
        if field != IGNORE and field not in FIELDS
    ]
    if problems:
        raise ValidationFailed("the column mapping does not fit the file", fields=problems)
    taken = {f for f in chosen.values() if f != IGNORE}
    mapping = {n: f for n, f in guessed.items() if n not in chosen and f not in taken}
    mapping.update({n: f for n, f in chosen.items() if f != IGNORE})
    twice = sorted({f for f in mapping.values() if list(mapping.values()).count(f) > 1})
    if twice:
        raise ValidationFailed(
            "the column mapping does not fit the file",
            fields=[
                {"field": "mapping", "message": f"Only one column can be {FIELDS[f]!r}."}
                for f in twice
            ],
        )
    if "email" not in mapping.values():
        raise NotASpreadsheet(
            "No column holds email addresses, and every member needs one. Name that column"
            " Email, or choose it in the column mapping."
        )
    return {n: mapping[n] for n in header.names if n in mapping}
