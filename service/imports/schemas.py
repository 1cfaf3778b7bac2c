"""Member import API shapes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from service.imports.columns import FIELDS
from service.kit.schemas import Strict

_MAPPING_HELP = (
    'a JSON object of column name -> field (e.g. {"E-mail 2": "email", "Notes": ""}); "" leaves'
    " a column out; columns not named keep their guessed field. Fields: " + ", ".join(FIELDS)
)


def parse_mapping(value: str) -> dict[str, str] | None:
    """A mapping sent as JSON text (None when empty); ValueError saying what is wrong."""
    if not value.strip():
        return None
    try:
        data = json.loads(value)
    except ValueError:
        raise ValueError(
            'write the mapping as a JSON object, like {"E-mail": "email", "Notes": ""}'
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(
            'write the mapping as a JSON object of column name -> field, like {"E-mail": "email"}'
        )
    return data


class PreviewForm(Strict):
    """Form fields sent beside the file to preview."""

    model_config = Strict.model_config | {"strict": False}
    mapping: str = Field(default="", max_length=100_000, description=_MAPPING_HELP)

    @field_validator("mapping")
    @classmethod
    def _check(cls, value: str) -> str:
        parse_mapping(value)
        return value

    def chosen(self) -> dict[str, str] | None:
        """The admin's mapping, if any."""
        return parse_mapping(self.mapping)


class ImportForm(PreviewForm):
    """Form fields sent beside the file to import."""

    full_sync: bool = Field(
        default=False,
        description="end the memberships (never the people) of the association's imported"
        " members whom the file leaves out",
    )


class PreviewRow(BaseModel):
    """One row of a preview, with the line (CSV) or row (spreadsheet) it is on."""

    line: int
    cells: list[str]


class PreviewOut(BaseModel):
    """What a file looks like to the import, before importing it."""

    format: Literal["csv", "xlsx", "ods"]
    encoding: str = Field(description="utf-8, utf-16, windows-1252 or iso-8859-1; empty for XLSX")
    delimiter: str = Field(description="CSV only: one of , ; tab |")
    header_line: int
    columns: list[str] = Field(description="the header row's column names, made unique")
    mapping: dict[str, str] = Field(description="column name -> field, the guesses and choices")
    fields: dict[str, str] = Field(description="every field a column can fill, with its label")
    rows: list[PreviewRow] = Field(description="the first 20 rows under the header")


ImportStatus = Literal["queued", "running", "done", "failed"]


class ImportOut(BaseModel):
    """An import's state and what it did."""

    id: UUID
    association_id: UUID
    status: ImportStatus
    progress: float
    message: str
    rows_read: int = Field(description="rows under the header that hold anything")
    created: int = Field(description="people new to Kickoff, invited")
    linked: int = Field(description="people already in Kickoff who became members")
    updated: int = Field(description="members whose member ID, status or details changed")
    unchanged: int
    rejected: int = Field(description="rows refused (see rejected.csv)")
    duplicates_merged: int = Field(description="rows of an address already in the file")
    ended: int = Field(description="full sync: memberships ended")
    invitations: int = Field(description="invitation emails queued")
    file_name: str
    format: str
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    full_sync: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
