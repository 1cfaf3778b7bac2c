"""The sign-up and edit forms as a browser without scripts sends them: lists to choose from,
the availability grid with typed windows, plain messages, custom tags as typed."""

from __future__ import annotations

from html.parser import HTMLParser

from service.taxonomy.codes import COUNTRIES, LANGUAGES
from tests.api.test_pages import FORM
from tests.conftest import csrf_from, sign_up_and_login, signup_body


class _Form(HTMLParser):
    """What a browser would submit from a page's profile form, as it is shown: text inputs
    and text areas with their values, ticked checkboxes, selected options (a single choice
    with none selected sends its first)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._single = False
        self._textarea: str | None = None
        self._form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action") in ("/signup", "/me/edit"):
            self._form = True
        if not self._form:
            return
        name = a.get("name", "")
        if tag == "input" and name and name != "csrf_token":
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((name, a.get("value", "on")))
        elif tag == "select":
            self._select, self._single = name, "multiple" not in a
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._single = False
        elif tag == "textarea":
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if self._single:  # nothing selected: the first option is
                self.fields.append((self._select, self.options[self._select][0]))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = False


def _parse(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def _ticked(html: str) -> list[str]:
    return [v for n, v in _parse(html).fields if n == "availability" and "\n" not in v and v]


async def test_the_lists_offer_exactly_what_the_api_accepts(client):
    form = _parse((await client.get("/signup")).text)
    assert form.options["country"] == ["", *COUNTRIES]
    assert sorted(form.options["languages"]) == sorted(LANGUAGES)
    assert "Asia/Kolkata" in form.options["timezone"] and form.options["timezone"][0] == ""
    # Nothing is guessed for the timezone without a script; English is chosen to start with.
    chosen = dict(form.fields)
    assert chosen["timezone"] == "" and ("languages", "en") in form.fields


async def test_unlisted_country_timezone_and_languages_are_refused_in_plain_words(client):
    r = await client.post(
        "/api/v1/people",
        json=signup_body(country="XX", timezone="Mars/Base", languages=["en", "xx"]),
    )
    assert r.status_code == 422
    fields = {f["field"]: f["message"] for f in r.json()["error"]["fields"]}
    assert fields["country"].startswith("Choose your country from the list")
    assert fields["timezone"].startswith("Choose your timezone from the list")
    assert fields["languages"].startswith("Choose your languages from the list")
    # Kosovo is in the list, so the API takes it.
    r = await client.post("/api/v1/people", json=signup_body(country="XK"))
    assert r.status_code == 201, r.text

    page = await client.get("/signup")
    bad = {**FORM, "timezone": "", "country": "QQ", "languages": [""]}
    r = await client.post("/signup", data={**bad, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 422
    assert 'id="timezone-error">Choose your timezone from the list</span>' in r.text
    assert "Choose your country from the list" in r.text
    assert 'id="languages-error">Choose at least one language</span>' in r.text


async def test_grid_cells_and_typed_windows_save_together_and_show_back_apart(client):
    page = await client.get("/signup")
    form = {
        **FORM,
        "languages": ["", "pt", "en"],
        "availability": ["Tue 18:00-22:00", "Sat 08:00-12:00", "Tue 21:00-23:00\nSun 10:00-11:30"],
    }
    r = await client.post("/signup", data={**form, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303, r.text
    me = (await client.get("/api/v1/me")).json()
    assert me["languages"] == ["pt", "en"]
    assert me["availability"] == [
        {"day": "tue", "start": "18:00", "end": "23:00"},
        {"day": "sat", "start": "08:00", "end": "12:00"},
        {"day": "sun", "start": "10:00", "end": "11:30"},
    ]
    edit = await client.get("/me/edit")
    assert _ticked(edit.text) == ["Sat 08:00-12:00"]  # the merged Tuesday is no cell
    typed = dict(_parse(edit.text).fields)["availability"]
    assert typed.split() == ["Tue", "18:00-23:00", "Sun", "10:00-11:30"]

    # Unticking a cell and clearing the text removes those windows.
    fields = [(n, v) for n, v in _parse(edit.text).fields if n != "availability"]
    fields += [("availability", "Mon 08:00-12:00"), ("availability", "")]
    r = await client.post("/me/edit", data=_multi(fields, csrf_from(edit.text)))
    assert r.status_code == 303, r.text
    me = (await client.get("/api/v1/me")).json()
    assert me["availability"] == [{"day": "mon", "start": "08:00", "end": "12:00"}]
    assert _ticked((await client.get("/me/edit")).text) == ["Mon 08:00-12:00"]


def _multi(fields: list[tuple[str, str]], csrf: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {"csrf_token": [csrf]}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


async def test_custom_tags_are_shown_as_typed_and_saving_the_form_unchanged_keeps_them(client):
    page = await client.get("/signup")
    form = {**FORM, "skills": "risk mgmt, Kanban Coaching for NGOs", "tools": "MSP, Miro  Boards"}
    r = await client.post("/signup", data={**form, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303, r.text
    me = (await client.get("/api/v1/me")).json()
    assert me["skills"] == ["risk-management", "kanban-coaching-for-ngos"]
    assert me["custom_tags"] == ["kanban-coaching-for-ngos", "miro-boards"]
    assert me["custom_tag_texts"] == {
        "kanban-coaching-for-ngos": "Kanban Coaching for NGOs",
        "miro-boards": "Miro Boards",
    }
    profile = (await client.get("/me")).text
    assert "Kanban Coaching for NGOs</span>" in profile and "kanban coaching" not in profile

    edit = await client.get("/me/edit")
    shown = dict(_parse(edit.text).fields)
    assert shown["skills"] == "Risk management, Kanban Coaching for NGOs"
    assert shown["tools"] == "Microsoft Project, Miro Boards"
    r = await client.post("/me/edit", data=_multi(_parse(edit.text).fields, csrf_from(edit.text)))
    assert r.status_code == 303, r.text
    again = (await client.get("/api/v1/me")).json()
    for field in ("skills", "tools", "custom_tags", "custom_tag_texts", "languages", "timezone"):
        assert again[field] == me[field], field
    assert again["availability"] == me["availability"]
    assert again["country"] == me["country"] and again["country"] == "PT"


async def test_words_of_custom_tags_follow_edits_and_stay_with_tags_not_sent(client):
    await sign_up_and_login(client, skills=["Kanban Coaching for NGOs"], tools=["Miro Boards"])
    r = await client.patch("/api/v1/me", json={"headline": "Now a PM"})
    texts = r.json()["custom_tag_texts"]
    assert texts == {
        "kanban-coaching-for-ngos": "Kanban Coaching for NGOs",
        "miro-boards": "Miro Boards",
    }
    # Retyped differently: the new words; dropped: gone; other fields' tags keep theirs.
    r = await client.patch("/api/v1/me", json={"skills": ["kanban coaching for NGOs", "Scrum"]})
    assert r.json()["custom_tag_texts"] == {
        "kanban-coaching-for-ngos": "kanban coaching for NGOs",
        "miro-boards": "Miro Boards",
    }
    r = await client.patch("/api/v1/me", json={"tools": ["Jira"]})
    assert r.json()["custom_tag_texts"] == {"kanban-coaching-for-ngos": "kanban coaching for NGOs"}
    export = (await client.get("/api/v1/me/export")).json()
    assert export["profile"]["custom_tag_texts"] == r.json()["custom_tag_texts"]
