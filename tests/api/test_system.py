"""Health checks and the OpenAPI document."""

from __future__ import annotations

from service.app import operations


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_readyz_is_503_when_redis_is_unreachable(settings):
    import socket

    import httpx
    from arq.connections import ArqRedis

    from service.app import create_app

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        real = app.state.services.arq
        app.state.services.arq = ArqRedis(
            host="127.0.0.1", port=closed_port, socket_connect_timeout=0.5
        )
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                r = await c.get("/readyz")
        finally:
            await app.state.services.arq.aclose()
            app.state.services.arq = real
    assert r.status_code == 503
    assert r.json()["redis"] == "unreachable" and r.json()["database"] == "ok"


async def test_openapi_is_3_1_and_covers_every_operation(client):
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"] == "3.1.0"
    for op in operations():
        assert op.method.lower() in spec["paths"][op.path], op.path
    signup = spec["paths"]["/api/v1/people"]["post"]
    schema_name = signup["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[
        -1
    ]
    schema = spec["components"]["schemas"][schema_name]
    assert {"email", "password", "roles", "timezone", "languages"} <= set(schema["required"])
    assert schema["properties"]["bio"]["maxLength"] == 2000
    assert schema["properties"]["skills"]["maxItems"] == 50
    assert "422" in signup["responses"] and "409" in signup["responses"]
    assert spec["paths"]["/api/v1/me"]["get"]["security"]


async def test_docs_page_lists_operations_and_schemas(client):
    html = (await client.get("/docs")).text
    assert "POST /api/v1/people" in html
    assert "schema-SignupIn" in html


async def test_round_metrics_have_a_schema_to_chart_from(client):
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    report = schemas["RoundReport"]["properties"]
    assert {"coverage", "score", "mentor_load", "fairness", "certificate", "timings"} <= set(report)
    assert {"unmatched", "headcount"} <= set(report)
    assert set(schemas["Headcount"]["properties"]) == {"mentees", "mentors"}
    assert set(schemas["RoleCount"]["properties"]) == {"members", "entered", "not_entered"}
    listed = schemas["NotEnteredOut"]["properties"]
    assert {"person_id", "name", "role", "code", "reason", "details"} == set(listed)
    assert "email_not_verified" in listed["code"]["enum"]
    assert set(schemas["ScoreSummary"]["properties"]) == {"mean", "median", "p10", "min"}
    assert set(schemas["GroupFigures"]["properties"]) == {
        "group",
        "mentees",
        "coverage",
        "mean_score",
    }
