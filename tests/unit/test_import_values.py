"""Member values normalised as sign-up normalises them, and rows made of them."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import EmailStr, TypeAdapter, ValidationError

from service.imports import values
from service.imports.columns import Header
from service.imports.reader import Record
from service.imports.rows import REJECTED, STAGED, Rows
from service.imports.service import shown_name
from service.taxonomy.normalise import Taxonomy, Term

SIGN_UP_EMAIL = TypeAdapter(EmailStr)
TAXONOMY = Taxonomy.build(
    [
        Term("pmp", "certification", "PMP", ""),
        Term("prince2-foundation", "certification", "PRINCE2 Foundation", ""),
        Term("ms-project", "tool", "MS Project", ""),
    ],
    [("Project Management Professional", "pmp"), ("Microsoft Project", "ms-project")],
)


@pytest.mark.parametrize(
    ("raw", "years"),
    [
        ("10", 10),
        ("10+", 10),
        ("20 +", 20),
        ("5 years", 5),
        ("1 year", 1),
        ("3.5", 3),
        ("2,5 yrs", 2),
        ("10-15", 10),
        ("over 12", 12),
        ("<1", 0),
        ("n/a", None),
        ("N/A", None),
        ("", None),
        ("-", None),
        ("unknown", None),
    ],
)
def test_years_of_experience(raw, years):
    assert values.years(raw) == years


@pytest.mark.parametrize("raw", ["lots", "61", "ten", "5 months"])
def test_years_that_are_not_years(raw):
    with pytest.raises(values.Refused, match="years of experience"):
        values.years(raw)


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("x", True),
        ("no", False),
        ("N", False),
        ("false", False),
        ("0", False),
        ("", None),
        ("  ", None),
    ],
)
def test_mentor_yes_or_no(raw, answer):
    assert values.yes_no(raw) is answer


def test_an_answer_that_is_not_yes_or_no():
    with pytest.raises(values.Refused, match="is not yes or no"):
        values.yes_no("maybe")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Portugal", "PT"),
        ("pt", "PT"),
        ("PRT", "PT"),
        (" portugal ", "PT"),
        ("Deutschland", "DE"),
        ("Alemanha", "DE"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("England", "GB"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("España", "ES"),
        ("Brasil", "BR"),
        ("Côte d’Ivoire", "CI"),
        ("", None),
    ],
)
def test_countries_by_name_or_code_as_iso_codes(raw, code):
    assert values.country(raw) == code


def test_an_unknown_country():
    with pytest.raises(values.Refused, match="'Atlantis' is not one Kickoff knows"):
        values.country("Atlantis")


def test_languages_by_name_or_code():
    assert values.languages("Portuguese; English, pt") == ("pt", "en")
    assert values.languages("Português / Deutsch") == ("pt", "de")
    assert values.languages("") is None
    with pytest.raises(values.Refused, match="'Klingon'"):
        values.languages("en; Klingon")


def test_emails_as_sign_up_stores_them():
    assert values.email("  Ana.Silva@Example.ORG ") == "Ana.Silva@example.org"
    assert values.email("Ana Silva <ana@example.org>") == "ana@example.org"
    assert values.email("josé@exemplo.pt") == "josé@exemplo.pt"
    with pytest.raises(values.Refused, match="no email address"):
        values.email("  ")
    with pytest.raises(values.Refused, match=r"'ana\.example\.org' is not valid: .*@-sign"):
        values.email("ana.example.org")


def _sign_up(raw: str) -> str | None:
    try:
        return str(SIGN_UP_EMAIL.validate_python(raw))
    except ValidationError:
        return None


def _imported(raw: str) -> str | None:
    try:
        return values.email(raw)
    except values.Refused:
        return None


@settings(max_examples=400, deadline=None)
@given(
    st.emails()
    | st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(st.characters(codec="ascii"), max_size=70),
        st.text(st.characters(codec="ascii"), max_size=40) | st.sampled_from(["localhost"]),
    )
    | st.text(max_size=80)
)
@example("a@b")
@example("a..b@example.org")
@example("x" * 64 + "@example.org")
@example("x" * 65 + "@example.org")
@example("a@" + "b" * 63 + "." + "c" * 200)
@example("postmaster@example.org")
@example(" A@EXAMPLE.ORG")
def test_the_quick_path_for_plain_addresses_agrees_with_sign_up(raw):
    """Plain ASCII addresses skip part of email-validator: the result must be the same."""
    assert _imported(raw) == _sign_up(raw)


def test_names_and_text_limits():
    assert values.display_name("", " Ana ", " Silva ") == "Ana Silva"
    assert values.display_name("  Ana  Maria Silva ", "x", "y") == "Ana Maria Silva"
    assert values.display_name("", "", "") is None
    with pytest.raises(values.Refused, match="longer than 80"):
        values.display_name("x" * 81, "", "")
    assert values.text("  Lisbon   Centre ", 100, "city") == "Lisbon Centre"
    assert values.notes(" line 1\nline 2 ") == "line 1\nline 2"


def test_tags_through_the_taxonomy_with_custom_ones_kept_as_written():
    tags = values.Tags(TAXONOMY)
    assert tags("PMP; PRINCE2 Foundation", "certifications") == (
        ("pmp", "prince2-foundation"),
        {},
    )
    assert tags("Project Management Professional, Kanban for NGOs / pmp", "certifications") == (
        ("pmp", "kanban-for-ngos"),
        {"kanban-for-ngos": "Kanban for NGOs"},
    )
    with pytest.raises(values.Refused, match="longer than 60"):
        tags("x" * 61, "skills")


HEADER = Header(
    1,
    ("E-mail", "Name", "Certifications", "Years", "Country", "Mentor?", "Notes", "Chapter"),
)
MAPPING = {
    "E-mail": "email",
    "Name": "full_name",
    "Certifications": "certifications",
    "Years": "years_experience",
    "Country": "country",
    "Mentor?": "mentor",
    "Notes": "notes",
    "Chapter": "chapter",
}


def test_a_row_to_stage():
    import_id = uuid.uuid4()
    reader = Rows(import_id, HEADER, MAPPING, TAXONOMY)
    cells = ["Ana@Example.org", "Ana Silva", "PMP; Kanban", "10+", "Portugal", "Y", "hi", ""]
    staged, rejected = reader.read(Record(7, cells))
    assert rejected is None and staged is not None
    row = dict(zip(STAGED, staged, strict=True))
    assert row == {
        "import_id": import_id,
        "line": 7,
        "email": "Ana@example.org",
        "data": {"notes": "hi", "mentor": True},
        "display_name": "Ana Silva",
        "member_ref": None,
        "city": None,
        "country": "PT",
        "years_experience": 10,
        "languages": None,
        "skills": None,
        "certifications": ("pmp", "kanban"),
        "tools": None,
        "tag_texts": {"kanban": "Kanban"},
    }


def test_a_refused_row_keeps_its_original_values_and_its_address_when_it_has_one():
    import_id = uuid.uuid4()
    reader = Rows(import_id, HEADER, MAPPING, TAXONOMY)
    cells = ["ana@example.org", "=HYPERLINK(1)", "", "lots", "", "", "", "", "extra"]
    staged, rejected = reader.read(Record(3, cells))
    assert staged is None and rejected is not None
    assert dict(zip(REJECTED, rejected, strict=True)) == {
        "import_id": import_id,
        "line": 3,
        "reason": "the years of experience 'lots' are not a number of years",
        "data": {**dict(zip(HEADER.names, cells, strict=False)), "Column 9": "extra"},
        "email": "ana@example.org",
    }
    staged, rejected = reader.read(Record(4, ["nobody", "Zé"]))
    assert staged is None and rejected is not None
    assert rejected[2].startswith("the email address 'nobody' is not valid")
    assert rejected[4] is None
    assert reader.read(Record(5, ["", " ", ""])) == (None, None)
    assert reader.read(Record(6, [], "this line could not be read as CSV"))[1] is not None


def test_an_uploaded_files_name_as_it_is_kept():
    assert shown_name("C:\\Users\\Ana\\members 2027.csv") == "members 2027.csv"
    assert shown_name("../../etc/passwd") == "passwd"
    assert shown_name("só\x00cios\ud800.csv") == "sócios?.csv"
    assert len(shown_name("x" * 400)) == 255
