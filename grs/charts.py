"""Charts for the statistics pages, drawn on the server as SVG by pygal: nothing to download, no script,
the same picture on screen, at 360 px and on paper.

A chart is a `Chart` (title, labels, series); `svg()` draws it and the page shows the same `Chart` as
a table (templates/_charts.html), so the picture and its text alternative cannot disagree. Numbers
are written in the reader's language (Bangla digits in Bangla).
"""
from __future__ import annotations

import math

import re
from dataclasses import dataclass, field
from typing import Sequence

import pygal
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup
from pygal.style import Style

from .catalogue import native_digits

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
KINDS = ("bar", "hbar", "line", "stacked")
# Okabe–Ito: told apart by people with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "system-ui,'Noto Sans Bengali','Noto Sans',sans-serif"


@dataclass(frozen=True)
class Series:
    """`hidden`: per value, whether it is withheld (a small count, grs/suppression.py): no bar is drawn
    and the table says the chart's `hidden_text` instead of a number, or the value's own text if given."""

    name: str
    values: Sequence[float | int | None]
    hidden: Sequence[bool | str | None] = ()


class Withheld(str):
    """A table cell written instead of a withheld value (the template marks it)."""

    withheld = True


@dataclass(frozen=True)
class Chart:
    """What a chart shows. `percent`: values are shares 0..1, written as percentages."""

    id: str
    title: str
    kind: str
    labels: Sequence[str]
    series: Sequence[Series] = field(default_factory=tuple)
    percent: bool = False
    label_heading: str = ""
    hidden_text: str = "–"  # what the table says for a withheld value

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for s in self.series:
            if len(s.values) != len(self.labels):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.labels)} labels")
            if s.hidden and len(s.hidden) != len(s.values):
                raise ValueError(f"series {s.name!r} marks {len(s.hidden)} of {len(s.values)} values hidden or not")

    @property
    def empty(self) -> bool:
        return not self.labels or all(v in (None, 0) and not (s.hidden and s.hidden[i])
                                      for s in self.series for i, v in enumerate(s.values))

    def rows(self, lang: str = "en") -> list[tuple[str, list[str]]]:
        """The table alternative: one row per label, one formatted cell per series."""
        def cell(s: Series, i: int) -> str:
            withheld = s.hidden[i] if s.hidden else None
            if withheld:
                return Withheld(withheld if isinstance(withheld, str) else self.hidden_text)
            return number(s.values[i], lang, percent=self.percent)
        return [(label, [cell(s, i) for s in self.series]) for i, label in enumerate(self.labels)]


def number(value, lang: str = "en", *, percent: bool = False) -> str:
    """A count or share as the reader writes it ('1,234', '১,২৩৪', '66.7%'); '–' for no value."""
    if value is None:
        return "–"
    if percent:
        return native_digits(format_percent(value, format="#,##0.#%", locale=lang), lang)
    return native_digits(format_decimal(value, locale=lang), lang)


def svg(chart: Chart, lang: str = "en", *, no_data: str = "No data") -> Markup:
    """The chart as an inline SVG element (scales to its container; hidden from screen readers, which
    read the table next to it)."""
    style = Style(background="#ffffff", plot_background="#ffffff", foreground="#1b1b1b",
                  foreground_strong="#1b1b1b", foreground_subtle="#767676", colors=PALETTE,
                  font_family=FONT, label_font_size=13, major_label_font_size=13, value_font_size=12,
                  legend_font_size=13, title_font_size=15, no_data_font_size=16, tooltip_font_size=13)
    kind = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "line": pygal.Line, "stacked": pygal.StackedBar}[chart.kind]
    many = len(chart.labels) > 6
    # A narrow canvas keeps text readable when the page is 360 px wide; horizontal bars take the height they need.
    height = max(260, 32 * len(chart.labels) + 90) if chart.kind == "hbar" else 300
    drawing = kind(
        js=[], css=["file://style.css", "file://graph.css"], disable_xml_declaration=True, explicit_size=False,
        width=480, height=height, style=style, show_legend=len(chart.series) > 1, legend_at_bottom=True,
        legend_at_bottom_columns=min(3, max(1, len(chart.series))), truncate_legend=-1, truncate_label=-1,
        x_label_rotation=40 if many and chart.kind != "hbar" else 0, print_values=False, show_y_guides=True,
        value_formatter=lambda v: number(v, lang, percent=chart.percent), no_data_text=no_data,
        range=(0, 1) if chart.percent else None, margin=8, spacing=8, dots_size=3)
    drawing.x_labels = list(chart.labels)
    if chart.percent:
        drawing.y_labels = [0, 0.25, 0.5, 0.75, 1]
    else:  # counts: whole-number ticks (pygal's own for a top of 3 would read 0, 0.5, 1, ... 3)
        top = max((float(v) for s in chart.series for v in s.values if v is not None), default=0)
        if top <= 10:
            drawing.y_labels = list(range(0, max(1, math.ceil(top)) + 1))
    for s in chart.series:
        drawing.add(s.name, [None if v is None or (s.hidden and s.hidden[i]) else float(v)
                             for i, v in enumerate(s.values)])
    # pygal always writes a script holding its settings, for tooltips drawn by a script we do not serve;
    # the picture needs neither (and a strict Content-Security-Policy would refuse both).
    rendered = _SCRIPT.sub("", drawing.render(is_unicode=True)).replace("<title>Pygal</title>", "")
    # The hidden tooltip's style attribute as a presentation attribute, which the policy does not refuse.
    rendered = rendered.replace('style="opacity: 0"', 'opacity="0"')
    return Markup(rendered.replace("<svg ", f'<svg aria-hidden="true" focusable="false" data-chart="{chart.id}" ', 1))
