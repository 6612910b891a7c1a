"""The batch sweep's text cache (escalation/batch.py Texts) writes what rendering each message afresh writes."""
from datetime import datetime, timezone
from types import SimpleNamespace

from jinja2 import DictLoader, Environment

from escalation.batch import Ref, Texts

TEMPLATES = {
    "forwarded": "GRS {{ code }}: went to {{ office.name_en }}.{% if grievance.due_at %} Answer by "
                 "{{ grievance.due_at.strftime('%d %b') }}.{% else %} No limit ({{ grievance.level }}).{% endif %}",
    "shout": "{{ code|replace(' ', '-') }} at {{ grievance.level }}",  # the code changed by a filter
    "person": "{{ code }} for {{ grievance.complainant.phone }}",  # a value that lives only for its batch
}


def renderer(calls: list):
    env = Environment(loader=DictLoader(TEMPLATES))

    def render(template, language, **context):
        calls.append(template)
        return " ".join(env.get_template(template).render(**context).split())
    return render


def case(code, due_day, level="union"):
    due = datetime(2026, 12, due_day, 18, tzinfo=timezone.utc) if due_day else None
    return SimpleNamespace(tracking_code=code, due_at=due, level=level,
                           complainant=SimpleNamespace(phone="01711000000"))


def test_a_cached_text_is_the_text_rendered_afresh_and_is_rendered_once_per_key():
    calls = []
    plain, texts = renderer([]), Texts(renderer(calls))
    office = Ref(name_en="Baria UP")
    grievances = [case(f"{i:012d}", 5 if i % 2 else None, "union" if i % 3 else "upazila") for i in range(40)]
    for g in grievances:
        code = " ".join(g.tracking_code[i:i + 4] for i in range(0, 12, 4))
        got = texts.render("forwarded", "en", code=code, grievance=g, office=office)
        assert got == plain("forwarded", "en", code=code, grievance=g, office=office)
        assert code in got
    # Keys: a deadline on the 5th (its level is never read), or none at a union or at an upazila. Each key's
    # first text is rendered twice (cached and checked), every later one not at all.
    assert len(calls) == 3 * 2


def test_a_template_that_changes_the_code_or_reads_a_passing_value_is_rendered_every_time():
    calls = []
    plain, texts = renderer([]), Texts(renderer(calls))
    for i in range(5):
        g = case(f"{i:012d}", 5)
        for template in ("shout", "person"):
            got = texts.render(template, "en", code=f"0000 0000 000{i}", grievance=g)
            assert got == plain(template, "en", code=f"0000 0000 000{i}", grievance=g)
    # Each is tried once (rendered twice: cached and checked), then rendered once a time.
    assert calls.count("shout") == 2 + 4 and calls.count("person") == 2 + 4
