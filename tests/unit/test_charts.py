"""Charts are drawn on the server (grs/charts.py): no script, no outside address, numbers in the reader's
digits, and the table alternative holds exactly the values drawn."""
import re

import pytest

from grs.catalogue import native_digits
from grs.charts import Chart, Series, number, svg


def test_numbers_in_the_readers_digits():
    assert number(1234, "en") == "1,234"
    assert number(1234, "bn") == "১,২৩৪"
    assert number(0.667, "bn", percent=True) == "৬৬.৭%"
    assert number(None, "en") == "–"
    assert native_digits("5 Dec 2026", "fr") == "5 Dec 2026"


def test_svg_has_no_script_and_no_outside_address():
    c = Chart("trend", "Trend", "line", ["2026-01", "2026-02"], [Series("received", [10, 12])])
    drawn = str(svg(c, "en"))
    assert drawn.startswith("<svg ") and 'aria-hidden="true"' in drawn and 'data-chart="trend"' in drawn
    assert "<script" not in drawn
    # Only XML namespaces and pygal's credit comments name a URL; nothing is fetched.
    assert not re.search(r'(?:href|src)="(?:https?:)?//', drawn)


def test_table_alternative_matches_the_values_drawn():
    c = Chart("tiers", "Resolved at each tier", "bar", ["union", "upazila"], [Series("share", [0.66, 0.17])],
              percent=True)
    assert c.rows("en") == [("union", ["66%"]), ("upazila", ["17%"])]
    texts = re.findall(r">([^<>]+)</text>", str(svg(c, "bn")))
    assert "৫০%" in texts and "union" in texts  # the axis in Bangla digits


def test_a_series_must_fit_its_labels():
    with pytest.raises(ValueError):
        Chart("x", "X", "bar", ["a", "b"], [Series("n", [1])])
    assert Chart("x", "X", "bar", ["a"], [Series("n", [0])]).empty


def test_a_withheld_value_draws_no_bar_and_its_cell_says_why():
    c = Chart("p", "By programme", "bar", ["OAA", "WA"], [Series("received", [12, 3], hidden=(None, "fewer than 5"))],
              hidden_text="not shown")
    assert c.rows("en") == [("OAA", ["12"]), ("WA", ["fewer than 5"])] and c.rows("en")[1][1][0].withheld
    assert Chart("p", "P", "bar", ["WA"], [Series("n", [None], hidden=(True,))], hidden_text="not shown").rows() \
        == [("WA", ["not shown"])]
    assert not Chart("p", "P", "bar", ["WA"], [Series("n", [None], hidden=(True,))]).empty  # a table to show
    drawn = str(svg(c, "en"))
    assert drawn.count('class="rect reactive tooltip-trigger"') == 1  # the 3 is not drawn


@pytest.mark.parametrize("values, ticks", [([3, 1], ["0", "1", "2", "3"]), ([0, 0], ["0", "1"]), ([2.5], ["0", "1", "2", "3"])])
def test_a_small_count_is_ticked_in_whole_numbers(values, ticks):
    """A count of 3 cases has no half case: the value axis reads 0, 1, 2, 3."""
    c = Chart("sex", "By sex", "bar", [f"g{i}" for i in range(len(values))], [Series("received", values)])
    guides = re.findall(r'class="axis y[^"]*".*?</g>\s*</g>', str(svg(c, "en")), re.S)
    texts = re.findall(r">([^<>]+)</text>", guides[0] if guides else str(svg(c, "en")))
    labels = [t for t in texts if re.fullmatch(r"[\d.,]+", t)]
    assert labels == ticks
