"""Webhook signatures and receiver URLs: what the signature covers, replays refused, docs/api.md's snippet agrees."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import types

import pytest

from grs import webhooks
from grs.errors import ValidationError

SECRET = "0123456789abcdef-secret"
BODY = b'{"type":"resolved","seq":5}'
T = 1772337600
DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "api.md")


def test_the_signature_is_an_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert webhooks.signature_header(SECRET, T, BODY) == f"t={T},v1={expected}"
    assert webhooks.sign(SECRET, T, BODY.decode()) == expected


def test_verify_refuses_a_changed_body_timestamp_or_secret_and_a_replay():
    header = webhooks.signature_header(SECRET, T, BODY)
    assert webhooks.verify(SECRET, header, BODY, now=T + 299)
    assert not webhooks.verify(SECRET, header, BODY, now=T + 301)  # replayed later
    assert not webhooks.verify(SECRET, header, BODY + b" ", now=T)
    assert not webhooks.verify("another-secret-entirely", header, BODY, now=T)
    forged = header.replace(f"t={T}", f"t={T + 1000}")  # a fresh timestamp on an old signature
    assert not webhooks.verify(SECRET, forged, BODY, now=T + 1000)
    for bad in (None, "", "v1=abc", "t=x,v1=abc"):
        assert not webhooks.verify(SECRET, bad, BODY, now=T)


def test_the_snippet_in_docs_api_md_accepts_our_signature_and_refuses_a_replay():
    text = open(DOCS, encoding="utf-8").read()
    snippet = re.search(r"```python\n(import hashlib, hmac, time.*?)```", text, re.S).group(1)
    ns: dict = {}
    exec(snippet, ns)
    ns["time"] = types.SimpleNamespace(time=lambda: T + 10)  # the receiver's clock
    header = webhooks.signature_header(SECRET, T, BODY)
    assert ns["verify"](SECRET, header, BODY)
    ns["time"] = types.SimpleNamespace(time=lambda: T + 3600)
    assert not ns["verify"](SECRET, header, BODY)


@pytest.mark.parametrize("url", ["https://mis.example.org/grs", "https://10.0.0.5:8443/in?src=grs",
                                 "http://localhost:8080/hook", "http://127.0.0.1:5001/x", "http://[::1]/x"])
def test_receiver_urls_that_are_accepted(url):
    assert webhooks.check_url(f"  {url} ") == url


@pytest.mark.parametrize("url", ["", "mis.example.org/grs", "http://mis.example.org/grs", "http://10.0.0.5/x",
                                 "ftp://mis.example.org/", "https://u:p@mis.example.org/", "https:///path",
                                 "https://mis.example.org:99999/", "https://mis.example.org/#frag",
                                 "https://mis.example.org/a b", "https://x.org/" + "a" * 500,
                                 "http://localhost.evil.org/"])
def test_receiver_urls_that_are_refused(url):
    with pytest.raises(ValidationError) as e:
        webhooks.check_url(url)
    assert "url" in e.value.fields


def test_event_types_are_checked_against_the_catalogue():
    assert webhooks.check_events(["resolved", "lodged", "resolved"]) == ("lodged", "resolved")
    for bad in (["warned"], ["nonsense"], [], "lodged", None, [1]):
        with pytest.raises(ValidationError):
            webhooks.check_events(bad)
