"""The sign-up can be completed with the keyboard alone, with the focus always visible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName, outline: style.outlineStyle, width: style.outlineWidth};
}"""


def tab(page) -> dict:
    """Press Tab; the newly focused element, which must show where the focus is."""
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["outline"] != "none" and focused["width"] != "0px", (
        f"focus not visible: {focused}"
    )
    return focused


def tab_to(page, element_id: str, limit: int = 12) -> None:
    for _ in range(limit):
        if tab(page)["id"] == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_sign_up_with_the_keyboard_alone(person, make_event, smtp):
    event = make_event()
    page = person.visit(f"/events/{event.slug}/")
    tab_to(page, "name")
    page.keyboard.type("Kari Nordmann")
    tab_to(page, "email")
    page.keyboard.type("kari@example.no")
    tab_to(page, "organisation")
    page.keyboard.type("Finnfjord AS")
    tab_to(page, "group-0")
    page.keyboard.press("Space")
    tab_to(page, "consent")
    page.keyboard.press("Space")
    assert tab(page)["tag"] == "BUTTON"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sjekk e-posten din")).to_be_visible()
    assert smtp.wait_for("kari@example.no")
