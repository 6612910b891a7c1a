"""Steps shared by the browser tests."""
import re

import builders


def sign_in(page, base: str, key: str) -> None:
    """Sign in on the login page as the world's account `key` and wait for its first page."""
    page.goto(f"{base}/login?lang=en")
    page.get_by_label("E-mail").fill(f"{key}@test.grs")
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/(cases|operator)/"))


def choose_baria(page) -> None:
    """Pick a programme, a category and the area down to Baria union, as the lodge forms ask."""
    page.get_by_label("Programme").select_option("OAA")
    page.get_by_label("What is the problem?").select_option("payment")
    # Each choice makes the page's script fetch the next level; select_option waits for it.
    for label, code in (("Division", "BD-DIV-6"), ("District", "BD-DIS-41"), ("Upazila", "BD-UPZ-320"),
                        ("Union", "BD-UN-2869")):
        page.get_by_label(label, exact=True).select_option(code)
