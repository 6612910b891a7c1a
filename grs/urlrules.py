"""URL rules whose URL builders are compiled when first used, not when the app is made.

Werkzeug compiles two Python functions per rule (`url_for` with and without extra arguments) as each rule is
added: with this app's 660 rules that was 86% of `create_app` (about 85 ms of 100 on this machine), paid by
every gunicorn worker at start and by every test, which makes an app of its own. Most processes build URLs for
a few dozen endpoints. The builder is the one werkzeug compiles (`Rule._compile_builder`), made on the first
call and kept; matching a request does not use it. tests/http/test_url_rules.py holds every rule's URLs equal
to werkzeug's own.
"""
from __future__ import annotations

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        compiled = None

        def build(rule, *args, **kwargs):
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, *args, **kwargs)

        return build
