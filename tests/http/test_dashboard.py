"""The dashboard (/dashboard/): who may open it and how far it reaches, its filters, bad input, every figure
equal to GET /api/v1/stats for the same filters, the exports and the printable report."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import builders
import openpyxl
import pytest
from builders import BARIA, BARMI, BASAN, GAZIPUR, SADAR, T0

from grs.charts import number

FIGURE = re.compile(r'data-figure="(\w+)">([^<]*)<')


def shown(r) -> dict[str, str]:
    """The headline figures as the page shows them."""
    return dict(FIGURE.findall(r.get_data(as_text=True)))


def expected(total: dict, lang: str = "en") -> dict[str, str]:
    """The API's `total` as the page should write it."""
    percent = {"within_limit_share", "escalation_rate", "appeal_rate", "satisfaction_rate"}
    keys = ("received", "resolved", "rejected", "pending", "overdue", "within_limit_share", "median_working_days",
            "mean_working_days", "ack_breached", "escalation_rate", "appeal_rate", "satisfaction_rate")
    out = {k: number(total[k], lang, percent=k in percent) for k in keys}
    out["rejected_unrelated"] = number(total["rejected_by_reason"]["unrelated"], lang)
    return out


def api(client, auth, who, **params):
    r = client.get("/api/v1/stats", query_string=params, headers=auth(who))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def page_text(r) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


@pytest.fixture
def cases(app, world):
    """Baria: one resolved in time, one rejected as unrelated, one open, one sensitive (at the district);
    Basan: one resolved late; Barmi (Sreepur, outside Gazipur Sadar): one open, lodged in April by SMS."""
    a = builders.lodge_in(app, BARIA)
    b = builders.lodge_in(app, BARIA, category="other")
    builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BARIA, category="corruption")
    c = builders.lodge_in(app, BASAN)
    builders.lodge_in(app, BARMI, channel="sms", now=T0 + timedelta(days=40))
    builders.act_in(app, world, "officer_baria", a, "resolve", decision="upheld", resolution="Paid.",
                    now=T0 + timedelta(hours=3))
    builders.act_in(app, world, "officer_baria", b, "reject", reason_code="unrelated", note="About a road.",
                    now=T0 + timedelta(hours=3))
    builders.act_in(app, world, "officer_basan", c, "resolve", decision="upheld", resolution="Paid.",
                    now=T0 + timedelta(days=30))
    return a


# ---------------------------------------------------------------- who may open it, how far it reaches


@pytest.mark.parametrize("who, status", [
    ("analyst", 200), ("supervisor", 200), ("supervisor_sadar", 200), ("admin", 200),
    ("officer_baria", 403), ("officer_national", 403), ("operator", 403), ("facilitator", 403),
])
def test_only_roles_with_the_dashboard_open_it(client_as, who, status):
    r = client_as(who).get("/dashboard/?lang=en")
    assert r.status_code == status
    if status == 403:
        assert "Your role does not include the statistics dashboard." in page_text(r)
        assert client_as(who).get("/dashboard/export/summary.csv").status_code == 403


