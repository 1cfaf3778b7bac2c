"""OpenAPI 3.1 document built from the registered operations and their pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from service.kit.api import Operation, Rule

_REF = "#/components/schemas/{model}"
_ERROR_TEXT = {
    400: "Malformed request (e.g. unparseable JSON)",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with existing data",
    413: "Body larger than its limit (1 MiB for JSON)",
    415: "Body is not of the declared media type",
    422: "Invalid fields; `error.fields` lists each with a message",
    429: "Too many attempts; see Retry-After",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}


_ACCESS_TEXT = {
    Rule.PERSON: "Any logged-in person.",
    Rule.SITE_ADMIN: "Site admins only.",
    Rule.ORGANISER: "Organisers of the programme this belongs to, and site admins.",
    Rule.ASSOCIATION_ADMIN: "Admins of the association this belongs to, and site admins.",
    Rule.EVENT_HOST: "The event's hosts (its association's admins, its programme's organisers)"
    " and site admins; to create one, the host the body names.",
}
_KEYS_TEXT = (
    " Also the association's own API keys (`Authorization: Bearer kk_...` or `X-Api-Key`); a"
    " key of another association is a 403, a revoked or unknown key a 401."
)
#: Who may call: a session (cookie or bearer token), and an association's API key where allowed.
SESSION_SECURITY: list[dict[str, list[str]]] = [{"session": []}, {"bearer": []}]
KEY_SECURITY: list[dict[str, list[str]]] = [*SESSION_SECURITY, {"association_key": []}]


def _upload(op: Operation, keyed: dict[Any, Any]) -> dict[str, Any]:
    """The multipart/form-data schema of an upload: the file and its form fields."""
    assert op.upload is not None
    spec = op.upload
    schema: dict[str, Any] = {
        "type": "object",
        "required": [spec.field],
        "properties": {
            spec.field: {
                "type": "string",
                "contentMediaType": "application/octet-stream",
                "description": spec.description or f"at most {spec.max_bytes} bytes",
            }
        },
    }
    if spec.fields is not None:
        schema = {"allOf": [schema, keyed[(spec.fields, "validation")]]}
    return {"schema": schema}


def build_openapi(operations: list[Operation], *, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``operations``."""
    models: list[tuple[type[BaseModel], Any]] = []
    for op in operations:
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.upload is not None and op.upload.fields is not None:
            models.append((op.upload.fields, "validation"))
        if isinstance(op.response, type) and issubclass(op.response, BaseModel):
            models.append((op.response, "serialization"))
    keyed, defs = models_json_schema(models, ref_template=_REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Error"] = ERROR_SCHEMA

    paths: dict[str, Any] = {}
    for op in operations:
        item: dict[str, Any] = {
            "summary": op.summary,
            "operationId": op.name,
            "tags": [op.tag] if op.tag else [],
            "responses": {},
        }
        if op.query:
            item["parameters"] = [
                {
                    "name": n,
                    "in": "query",
                    "required": False,
                    "schema": {"type": t},
                    "description": d,
                }
                for n, t, d in op.query
            ]
        params = [seg[1:-1] for seg in op.path.split("/") if seg.startswith("{")]
        if params:
            item.setdefault("parameters", []).extend(
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in params
            )
        if op.body is not None:
            item["requestBody"] = {
                # No body is the same as {}: optional when every field is, or declared so.
                "required": op.body_required
                and any(f.is_required() for f in op.body.model_fields.values()),
                "content": {"application/json": {"schema": keyed[(op.body, "validation")]}},
            }
        if op.upload is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": _upload(op, keyed)},
            }
        ok: dict[str, Any] = {"description": "OK" if op.status != 204 else "No content"}
        if op.media_type != "application/json":
            # A download: its columns are described in the operation's summary and README.
            ok["description"] = f"The file ({op.media_type}), streamed as an attachment"
            ok["content"] = {op.media_type: {"schema": {"type": "string"}}}
        elif isinstance(op.response, type) and issubclass(op.response, BaseModel):
            ok["content"] = {"application/json": {"schema": keyed[(op.response, "serialization")]}}
        elif op.response is not None:
            ok["content"] = {
                "application/json": {
                    "schema": TypeAdapter(op.response).json_schema(ref_template=_REF)
                }
            }
        item["responses"][str(op.status)] = ok
        for code in op.errors:
            item["responses"][str(code)] = {
                "description": _ERROR_TEXT.get(code, "Error"),
                "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
            }
        item["x-access"] = op.access.rule.value
        if op.access.rule is not Rule.ANYONE:
            keys = op.access.rule in (Rule.ASSOCIATION_ADMIN, Rule.EVENT_HOST) and op.access.keys
            item["security"] = KEY_SECURITY if keys else SESSION_SECURITY
            item["description"] = _ACCESS_TEXT[op.access.rule] + (_KEYS_TEXT if keys else "")
        else:
            item["security"] = []
        paths.setdefault(op.path, {})[op.method.lower()] = item

    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Mentorship and networking matching for people entering IT project"
            ' management. Errors share one shape: `{"error": {"code", "message", "fields"}}`.',
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "kickoff_session"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "association_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }
