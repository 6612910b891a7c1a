"""Language choice: ?lang= sticks in the session, else the staff user's language, else the browser's."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from . import catalogue, charts
from .countries import profile
from .errors import N_
from .extensions import babel

# Texts shown through gettext(variable) whose source does not mark them, so extraction would not find
# them there: werkzeug's 404 description, and service messages not yet marked with N_ where they are
# raised (once a source marks its message, its line here can go).
UNMARKED_TEXTS = (
    N_("The requested URL was not found on the server. If you entered the URL manually please check your "
       "spelling and try again."),
    N_("The form expired or was not sent from this site. Reload the page and try again."),
    N_("Keep the description under 4000 characters."),
    N_("no grievance with that tracking code"),
    N_("the call has already ended"),
)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in languages:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(list(languages)) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return profile(current_app.config["COUNTRY"]).timezone


def current_language() -> str:
    """'en' or 'bn' (or another configured language) for the request being served."""
    return str(get_locale() or "en")


def init_i18n(app: Flask) -> None:
    # One catalogue for the whole app, kept in step with the sources by `make extract`.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", catalogue.DIRECTORY)
    app.config.setdefault("BABEL_DOMAIN", catalogue.DOMAIN)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    app.add_template_filter(localdate, "localdate")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(money, "money")
    app.add_template_filter(phone_display, "phone")
    app.add_template_global(chart_svg, "chart_svg")
    app.add_template_global(lang_switch_url, "lang_switch_url")
    app.add_template_global(currency_name, "currency_name")
    app.add_template_filter(lambda v, lang=None, percent=False: charts.number(v, lang or current_language(),
                                                                              percent=percent), "number")

    @app.context_processor
    def language_context():
        return {"lang": current_language(), "languages": app.config["LANGUAGES"]}


def lang_switch_url(code: str) -> str:
    """This page in another language: the same path and query (filters, page, code), `lang` replaced."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return request.path + "?" + urlencode(pairs)


def chart_svg(chart, lang: str | None = None):
    """A grs.charts.Chart drawn as inline SVG, its "no data" text in the reader's language."""
    from flask_babel import gettext

    from .security_headers import with_style_nonce

    # The chart's own <style> element is let through the page's Content-Security-Policy by its nonce.
    return with_style_nonce(charts.svg(chart, lang or current_language(),
                                       no_data=gettext("No figures for this selection yet.")))


def localdate(value, lang: str | None = None) -> str:
    """A date in the country's time zone, written for the reader's language ('5 Dec 2026', '৫ ডিসেম্বর ২০২৬')."""
    from zoneinfo import ZoneInfo

    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = value.astimezone(ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)).date()
    return catalogue.long_date(value, lang)


def money(value, lang: str | None = None, currency: str | None = None) -> str:
    """An amount in the country pack's currency (or `currency`), whole units, in the reader's language and
    digits: '৬০০৳', '600 F CFA', '₦ 600', 'BDT 600'."""
    if value is None:
        return ""
    return catalogue.money(value, currency or profile(current_app.config["COUNTRY"]).currency,
                           lang or current_language())


def currency_name(lang: str | None = None) -> str:
    """The pack's currency as the reader calls it ('taka' is 'বাংলাদেশী টাকা', XOF 'franc CFA (BCEAO)')."""
    from babel.numbers import get_currency_name

    return get_currency_name(profile(current_app.config["COUNTRY"]).currency, locale=lang or current_language())


def phone_display(value, region: str | None = None) -> str:
    """A phone number as the country writes it (grs.phones.display)."""
    from . import phones

    country = profile(current_app.config["COUNTRY"])
    return phones.display(value, region or country.phone_region or country.code)


def localtime(value, lang: str | None = None) -> str:
    """A date and time in the country's time zone ('5 Dec 2026, 14:05')."""
    from babel.dates import format_datetime
    from zoneinfo import ZoneInfo

    if value is None:
        return ""
    tz = ZoneInfo(profile(current_app.config["COUNTRY"]).timezone)
    lang = lang or "en"
    local = value.astimezone(tz)
    fmt = "d MMM yyyy, HH:mm" if lang == "en" else catalogue.day_pattern(lang, local.day) + ", HH:mm"
    return catalogue.native_digits(format_datetime(local, format=fmt, locale=lang), lang)