def test_signing_in_comes_first(client, world):
    r = client.get("/dashboard/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_staff_menu_links_it_for_those_who_may_open_it(client_as):
    assert 'href="/dashboard/"' in client_as("analyst").get("/cases/?lang=en").get_data(as_text=True)
    assert 'href="/dashboard/"' not in client_as("officer_baria").get("/cases/?lang=en").get_data(as_text=True)


def test_an_upazila_supervisor_sees_only_their_subtree(client, client_as, auth, cases):
    c = client_as("supervisor_sadar")
    r = c.get("/dashboard/?lang=en")
    assert r.status_code == 200
    figures = shown(r)
    assert figures == expected(api(client, auth, "supervisor_sadar")["total"])
    assert figures["received"] == "4"  # Baria's three (the sensitive one is not theirs to see) and Basan's one
    text = page_text(r)
    assert "Gazipur Sadar" in text and "Sreepur" not in text
    # The drill-down lists Sadar's unions; another upazila's area is refused, on the form, not with a 500.
    assert f'data-area="{BARIA}"' in r.get_data(as_text=True)
    r = c.get(f"/dashboard/?lang=en&area={GAZIPUR}")
    assert r.status_code == 403
    assert "That area is outside the area you cover." in page_text(r) and "data-figure" not in r.get_data(as_text=True)


def test_sensitive_cases_count_only_for_roles_that_may_see_them(client, client_as, auth, cases):
    admin = shown(client_as("admin").get(f"/dashboard/?lang=en&area={SADAR}"))
    analyst = shown(client_as("analyst").get(f"/dashboard/?lang=en&area={SADAR}"))
    assert (admin["received"], analyst["received"]) == ("5", "4")
    assert admin == expected(api(client, auth, "admin", area=SADAR)["total"])
    assert analyst == expected(api(client, auth, "analyst", area=SADAR)["total"])


# ---------------------------------------------------------------- the figures are the API's


@pytest.mark.parametrize("params", [
    {}, {"area": SADAR}, {"area": BARIA}, {"programme": "OAA", "category": "payment"}, {"channel": "sms"},
    {"from": "2026-03-01", "to": "2026-03-31"}, {"from": "2026-04-01"}, {"sex": "female", "age_band": "60_plus"},
    {"disability": "false"}, {"min_cases": "1"},
])
def test_every_headline_figure_equals_the_api(client, client_as, auth, cases, params):
    r = client_as("admin").get("/dashboard/", query_string={**params, "lang": "en"})
    assert r.status_code == 200
    assert shown(r) == expected(api(client, auth, "admin", **params)["total"])


def test_the_charts_tables_are_the_apis_groups(client, client_as, auth, cases):
    body = client_as("admin").get(f"/dashboard/?lang=en&area={GAZIPUR}&min_cases=1").get_data(as_text=True)
    levels = api(client, auth, "admin", area=GAZIPUR, group_by="level")["shares"]

    def table(chart_id):
        part = body.split(f'data-chart-table="{chart_id}"')[1].split("</table>")[0]
        return [(html.unescape(th), cells) for th, cells in
                ((m[0], re.findall(r'<td class="num">([^<]*)</td>', m[1]))
                 for m in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', part, re.S))]
    tiers = dict((label, cells[0]) for label, cells in table("tiers"))
    assert tiers["Resolved at Union"] == number(levels["resolved_at"]["union"], "en", percent=True) == "66.7%"
    assert tiers["Rejected as unrelated"] == number(levels["rejected_unrelated"], "en", percent=True) == "33.3%"
    league = api(client, auth, "admin", area=GAZIPUR, group_by="office", min_cases="1")["league"]["ranked"]
    offices = table("offices")
    assert [cells[0] for _, cells in offices] == [number(e["within_limit_share"], "en", percent=True) for e in league]
    assert offices[0][0].startswith("1. ")
    months = api(client, auth, "admin", area=GAZIPUR, group_by="month")["groups"]
    assert [cells for _, cells in table("trend")] == [[str(g["received"]), str(g["resolved"])] for g in months]


def test_the_league_says_which_offices_were_left_out(client_as, cases):
    text = page_text(client_as("admin").get("/dashboard/?lang=en"))
    assert "Only offices with at least 20 decisions" in text
    assert re.search(r"Not ranked, too few decisions:\s+Baria Union Parishad GRS \(2\), Basan", text)


def test_a_long_league_charts_its_two_ends_and_points_to_the_download(app, world, client, client_as, auth, cases,
                                                                     monkeypatch):
    """A country ranks thousands of offices: the chart shows the highest and lowest (here 1 each, of 3 ranked
    with min_cases=1), and the page says where the whole league is; the not-ranked list is cut short too."""
    from grs.dashboard import board
    up = builders.lodge_in(app, BASAN)  # a third office decides: the upazila's
    builders.act_in(app, world, "officer_basan", up, "escalate", note="Needs the upazila.", now=T0)
    builders.act_in(app, world, "officer_sadar", up, "resolve", decision="upheld", resolution="Paid.",
                    now=T0 + timedelta(days=1))
    league = api(client, auth, "admin", area=GAZIPUR, group_by="office", min_cases="1")["league"]["ranked"]
    assert len(league) == 3
    monkeypatch.setattr(board, "LEAGUE_ENDS", 1)
    body = client_as("admin").get(f"/dashboard/?lang=en&area={GAZIPUR}&min_cases=1").get_data(as_text=True)
    part = body.split('data-chart-table="offices"')[1].split("</table>")[0]
    rows = [html.unescape(th) for th in re.findall(r'<th scope="row">(.*?)</th>', part)]
    assert [r.split(". ")[0] for r in rows] == ["1", "3"]
    assert "the 1 highest and 1 lowest ranked offices" in body
    assert "All 3 ranked offices, with every figure, are in the" in html.unescape(body)
    monkeypatch.setattr(board, "LEFT_OUT_NAMED", 1)
    text = page_text(client_as("admin").get("/dashboard/?lang=en"))
    assert re.search(r"Not ranked, too few decisions:\s+Baria Union Parishad GRS \(2\), and \d+ more offices", text)


def test_the_drill_down_links_each_area_to_the_same_filters_with_a_way_back_up(client, client_as, auth, cases):
    c = client_as("admin")
    body = c.get(f"/dashboard/?lang=en&area={GAZIPUR}&programme=OAA").get_data(as_text=True)
    groups = {g["key"]: g for g in api(client, auth, "admin", area=GAZIPUR, programme="OAA", group_by="area")["groups"]}
    row = body.split(f'data-area="{SADAR}"')[1].split("</tr>")[0]
    assert f"/dashboard/?programme=OAA&amp;area={SADAR}" in row
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:5] == [
        str(groups[SADAR][k]) for k in ("received", "resolved", "rejected", "pending", "overdue")]
    body = c.get(f"/dashboard/?lang=en&area={BARIA}&programme=OAA").get_data(as_text=True)
    crumbs = body.split('class="crumbs"')[1].split("</nav>")[0]
    assert 'href="/dashboard/?programme=OAA"' in crumbs  # the country: no area filter
    assert f'href="/dashboard/?programme=OAA&amp;area={SADAR}"' in crumbs
    assert 'aria-current="page">Baria' in crumbs


def test_bangla_pages_write_numbers_in_bangla_digits(client, client_as, auth, cases):
    r = client_as("admin").get("/dashboard/?lang=bn")
    assert r.status_code == 200
    assert shown(r) == expected(api(client, auth, "admin")["total"], "bn")
    assert shown(r)["received"] == "৬"
    assert "প্রধান পরিসংখ্যান" in r.get_data(as_text=True)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("params, field, message", [
    ({"from": "2026-13-01"}, "from", "Use a date as YYYY-MM-DD."),
    ({"to": "yesterday"}, "to", "Use a date as YYYY-MM-DD."),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "from", "The start date must not be after the end date."),
    ({"channel": "pigeon"}, "channel", "Choose one from the list."),
    ({"disability": "maybe"}, "disability", "Choose one from the list."),
    ({"programme": "NOPE"}, "programme", "Choose one from the list."),
    ({"area": "NOPE"}, "area", "Choose one from the list."),
    ({"area": "<script>"}, "area", "Choose one from the list."),
    ({"min_cases": "-1"}, "min_cases", "Use a whole number of cases, 0 or more."),
])
def test_bad_filters_are_a_400_page_with_the_message_on_the_field(client_as, world, params, field, message):
    r = client_as("analyst").get("/dashboard/", query_string={**params, "lang": "en"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "data-figure" not in body
    assert re.search(rf'<label for="{field}">.*?</label>\s*<[^>]*aria-invalid="true"', body, re.S)
    assert message in page_text(r)
    r = client_as("analyst").get("/dashboard/export/summary.csv", query_string=params)
    assert r.status_code == 400 and message in page_text(r)


# ---------------------------------------------------------------- exports


def csv_of(r) -> list[dict]:
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def xlsx_of(r) -> list[dict]:
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


@pytest.mark.parametrize("name", ["summary", "level", "area", "office", "month", "sex"])
def test_each_statistics_table_is_the_apis_table(client, client_as, auth, cases, name):
    params = {"area": GAZIPUR, "from": "2026-03-01", "to": "2026-03-31"}
    group = {} if name == "summary" else {"group_by": name}
    r = client_as("supervisor").get(f"/dashboard/export/{name}.csv", query_string=params)
    mine = csv_of(r)  # read each streamed answer before the next request
    assert r.headers["Content-Type"].startswith("text/csv")
    assert f"statistics-{name}-" in r.headers["Content-Disposition"]
    theirs = csv_of(client.get("/api/v1/stats", query_string={**params, **group, "format": "csv"},
                               headers=auth("supervisor")))
    assert mine == theirs and len(mine) >= 1
    excel = xlsx_of(client_as("supervisor").get(f"/dashboard/export/{name}.xlsx", query_string=params))
    assert [str(row["key"]) for row in excel] == [row["key"] for row in theirs]


def test_the_grievance_list_has_personal_data_only_for_roles_that_may_see_it(client_as, cases):
    admin = csv_of(client_as("admin").get(f"/dashboard/export/grievances.csv?area={SADAR}"))
    analyst = csv_of(client_as("analyst").get(f"/dashboard/export/grievances.csv?area={SADAR}"))
    assert len(admin) == 5 and len(analyst) == 4  # the sensitive one only for the admin
    assert admin[0]["complainant_phone"] and "complainant_phone" not in analyst[0]
    excel = xlsx_of(client_as("analyst").get(f"/dashboard/export/grievances.xlsx?area={SADAR}"))
    assert sorted(r["tracking_code"] for r in excel) == sorted(r["tracking_code"] for r in analyst)
    assert "complainant_name" not in excel[0]


def test_the_grievance_list_takes_the_pages_filters(client_as, cases):
    c = client_as("admin")
    assert [r["channel"] for r in csv_of(c.get("/dashboard/export/grievances.csv?channel=sms"))] == ["sms"]
    assert len(csv_of(c.get("/dashboard/export/grievances.csv?from=2026-04-01"))) == 1
    assert len(csv_of(c.get("/dashboard/export/grievances.csv?category=other"))) == 1
    assert len(csv_of(c.get("/dashboard/export/grievances.csv?sex=male"))) == 0
    assert len(csv_of(c.get("/dashboard/export/grievances.csv?age_band=60_plus"))) == 6
    r = client_as("supervisor_sadar").get(f"/dashboard/export/grievances.csv?area={BARMI}")
    assert r.status_code == 403 and "outside" in page_text(r)
    for path in ("/dashboard/export/grievances.pdf", "/dashboard/export/weekday.csv"):
        r = c.get(path)
        assert r.status_code == 404 and r.get_data()


# ---------------------------------------------------------------- the printable report


def test_the_monthly_report_shows_the_period_area_and_the_apis_figures(client, client_as, auth, cases):
    r = client_as("supervisor").get(f"/dashboard/report?lang=en&month=2026-03&area={SADAR}")
    assert r.status_code == 200
    text = page_text(r)
    assert "Grievance redress report: March 2026" in text
    assert re.search(r"Area\s+Gazipur Sadar", text) and re.search(r"Printed\s+29 Nov 2026", text)
    assert 'Save as PDF' in text
    assert shown(r) == expected(api(client, auth, "supervisor", area=SADAR, **{"from": "2026-03-01",
                                                                               "to": "2026-03-31"})["total"])
    assert "css/dashboard.css" in r.get_data(as_text=True)


def test_the_quarterly_report_follows_the_countrys_reporting_year(client, client_as, auth, cases):
    # Bangladesh reports by the fiscal year from July: 2025-26 Q3 is January to March 2026.
    r = client_as("admin").get("/dashboard/report?lang=en&quarter=2025-26-Q4")
    assert r.status_code == 200
    assert "2025-26 Q4 (1 Apr 2026 – 30 Jun 2026)" in page_text(r)
    assert shown(r) == expected(api(client, auth, "admin", **{"from": "2026-04-01", "to": "2026-06-30"})["total"])
    assert shown(r)["received"] == "1"


@pytest.mark.parametrize("query, message", [
    ("month=2026-13", "Use a month as YYYY-MM."), ("month=March", "Use a month as YYYY-MM."),
    ("quarter=2026-Q1", "Choose a quarter from the list."), ("quarter=2025-27-Q1", "Choose a quarter from the list."),
    ("month=2026-03&quarter=2025-26-Q3", "Choose a month or a quarter, not both."),
])
def test_a_bad_period_is_a_400_with_the_message(client_as, world, query, message):
    r = client_as("analyst").get(f"/dashboard/report?lang=en&{query}")
    assert r.status_code == 400 and message in page_text(r)


def test_the_report_without_a_period_offers_the_choice(client_as, world):
    r = client_as("analyst").get("/dashboard/report?lang=en")
    assert r.status_code == 200 and "Choose a month or a reporting quarter above." in page_text(r)
    assert 'value="2026-27-Q2"' in r.get_data(as_text=True)  # 29 November 2026 is in 2026-27's second quarter
