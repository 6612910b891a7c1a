"""Cells of the CSV and Excel files the app writes, safe to open in a spreadsheet.

A complaint's text is written by anyone. A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula, and a formula can run commands or send
the sheet's data elsewhere when a ministry analyst opens the download ("CSV injection"). In a CSV such a
text gets a leading apostrophe, which spreadsheets show as plain text; in an Excel file it is written as a
string cell, so it reads exactly as typed and is never a formula. Numbers stay numbers, and so does a
text that is only a number with its sign (a phone number in E.164 form).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")  # a phone in E.164, a negative amount: no formula in it


def risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def csv_value(value):
    """`value` for a CSV cell: a text a spreadsheet would take for a formula with an apostrophe before it."""
    return "'" + value if risky(value) else value


def xlsx_row(ws, values: Iterable) -> list:
    """The cells of one row of a write-only worksheet: a text that looks like a formula as a string cell."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        if risky(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # openpyxl takes a str starting with "=" for a formula otherwise
            out.append(cell)
        else:
            out.append(value)
    return out
