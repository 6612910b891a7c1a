"""Security headers on every answer (issue 11, finding 5): a Content-Security-Policy that needs no inline
script, no framing by another site, no referrer to other sites, nosniff, a Permissions-Policy, and
Cache-Control no-store wherever personal data may be (staff pages, the API, a grievance's track page,
attachments and exports), while static files and the public statistics keep their caching."""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA

from grs import services as svc
from grs.extensions import db
from grs.models import Attachment, Grievance
from grs.security_headers import CSP

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def directives(r) -> dict[str, str]:
    policy = r.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def assert_hardened(r) -> None:
    """The headers every answer carries, and a policy that admits no inline script anywhere."""
    csp = directives(r)
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["form-action"] == "'self'" and csp["base-uri"] == "'self'"
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r.headers["Permissions-Policy"] and "geolocation=()" in r.headers["Permissions-Policy"]


def no_store(r) -> bool:
    return "no-store" in r.headers.get("Cache-Control", "")


def lodged_with_slip(app) -> tuple[str, int]:
    with app.app_context():
        g = builders.lodge(BARIA, description="My allowance was not paid.",
                           attachments=(svc.AttachmentIn("slip.png", "image/png", PNG),))
        att = db.session.scalar(sa.select(Attachment.id).where(Attachment.grievance_id == g.id))
        return g.tracking_code, att


def test_citizen_pages_are_hardened_and_a_grievances_track_page_is_not_kept(app, client, world):
    code = builders.lodge_in(app, BARIA)
    for path in ("/", "/grievances/new", "/track"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert_hardened(r)
    r = client.get(f"/track/{code}")
    assert r.status_code == 200
    assert_hardened(r)
    assert r.headers["Cache-Control"] == "no-store"


def test_staff_pages_attachments_and_exports_are_never_stored(app, client_as, auth, client, world):
    code, att = lodged_with_slip(app)
    officer = client_as("officer_baria")
    for who, path in (("officer_baria", "/cases/"), ("officer_baria", f"/cases/{code}"),
                      ("analyst", "/dashboard/"), ("operator", "/operator/"), ("admin", "/admin/policies")):
        r = client_as(who).get(path)
        assert r.status_code == 200, path
        assert_hardened(r)
        assert r.headers["Cache-Control"] == "no-store", path
    r = officer.get(f"/cases/{code}/attachments/{att}")
    assert r.status_code == 200 and no_store(r)
    assert_hardened(r)
    # send_file marks a download only no-cache (keep, but ask first): an export of personal data is no-store.
    r = client.get("/api/v1/grievances", query_string={"format": "xlsx"}, headers=auth("officer_baria"))
    assert r.status_code == 200 and ".xlsx" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"


def test_api_answers_are_hardened_and_never_stored(app, client, auth, world):
    code = builders.lodge_in(app, BARIA)
    for r in (client.get(f"/api/v1/grievances/{code}", headers=auth("officer_baria")),
              client.get("/api/v1/grievances", headers=auth("officer_baria")),
              client.get("/api/v1/grievances/123456789012", headers=auth("officer_baria")),  # a 404 as well
              client.get("/api/v1/grievances")):  # and a 401
        assert r.is_json
        assert_hardened(r)
        assert no_store(r), r.status_code


def test_static_files_keep_their_caching(client):
    r = client.get("/static/js/confirm.js")
    assert r.status_code == 200 and r.mimetype in ("text/javascript", "application/javascript")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert not no_store(r)
    assert r.headers.get("ETag") or r.headers.get("Last-Modified")
    r.close()


def test_the_public_statistics_keep_their_public_caching_and_their_charts_styles_carry_the_nonce(app, client, world):
    for _ in range(6):
        builders.lodge_in(app, BARIA)
    r = client.get("/public/stats")
    assert r.status_code == 200
    assert_hardened(r)
    assert "public" in r.headers["Cache-Control"] and "max-age" in r.headers["Cache-Control"]
    html = r.get_data(as_text=True)
    styles = re.findall(r"<style\b[^>]*>", html)
    assert styles, "the page draws its charts"
    nonce = re.search(r"'nonce-([^']+)'", directives(r)["style-src"]).group(1)
    assert all(f'nonce="{nonce}"' in s for s in styles)
    assert " style=" not in html  # the charts' tooltip says opacity="0", not style="opacity: 0"
    # A new nonce for every answer.
    again = client.get("/public/stats")
    assert re.search(r"'nonce-([^']+)'", directives(again)["style-src"]).group(1) != nonce


def test_a_page_without_a_chart_allows_no_inline_style(client):
    r = client.get("/")
    assert directives(r)["style-src"] == CSP["style-src"] == "'self'"


def test_pages_as_served_have_no_inline_script_handlers_or_style(app, client, client_as, world):
    code = builders.lodge_in(app, BARIA)
    pages = [(client, "/"), (client, "/grievances/new"), (client, f"/track/{code}"),
             (client_as("officer_baria"), f"/cases/{code}"), (client_as("operator"), "/operator/lodge"),
             (client_as("analyst"), "/dashboard/")]
    for who, path in pages:
        r = who.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        assert not [t for t in re.findall(r"<script\b[^>]*>", html) if "src=" not in t], path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path
        assert not re.search(r"<[a-z][^>]*\sstyle\s*=", html), path


def test_no_template_has_inline_script_handlers_or_style_attributes():
    """The templates as written: what the policy would refuse is not there to be refused."""
    found = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "templates")):
        for name in files:
            if not name.endswith(".html"):
                continue
            path = os.path.join(folder, name)
            text = open(path, encoding="utf-8").read()
            for pattern in (r"<script(?![^>]*\ssrc=)[^>]*>", r"<[a-z][^>]*\son[a-z]+\s*=", r"javascript:",
                            r"<[a-z][^>]*\sstyle\s*=", r"<style\b"):
                found += [f"{os.path.relpath(path, ROOT)}: {m}" for m in re.findall(pattern, text)]
    assert not found


def test_every_answer_says_no_framing_even_an_error(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert_hardened(r)
    assert no_store(r)


def test_over_tls_browsers_are_told_to_keep_to_it(app, client):
    # The suite's config serves over https://grs.example.org (GRS_PUBLIC_URL).
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_why_same_origin_and_not_no_referrer_a_form_post_over_tls_needs_its_referer(client, world):
    """Flask-WTF's CSRF check over HTTPS refuses a post without a same-origin Referer: under no-referrer
    every form behind TLS would be refused. same-origin sends it to us and to no one else."""
    https = "https://grs.example.org"
    page = client.get("/login", base_url=https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "email": "nobody@test.grs", "password": "wrong"}
    without = client.post("/login", data=form, base_url=https)
    assert without.status_code == 400  # "The referrer header is missing."
    with_referer = client.post("/login", data=form, base_url=https, headers={"Referer": f"{https}/login"})
    assert with_referer.status_code != 400  # past the CSRF check: a failed sign-in, not a refused form
