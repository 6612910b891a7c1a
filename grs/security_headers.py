"""Security headers on every response (issue 11, finding 5), set in one place for the whole app.

- Content-Security-Policy: scripts only from our own static files (no inline script, no eval, no
  `on*=` attributes: the templates have none); styles from our own files, plus the `<style>` element
  pygal writes into each inline chart, allowed by a per-response nonce (`csp_nonce`, added to the chart by
  `with_style_nonce`) rather than by 'unsafe-inline'. Images from us and data: URIs. No plugins, no
  <base> elsewhere, forms post only to us, and no other site may frame a page (frame-ancestors 'none', and
  X-Frame-Options DENY for browsers that predate it): a case page with its action buttons in another
  site's frame is a click-jacking target.
- Referrer-Policy same-origin: tracking codes are in the paths of citizen pages, and no other site is
  told them. Not no-referrer: Flask-WTF's CSRF check over HTTPS (WTF_CSRF_SSL_STRICT) refuses a form
  post without a same-origin Referer, so no-referrer would refuse every form behind TLS.
- X-Content-Type-Options nosniff, a Permissions-Policy that turns off what no page uses.
- Cache-Control no-store on every dynamic answer (staff pages, the API, a grievance's track page,
  attachments and exports, which send_file would mark only no-cache), except the views in
  CHOOSE_OWN_CACHING, which carry no personal data and say for themselves how long they keep (the public
  statistics: public, max-age); static files keep Flask's caching.
- Strict-Transport-Security when the app is served over TLS (GRS_PUBLIC_URL https://).
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, g, has_request_context, request
from markupsafe import Markup

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Features no page uses (a photo of a slip is a file input, which needs no camera permission). Only
# names Chromium knows: an unknown one is an error in the console of every page.
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
                      "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()")
HSTS = "max-age=31536000"
# Endpoints that set their own Cache-Control because what they answer is the same for everyone.
CHOOSE_OWN_CACHING = frozenset({"static", "public_stats.stats"})


def csp_nonce() -> str | None:
    """This response's nonce for inline <style> elements (made on first use); None outside a request."""
    if not has_request_context():
        return None
    nonce = g.get("csp_style_nonce")
    if nonce is None:
        nonce = g.csp_style_nonce = secrets.token_urlsafe(16)
    return nonce


def with_style_nonce(markup: Markup) -> Markup:
    """Server-made markup (a pygal chart) whose <style> elements the page's policy is to allow."""
    nonce = csp_nonce()
    if nonce is None:
        return markup
    return Markup(str(markup).replace("<style", f'<style nonce="{nonce}"'))


def policy(nonce: str | None = None) -> str:
    directives = dict(CSP)
    if nonce:
        directives["style-src"] += f" 'nonce-{nonce}'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_security_headers(app: Flask) -> None:
    over_tls = str(app.config.get("PUBLIC_URL") or "").startswith("https://")

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy(g.get("csp_style_nonce"))
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if over_tls:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in CHOOSE_OWN_CACHING and "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
        return response
