"""Every validation message a person reads, in plain words, from one place.

Pydantic's own wording ("String should have at least 12 characters", "value is not a valid
email address") never reaches a page or the API: :func:`plain` turns each error into what a
person would say, by its type and the field it is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: What one item of a list field is called ("Choose at least one language").
ITEM_NAMES = {
    "languages": "language",
    "roles": "role: mentee or mentor",
    "meeting_modes": "way to meet",
    "availability": "time you are free",
    "goals": "goal",
    "skills": "skill",
}
#: Choices the forms offer as lists; the API refuses anything else with the same words.
CHOOSE_TIMEZONE = "Choose your timezone from the list"
CHOOSE_COUNTRY = "Choose your country from the list"
CHOOSE_LANGUAGE = "Choose your languages from the list"
#: Fields whose every error says the same thing.
FIELD_MESSAGES = {
    "email": "Enter an email address, like name@example.org",
    "education": "Choose your highest education from the list (secondary, bachelor for a"
    " four-year degree, master or doctorate), or leave it empty",
    "months_leading_projects": "Enter the months you have spent leading projects as a whole"
    " number from 0 to 600, or leave it empty",
    "pm_education_hours": "Enter your hours of project-management education as a whole number"
    " from 0 to 10000, or leave it empty",
}


def _count(n: object, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _field(loc: Sequence[int | str]) -> str:
    """The field an error is about: the last name in its location (list indexes skipped)."""
    names = [part for part in loc if isinstance(part, str) and part != "body"]
    return names[-1] if names else ""


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "This value is not valid"


def sentence(text: str) -> str:
    """A message as a page shows it: a capital first letter and a full stop ("no such
    programme" reads "No such programme.")."""
    text = _sentence(text)
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def plain(kind: str, loc: Sequence[int | str], ctx: Mapping[str, Any], message: str) -> str:
    """The plain-words message for one pydantic error (its ``type``, ``loc``, ``ctx``, ``msg``)."""
    field = _field(loc)
    if field in FIELD_MESSAGES:
        return FIELD_MESSAGES[field]
    item = ITEM_NAMES.get(field, "item")
    match kind:
        case "missing":
            return "This is required"
        case "extra_forbidden":
            return "Kickoff has no such field; leave it out"
        case "string_too_short":
            n = ctx.get("min_length", 1)
            return "Fill this in" if n == 1 else f"Use at least {n} characters"
        case "string_too_long":
            return f"Use at most {_count(ctx.get('max_length'), 'character', 'characters')}"
        case "too_short":
            n = ctx.get("min_length", 1)
            return f"Choose at least one {item}" if n == 1 else f"Choose at least {n} ({item})"
        case "too_long":
            return f"Choose at most {ctx.get('max_length')} ({item})"
        case "greater_than_equal":
            return f"Use {ctx.get('ge')} or more"
        case "greater_than":
            return f"Use more than {ctx.get('gt')}"
        case "less_than_equal":
            return f"Use {ctx.get('le')} or less"
        case "less_than":
            return f"Use less than {ctx.get('lt')}"
        case "int_type" | "int_parsing" | "int_from_float":
            return "Enter a whole number"
        case "float_type" | "float_parsing" | "finite_number":
            return "Enter a number"
        case "bool_type" | "bool_parsing":
            return "Answer yes or no (true or false)"
        case "string_type" | "string_unicode":
            return "Enter text"
        case "list_type" | "tuple_type" | "set_type":
            return "Send a list"
        case "dict_type" | "model_type" | "model_attributes_type" | "dataclass_type":
            return "Send an object with named fields"
        case "literal_error" | "enum":
            expected = str(ctx.get("expected", "")).replace("'", "")
            return f"Choose one of: {expected}" if expected else "Choose one of the options"
        case "uuid_type" | "uuid_parsing" | "uuid_version":
            return "Use an id Kickoff gave you (a UUID like 3f2b8c1e-…)"
        case "date_type" | "date_parsing" | "date_from_datetime_parsing":
            return "Enter a date like 2027-01-31"
        case "datetime_type" | "datetime_parsing" | "datetime_from_date_parsing":
            return "Enter a date and time like 2027-01-31T18:00:00+00:00"
        case "string_pattern_mismatch":
            return "Use the format shown"
        case "value_error" | "assertion_error":
            # Our own validators' words (the library prefixes them).
            return _sentence(
                message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
            )
    return "This value is not valid"
