"""GET /api/v1/openapi.json: a well-formed OpenAPI 3 document that describes the endpoints that exist."""
from __future__ import annotations

import re

import pytest

OPERATIONS = {
    ("/grievances", "post"), ("/grievances", "get"), ("/grievances/{code}", "get"),
    ("/grievances/{code}/actions", "post"), ("/openapi.json", "get"), ("/stats", "get"),
}


@pytest.fixture
def doc(client, world):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.is_json
    return r.get_json()


def refs(node):
    """Every $ref anywhere in the document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def test_document_structure(doc):
    assert re.match(r"^3\.[01]\.\d+$", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"][0]["url"] == "/api/v1"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    found = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert OPERATIONS <= found
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op["responses"], (path, method)
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_every_reference_resolves(doc):
    for ref in refs(doc):
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]


def test_every_described_route_exists(app, doc):
    rules = {(r.rule, m.lower()) for r in app.url_map.iter_rules() for m in r.methods}
    for path, item in doc["paths"].items():
        flask_rule = "/api/v1" + re.sub(r"{(\w+)}", r"<\1>", path)
        for method in item:
            assert (flask_rule, method) in rules, (path, method)


def test_the_documented_request_fields_are_the_accepted_ones(client, app, world, doc):
    """A body built from the document's own examples is accepted: the description and the checks agree."""
    schema = doc["components"]["schemas"]["NewGrievance"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"channel", "programme", "category", "description"}
    body = {name: prop["examples"][0] for name, prop in schema["properties"].items() if "examples" in prop}
    body["complainant"] = {name: prop["examples"][0]
                           for name, prop in schema["properties"]["complainant"]["properties"].items()
                           if "examples" in prop}
    with app.app_context():
        token = world.token("operator")
    r = client.post("/api/v1/grievances", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()


def test_validates_against_the_openapi_specification(doc):
    from openapi_spec_validator import OpenAPIV31SpecValidator

    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []
