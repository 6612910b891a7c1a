"""GET /api/v1/openapi.json: a well-formed OpenAPI 3 document that describes the endpoints that exist."""
from __future__ import annotations

import re

import pytest

OPERATIONS = {
    ("/grievances", "post"), ("/grievances", "get"), ("/grievances/{code}", "get"),
    ("/grievances/{code}/actions", "post"), ("/openapi.json", "get"), ("/stats", "get"),
    # what a signed-in officer, operator or admin does on the web, as API calls
    ("/grievances/{code}/events", "get"), ("/grievances/{code}/attachments", "get"),
    ("/grievances/{code}/attachments/{attachment_id}", "get"), ("/programmes", "get"), ("/categories", "get"),
    ("/levels", "get"), ("/areas", "get"), ("/areas/{code}", "get"), ("/offices", "get"), ("/actions", "get"),
    ("/callers/lookup", "post"), ("/calls", "get"), ("/calls", "post"), ("/calls/{call_id}", "get"),
    ("/calls/{call_id}/end", "post"), ("/policies", "get"), ("/policies", "post"), ("/policies/{policy_id}", "delete"),
    ("/holidays", "get"), ("/holidays", "post"), ("/holidays/{holiday_id}", "delete"), ("/webhooks/{sub_id}", "patch"),
    ("/imports", "post"), ("/admin/audit", "get"),
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


def test_every_api_route_is_described(app, doc):
    """The other way round: no /api/v1 call exists that the document leaves out."""
    described = {("/api/v1" + re.sub(r"{(\w+)}", r"<\1>", path), method)
                 for path, item in doc["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (rule.rule, method.lower()) in described, (rule.rule, method)


def test_every_operation_documents_its_errors_in_the_contract_shape(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    if "$ref" in response:
                        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def test_list_parameters_are_the_accepted_ones(doc):
    from grs.api import schemas

    params = {p["name"] for p in doc["paths"]["/grievances"]["get"]["parameters"]}
    assert params == set(schemas.LIST_PARAMS) | {"format"}
    assert {"channel", "from", "to", "status", "level", "area", "programme", "overdue", "page"} <= params


def test_validates_against_the_openapi_specification(doc):
    from openapi_spec_validator import OpenAPIV31SpecValidator

    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []
