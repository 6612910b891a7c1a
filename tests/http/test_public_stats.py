"""GET /public/stats: the country's and each district's figures without signing in, equal to the statistics
service's with sensitive cases left out, small counts withheld, cached, and linked from the home page."""
from __future__ import annotations

import re
from datetime import date, timedelta

import builders
import pytest
from builders import BARIA, BARMI, GAZIPUR

import grs.timeutil
from grs import statistics
from grs.extensions import db

PERIOD = statistics.StatsFilter(date_from=date(2025, 12, 1), date_to=date(2026, 11, 29))  # the pinned clock's 12 months


def headline(text: str) -> dict[str, str]:
    return dict(re.findall(r'<dd data-figure="(\w+)"[^>]*>([^<]*)</dd>', text))


def table(text: str, chart: str) -> dict[str, list[str]]:
    """A chart's table alternative: row label -> its cells."""
    body = re.search(rf'data-chart-table="{chart}">(.*?)</table>', text, re.S).group(1)
    return {label: re.findall(r"<td[^>]*>([^<]*)</td>", cells)
            for label, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', body, re.S)}


def service(app, area=None, group_by=None):
    with app.app_context():
        f = statistics.StatsFilter(PERIOD.date_from, PERIOD.date_to, area=area)
        return statistics.figures(db.session, f, group_by, now=grs.timeutil.utcnow(), include_sensitive=False)


def decided(app, world, n, *, area=BARIA, officer="officer_baria", reject=None, **kw):
    for _ in range(n):
        code = builders.lodge_in(app, area, **kw)
        if reject:
            builders.act_in(app, world, officer, code, "reject", reason_code=reject, note="Not ours.")
        else:
            builders.act_in(app, world, officer, code, "resolve", decision="upheld", resolution="Paid.")


def test_the_country_page_shows_the_services_figures_without_signing_in(app, client, world):
    decided(app, world, 8)  # OAA, Baria
    decided(app, world, 6, reject="unrelated", programme="WA")
    for _ in range(5):
        builders.lodge_in(app, BARMI, programme="DA")
    r = client.get("/public/stats")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    t = service(app)["total"]
    shown = headline(text)
    assert shown["received"] == str(t["received"]) == "19"
    assert shown["resolved"] == str(t["resolved"]) == "8"
    assert shown["rejected"] == str(t["rejected"]) == shown["unrelated"] == "6"
    assert shown["pending"] == str(t["pending"]) == "5"
    assert shown["within_limit_share"] == "100%" and t["within_limit_share"] == 1.0
    programmes = table(text, "programmes")
    assert programmes["Old Age Allowance"] == ["8", "8"] and programmes["Widow Allowance"] == ["6", "0"]
    assert programmes["Disability Allowance"] == ["5", "0"]
    tiers = table(text, "tiers")
    shares = service(app, group_by="level")["shares"]
    assert tiers["Union"] == ["57.1%"] and shares["resolved_at"] == {"union": 0.5714}
    assert tiers["Rejected as unrelated"] == ["42.9%"] and shares["rejected_unrelated"] == 0.4286
    assert sum(int(cells[0]) for cells in table(text, "months").values()) == 19
    assert "Rahima" not in text and "01712345678" not in text


def test_a_sensitive_grievance_is_never_counted(app, client, world):
    decided(app, world, 6)
    for _ in range(5):
        builders.lodge_in(app, BARIA, category="sea_gbv")
        builders.lodge_in(app, BARIA, category="corruption")
    with app.app_context():
        everything = statistics.figures(db.session, PERIOD, now=grs.timeutil.utcnow())["total"]
    assert everything["received"] == 16
    text = client.get("/public/stats").get_data(as_text=True)
    assert headline(text)["received"] == "6" and headline(text)["pending"] == "0"
    text = client.get(f"/public/stats?area={GAZIPUR}").get_data(as_text=True)
    assert headline(text)["received"] == "6"


def test_a_district_page_and_the_list_of_districts(app, client, world):
    decided(app, world, 7)
    text = client.get("/public/stats").get_data(as_text=True)
    assert f'href="/public/stats?area={GAZIPUR}"' in text and 'href="/public/stats?area=BD-DIS-47"' in text
    assert '<option value="BD-DIS-41">Gazipur</option>' in text
    r = client.get(f"/public/stats?area={GAZIPUR}")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "Complaint figures: Gazipur" in text
    assert '<option value="BD-DIS-41" selected>Gazipur</option>' in text
    t = service(app, GAZIPUR)["total"]
    assert headline(text)["received"] == str(t["received"]) == "7"
    assert headline(text)["resolved"] == str(t["resolved"]) == "7"
    assert headline(client.get("/public/stats?area=BD-DIS-47").get_data(as_text=True))["received"] == "0"


@pytest.mark.parametrize("code", ["NOPE", BARIA, "BD-DIV-6"])
def test_an_area_without_a_public_page_is_a_404_page_saying_so(client, world, code):
    r = client.get(f"/public/stats?area={code}")
    assert r.status_code == 404
    assert "There are no public figures for that area" in r.get_data(as_text=True)
    assert "এলাকার কোনো প্রকাশ্য পরিসংখ্যান নেই" in client.get(f"/public/stats?area={code}&lang=bn").get_data(as_text=True)


def test_a_cell_of_3_is_fewer_than_5_and_its_complement_is_not_shown(app, client, world):
    decided(app, world, 3, programme="WA")
    decided(app, world, 12, programme="OAA")
    decided(app, world, 7, programme="DA")
    text = client.get("/public/stats").get_data(as_text=True)
    programmes = table(text, "programmes")
    assert programmes["Widow Allowance"] == ["fewer than 5", "fewer than 5"]
    # 22 received in all: 22 - 12 would give the 3 back, so the next smallest (7) is withheld too.
    assert programmes["Disability Allowance"] == ["not shown", "not shown"]
    assert programmes["Old Age Allowance"] == ["12", "12"] and headline(text)["received"] == "22"
    assert 'class="num withheld" data-withheld>fewer than 5<' in text
    bn = client.get("/public/stats?lang=bn").get_data(as_text=True)
    assert table(bn, "programmes")["বিধবা ভাতা"][0] == "৫-এর কম"
    assert headline(bn)["received"] == "২২"


def test_a_share_built_on_a_small_count_is_not_shown(app, client, world):
    decided(app, world, 3)
    text = client.get(f"/public/stats?area={GAZIPUR}").get_data(as_text=True)
    shown = headline(text)
    assert shown["received"] == shown["resolved"] == "fewer than 5"
    assert shown["within_limit_share"] == shown["median_working_days"] == "not shown"
    assert table(text, "tiers")["Union"] == ["not shown"]
    assert "data-withheld" in text and ">3<" not in re.sub(r"<svg.*?</svg>", "", text, flags=re.S)


def test_public_caching_headers(client, world):
    r = client.get("/public/stats")
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in r.headers["Vary"].split(",")}
    # A response that sets the language cookie is for that reader only.
    assert client.get("/public/stats?lang=bn").headers["Cache-Control"] == "private, max-age=300"


def test_the_figures_are_cached_for_their_lifetime(app, client, world, pinned_clock):
    decided(app, world, 6)
    assert headline(client.get("/public/stats").get_data(as_text=True))["received"] == "6"
    decided(app, world, 4)
    assert headline(client.get("/public/stats").get_data(as_text=True))["received"] == "6"  # still cached
    try:
        grs.timeutil.fix_clock(pinned_clock + timedelta(seconds=299))
        assert headline(client.get("/public/stats").get_data(as_text=True))["received"] == "6"
        grs.timeutil.fix_clock(pinned_clock + timedelta(seconds=301))
        assert headline(client.get("/public/stats").get_data(as_text=True))["received"] == "10"
    finally:
        grs.timeutil.fix_clock(pinned_clock)


@pytest.mark.config(TRACK_RATE_LIMIT=2)
def test_rate_limited_like_the_track_page(client, world):
    assert [client.get("/public/stats").status_code for _ in range(3)] == [200, 200, 429]


def test_the_home_page_links_here_and_shows_the_same_resolved_figure(app, client, world):
    decided(app, world, 6)
    decided(app, world, 5, reject="unrelated")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/public/stats"' in home
    resolved = re.search(r"<dt>Complaints resolved</dt><dd>([^<]*)</dd>", home).group(1)
    assert resolved == headline(client.get("/public/stats").get_data(as_text=True))["resolved"] == "6"
    assert "<dt>Complaints received</dt><dd>11</dd>" in home  # the rejections are received, not resolved


def test_a_withheld_district_cannot_be_worked_out_from_the_country_and_the_other_district(app, client, world):
    for _ in range(3):
        builders.lodge_in(app, BARIA)  # Gazipur: 3
    for _ in range(8):
        builders.lodge_in(app, "BD-UN-3271")  # Savar, Dhaka district: 8
    country = headline(client.get("/public/stats").get_data(as_text=True))
    gazipur = headline(client.get(f"/public/stats?area={GAZIPUR}").get_data(as_text=True))
    dhaka = headline(client.get("/public/stats?area=BD-DIS-47").get_data(as_text=True))
    assert country["received"] == "11" and gazipur["received"] == "fewer than 5"
    # 11 - 8 would give Gazipur's 3 back: Dhaka's 8 is withheld on its own page too.
    assert dhaka["received"] == "not shown"
    assert dhaka["pending"] == "not shown" and country["pending"] == "11"
