"""grs/urlrules.py: the app's URL rules compile their builders when first used, and build exactly the URLs
werkzeug's own rules build, for every route of the app."""
from __future__ import annotations

from werkzeug.routing import Map, Rule

from grs.urlrules import LazyBuilderRule

SAMPLES = {"integer": 7, "float": 1.5, "path": "a/b c", "uuid": "12345678-1234-5678-1234-567812345678"}


def _values(rule: Rule) -> dict:
    return {name: SAMPLES.get(type(conv).__name__.replace("Converter", "").lower(), "x y/ü")
            for name, conv in rule._converters.items()}


def test_every_route_builds_the_url_werkzeug_builds(app):
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(r, LazyBuilderRule) for r in rules)
    plain = Map([Rule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods, subdomain=r.subdomain,
                      host=r.host, strict_slashes=r.strict_slashes, merge_slashes=r.merge_slashes,
                      redirect_to=r.redirect_to, alias=r.alias, websocket=r.websocket)
                 for r in rules], converters=app.url_map.converters)
    ours, theirs = app.url_map.bind("grs.example.org"), plain.bind("grs.example.org")
    for rule in rules:
        values, method = _values(rule), sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        for extra, unknown in (({}, False), ({"page": 2, "q": "ä b"}, True)):  # both builders
            built = ours.build(rule.endpoint, {**values, **extra}, method=method, append_unknown=unknown)
            assert built == theirs.build(rule.endpoint, {**values, **extra}, method=method,
                                         append_unknown=unknown), rule.rule


def test_a_builder_is_compiled_once_on_first_use():
    calls = []

    class Counting(LazyBuilderRule):
        pass

    original = Rule._compile_builder

    def counting(self, append_unknown=True):
        calls.append(append_unknown)
        return original(self, append_unknown)

    m = Map([Counting("/cases/<int:case_id>", endpoint="case")])
    Rule._compile_builder, saved = counting, Rule._compile_builder
    try:
        adapter = m.bind("example.org")
        assert calls == []  # binding the rule compiled nothing
        assert adapter.build("case", {"case_id": 3}) == "/cases/3"
        assert adapter.build("case", {"case_id": 4}) == "/cases/4"
        assert adapter.build("case", {"case_id": 5, "tab": "events"}) == "/cases/5?tab=events"
        assert calls == [True]  # compiled once, on the first build (url_for appends unknown arguments)
    finally:
        Rule._compile_builder = saved
