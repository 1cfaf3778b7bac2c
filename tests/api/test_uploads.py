"""Multipart uploads as ordinary API operations: streamed to disk, limited per route."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest
from pydantic import Field
from starlette.responses import Response

from service.app import ROUTERS, create_app
from service.kit.api import PERSON, ApiRouter, Call, Upload, respond
from service.kit.schemas import Strict
from tests.conftest import sign_up_and_login

MIB = 1024 * 1024


class ImportFields(Strict):
    """Form fields sent beside the file."""

    model_config = Strict.model_config | {"strict": False}
    full_sync: bool = False
    note: str = Field(default="", max_length=20)


async def receive(call: Call) -> Response:
    """Hash the received file and say where it was kept."""
    upload = call.upload()
    digest = hashlib.sha256()
    size = 0
    while chunk := await upload.file.read(64 * 1024):
        digest.update(chunk)
        size += len(chunk)
    assert isinstance(upload.fields, ImportFields)
    return respond(
        {
            "filename": upload.file.filename,
            "size": size,
            "sha256": digest.hexdigest(),
            # Starlette spools uploads over 1 MiB to a temporary file on disk.
            "on_disk": bool(getattr(upload.file.file, "_rolled", False)),
            "full_sync": upload.fields.full_sync,
            "caller": str(call.caller.person_id),
        }
    )


#: A router of one upload operation, added to the app's own in these tests only.
files = ApiRouter(tag="files")
files.route(
    "/test-uploads",
    "POST",
    summary="Receive a file (test only)",
    access=PERSON,
    upload=Upload(max_bytes=4 * MIB, fields=ImportFields),
    errors=(401, 413, 415, 422),
)(receive)


@pytest.fixture
async def upload_client(settings):
    app = create_app(settings, routers=(*ROUTERS, files))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def test_a_large_file_is_streamed_to_disk_and_arrives_whole(upload_client):
    me = await sign_up_and_login(upload_client)
    data = os.urandom(3 * MIB)
    r = await upload_client.post(
        "/api/v1/test-uploads",
        files={"file": ("members.csv", data, "text/csv")},
        data={"full_sync": "true"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "filename": "members.csv",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "on_disk": True,
        "full_sync": True,
        "caller": me["id"],
    }


async def test_upload_limits_and_errors(upload_client):
    r = await upload_client.post("/api/v1/test-uploads", files={"file": ("a.csv", b"x")})
    assert r.status_code == 401  # who may call is checked before the body is read
    await sign_up_and_login(upload_client)
    big = await upload_client.post(
        "/api/v1/test-uploads", files={"file": ("a.csv", b"x" * (4 * MIB + 1))}
    )
    assert big.status_code == 413
    assert big.json()["error"] == {
        "code": "payload_too_large",
        "message": "the body is larger than 4 MiB",
    }
    as_json = await upload_client.post("/api/v1/test-uploads", json={"file": "x"})
    assert as_json.status_code == 415
    no_file = await upload_client.post(
        "/api/v1/test-uploads", files={"attachment": ("a.csv", b"x")}, data={"note": "hi"}
    )
    assert no_file.status_code == 422
    assert no_file.json()["error"]["fields"] == [{"field": "file", "message": "attach a file"}]
    bad_field = await upload_client.post(
        "/api/v1/test-uploads", files={"file": ("a.csv", b"x")}, data={"note": "n" * 21}
    )
    assert bad_field.status_code == 422
    assert bad_field.json()["error"]["fields"][0]["field"] == "note"
    # JSON operations keep the global 1 MiB limit.
    r = await upload_client.patch("/api/v1/me", json={"bio": "x" * (MIB + 10)})
    assert r.status_code == 413
    assert r.json()["error"]["message"] == "the body is larger than 1 MiB"


async def test_the_upload_is_documented_as_multipart(upload_client):
    spec = (await upload_client.get("/openapi.json")).json()
    body = spec["paths"]["/api/v1/test-uploads"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["allOf"][0]["required"] == ["file"]
    assert schema["allOf"][0]["properties"]["file"]["contentMediaType"]
    assert "full_sync" in str(spec["components"]["schemas"]["ImportFields"])


async def test_the_docs_page_shows_the_upload_and_who_may_call(upload_client):
    page = await upload_client.get("/docs")
    assert page.status_code == 200
    assert "a file, sent as <code>multipart/form-data</code>" in page.text
    assert "Any logged-in person." in page.text and "Site admins only." in page.text
