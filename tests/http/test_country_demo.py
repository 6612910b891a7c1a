"""Nigeria, Mali and Somalia from nothing: `db upgrade`, `demo`, then a complaint through the API, the web form,
SMS and USSD at a lowest-tier area, each at that area's office on the pack's tiers, due after that country's
weekend and public holidays, with its receipt in the pack's default language (issue 13)."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import holidays
import pytest
import sqlalchemy as sa

import grs.demo
import grs.timeutil
from grs.countries import profile, read_json
from grs.extensions import db
from grs.models import Area, Category, Grievance, Office, OutboxMessage, Programme, Tier

AT_SMS = "/hooks/sms/africastalking?key=at-test-key"
AT_USSD = "/hooks/ussd/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
CODE = re.compile(r"\d{4} ?\d{4} ?\d{4}")
RESOLVE_DAYS = 7  # the packs' policies.json: every tier below the third, grievance clock


@dataclass(frozen=True)
class Case:
    now: datetime  # a working morning whose next 7 working days span the weekend and a public holiday
    path: tuple[str, ...]  # area codes below the country, top first; the last is at the lowest tier
    sms: str  # a complaint naming the lowest-tier area
    phone: str
    due: date  # the 7th working day after `now`, local


CASES = {
    # Monday 21 December 2026, 09:00 in Lagos: Christmas (Fri 25), Boxing Day observed (Mon 28) and New Year's Day
    # (Fri 1 January) are public holidays, Saturdays and Sundays the weekend.
    "NG": Case(datetime(2026, 12, 21, 8, 0, tzinfo=timezone.utc),
               ("NG-IM", "NG-IM-OWERRI-NORTH", "NG-IM-OWERRI-NORTH-02"),
               "Naze ward: my cash transfer has not been paid for two cycles", "+2348031234567", date(2027, 1, 4)),
    # Monday 21 December 2026, 09:00 in Bamako: Christmas (Fri 25) and New Year's Day; weekend Saturday, Sunday.
    "ML": Case(datetime(2026, 12, 21, 9, 0, tzinfo=timezone.utc),
               ("ML-KAYES", "ML-KAYES-KAYES", "ML-KAYES-KAYES-KHOULOUM"),
               "Khouloum : je n'ai pas reçu mon transfert monétaire", "+22376123456", date(2026, 12, 31)),
    # Sunday 28 June 2026, 09:00 in Mogadishu (a working day): the weekend is Thursday and Friday, 1 July (Wed) is
    # Republic Day.
    "SO": Case(datetime(2026, 6, 28, 6, 0, tzinfo=timezone.utc), ("SO-BRA", "SO-BN", "SO-BN-HODAN"),
               "Hodan: lacagta Baxnaano laba bixin lama i siin", "+252612345678", date(2026, 7, 8)),
}


def working_days_after(code: str, start: date, days: int) -> tuple[date, set[date], set[date]]:
    """The `days`-th working day after `start` by the pack's weekend and the `holidays` package, and the
    weekend days and holidays skipped on the way (an oracle independent of escalation.sla)."""
    prof, off = profile(code), holidays.country_holidays(code, years=range(start.year, start.year + 2))
    d, left, weekend, holiday = start, days, set(), set()
    while left:
        d += timedelta(days=1)
        if d.weekday() in prof.weekend:
            weekend.add(d)
        elif d in off:
            holiday.add(d)
        else:
            left -= 1
    return d, weekend, holiday


@pytest.fixture
def clock(pinned_clock):
    """Pin grs.timeutil.utcnow() where a test says (and back to the suite's instant afterwards)."""
    yield grs.timeutil.fix_clock
    grs.timeutil.fix_clock(pinned_clock)


def ussd_options(screen: str) -> dict[str, str]:
    """A menu screen's choices, label -> key ("1 National Cash Transfer." -> "1"); the navigation line is not."""
    out = {}
    for line in screen.splitlines()[1:]:
        m = re.match(r"^(\d+)[ .)]+(.+)$", line.strip())
        if m and " 00 " not in f" {line} ":
            out[m.group(2).strip()] = m.group(1)
    return out


def ussd_key(screen: str, names: set[str]) -> str | None:
    """The key of the choice naming one of `names` (a long name may be cut and end in '.' or '…')."""
    opts = ussd_options(screen)
    for label, key in opts.items():
        if label in names:
            return key
    for label, key in opts.items():
        stem = label.rstrip(".…").strip()
        if len(stem) >= 4 and any(n.startswith(stem) for n in names):
            return key
    return None


class UssdCaller:
    def __init__(self, client, phone: str, session_id: str):
        self.client, self.phone, self.session_id, self.sent = client, phone, session_id, []

    def send(self, answer: str | None) -> str:
        if answer is not None:
            self.sent.append(answer)
        r = self.client.post(AT_USSD, data={"sessionId": self.session_id, "serviceCode": "*384*333#",
                                            "phoneNumber": self.phone, "networkCode": "62130",
                                            "text": "*".join(self.sent)})
        assert r.status_code == 200
        return r.get_data(as_text=True)

    def choose(self, screen: str, names: set[str]) -> str:
        """Pick the named choice, paging with 98 (More) until it shows."""
        for _ in range(40):
            key = ussd_key(screen, names)
            if key is not None:
                return self.send(key)
            assert " 98 " in f" {screen.replace(chr(10), ' ')} ", f"{names} not offered:\n{screen}"
            screen = self.send("98")
        raise AssertionError(f"{names} not found")


def names_of(row) -> set[str]:
    return {row.name_en, *(row.names or {}).values()}


@pytest.mark.committing_db
@pytest.mark.parametrize("app, code", [({"COUNTRY": c}, c) for c in CASES], indirect=["app"], ids=list(CASES))
def test_a_country_runs_from_an_empty_database_and_takes_complaints_on_every_channel(app, runner, client, clock,
                                                                                      monkeypatch, code):
    case, prof = CASES[code], profile(code)
    lang = prof.default_language
    area = case.path[-1]
    lowest = prof.tiers[0][0]
    clock(case.now)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    assert (r := runner.invoke(args=["db", "upgrade"])).exit_code == 0, r.output
    monkeypatch.setattr(grs.demo, "SAMPLE_COUNT", 25)  # the whole year is test_cli's (slow) proof; a month here
    first = runner.invoke(args=["demo", "--now", case.now.isoformat()])
    assert first.exit_code == 0, first.output
    assert "grievances: 25 new, 25 in all" in first.output and "offices created" in first.output
    again = runner.invoke(args=["demo", "--now", case.now.isoformat()])
    assert again.exit_code == 0 and "grievances: 0 new, 25 in all" in again.output

    spec = read_json(code, "demo.json")
    operator = next(a["email"] for a in spec["accounts"] if a["role"] == "operator")
    with app.app_context():
        # the tiers are the pack's, named in each of its languages
        tiers = {t.code: t for t in db.session.scalars(sa.select(Tier))}
        assert [t for t, *_ in prof.tiers] == sorted(tiers, key=lambda t: tiers[t].rank)
        for tier in tiers.values():
            for language in prof.languages:
                assert tier.name(language) == prof.tier_name(tier.code, language)
        programme = db.session.execute(sa.text("SELECT code, name_en, names FROM programmes ORDER BY id")).first()
        demo_receipts = {m.language for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.template == "receipt"))}
    assert demo_receipts <= set(prof.languages)
    token = runner.invoke(args=["create-token", "--email", operator]).output.strip()
    bearer = {"Authorization": f"Bearer {token}"}

    # --- the API, in the pack's default language (Somali on a Somali site); another country's is a 422
    body = {"channel": "api", "programme": programme.code, "category": "payment", "area": area, "language": lang,
            "description": spec["descriptions"][lang][0],
            "complainant": {"name": spec["names"][0], "phone": case.phone, "gender": "female"}}
    foreign = "bn"
    refused = client.post("/api/v1/grievances", json={**body, "language": foreign}, headers=bearer)
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert "language" in refused.get_data(as_text=True)
    r = client.post("/api/v1/grievances", json=body, headers=bearer)
    assert r.status_code == 201, r.get_data(as_text=True)
    codes = {"api": r.get_json()["tracking_code"]}

    # --- the web form, in the site's default language
    page = html.unescape(client.get("/grievances/new").get_data(as_text=True))
    assert f'<html lang="{lang}"' in page
    for i, (_level, _en, _local) in enumerate(prof.levels[1:], start=1):  # the picker names the pack's levels
        assert re.search(rf'<label for="area_{i}">\s*{re.escape(prof.level_name(_level, lang))}', page), _level
    form = {"programme": programme.code, "category": "payment", "description": spec["descriptions"][lang][1],
            "name": spec["names"][1], "phone": case.phone[:-1] + "8", "sex": "female", "age_band": "35_59",
            "disability": ""}
    form.update({f"area_{i}": a for i, a in enumerate(case.path, start=1)})
    r = client.post("/grievances/new", data=form)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    shown = html.unescape(client.get(r.headers["Location"]).get_data(as_text=True))
    codes["web"] = CODE.search(shown).group(0).replace(" ", "")
    with app.app_context():
        office = db.session.scalar(sa.select(Office).where(Office.code == f"OFF-{area}"))
        assert office.name(lang) in shown  # the office that holds it, in the reader's language

    # --- SMS naming the place
    sms_phone = case.phone[:-1] + "7"
    r = client.post(AT_SMS, data=urlencode({"from": sms_phone, "to": "21356", "text": case.sms,
                                            "date": "2026-06-01 10:00:00", "id": f"ATXid_{code}", "linkId": ""}),
                    content_type=FORM)
    assert r.status_code == 200, r.get_data(as_text=True)

    # --- USSD through the lists, the default language's menu
    with app.app_context():
        prog = db.session.scalar(sa.select(Programme).where(Programme.code == programme.code))
        cat = db.session.scalar(sa.select(Category).where(Category.code == "payment"))
        steps = [names_of(prog), names_of(cat)]
        steps += [names_of(db.session.scalar(sa.select(Area).where(Area.code == a))) for a in case.path]
    caller = UssdCaller(client, case.phone[:-1] + "6", f"ATUid_{code}")
    caller.send(None)
    screen = caller.send("1")
    for names in steps:
        screen = caller.choose(screen, names)
    screen = caller.send(spec["descriptions"][lang][2][:100])
    for _ in range(3):  # the confirmation screen: 1 sends
        if screen.startswith("END"):
            break
        screen = caller.send("1")
    assert screen.startswith("END") and CODE.search(screen), screen
    codes["ussd"] = CODE.search(screen).group(0).replace(" ", "")

    due, weekend, holiday = working_days_after(code, case.now.astimezone(ZoneInfo(prof.timezone)).date(), RESOLVE_DAYS)
    assert due == case.due and weekend and holiday  # the window crosses both
    with app.app_context():
        lodged = {g.channel: g for g in db.session.scalars(
            sa.select(Grievance).where(Grievance.source_ref.is_(None) | ~Grievance.source_ref.startswith("demo-")))}
        assert set(lodged) == {"api", "web", "sms", "ussd"}, {c: g.tracking_code for c, g in lodged.items()}
        for channel, g in lodged.items():
            if channel in codes:
                assert g.tracking_code == codes[channel]
            assert g.area.code == area, channel
            assert (g.office.code, g.level, g.office.tier) == (f"OFF-{area}", lowest, lowest), channel
            assert g.due_at.astimezone(ZoneInfo(prof.timezone)).date() == case.due, channel
            # the office is named in the pack's languages, not in Bangla
            assert "bn" not in (g.office.names or {})
            receipts = db.session.scalars(sa.select(OutboxMessage).where(
                OutboxMessage.grievance_id == g.id, OutboxMessage.template == "receipt")).all()
            assert len(receipts) == 1, channel
            # every channel answers in the pack's default language: the API and the web form lodge in it, an
            # SMS in plainly French or Somali words is kept in that language, USSD starts in it
            assert receipts[0].language == lang == g.language, channel
            assert ("complaint received" in receipts[0].body) == (lang == "en"), receipts[0].body  # its own words
            assert "bn" not in receipts[0].language


@pytest.mark.parametrize("app", [{"COUNTRY": "ML"}], indirect=True)
def test_a_countrys_demo_refuses_a_database_that_holds_another_country(app, runner, world):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "this database holds BD's areas, not ML's" in result.output


def test_a_language_the_site_does_not_speak_is_a_422_naming_the_ones_it_does(client, auth):
    body = {"channel": "api", "programme": "OAA", "category": "payment", "area": "BD-UN-2869", "language": "so",
            "description": "Lacagta lama i siin.", "complainant": {"name": "Faadumo Cali", "phone": "01712345678"}}
    r = client.post("/api/v1/grievances", json=body, headers=auth("operator"))
    assert r.status_code == 422
    assert "language" in r.get_data(as_text=True) and "en, bn" in r.get_data(as_text=True)
