"""The sign-up can be completed with the keyboard alone, with the focus always visible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let behind = el.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor.match(/rgba\\(.*, 0\\)$|transparent/)) {
    behind = behind.parentElement;
  }
  return {id: el.id, tag: el.tagName, outline: style.outlineStyle, width: style.outlineWidth,
          color: style.outlineColor,
          background: behind ? getComputedStyle(behind).backgroundColor : 'rgb(255, 255, 255)'};
}"""


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of an `rgb(...)`/`rgba(...)` colour."""
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", css_colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tab(page) -> dict:
    """Press Tab; the newly focused element, which must show where the focus is."""
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["outline"] != "none" and focused["width"] != "0px", (
        f"focus not visible: {focused}"
    )
    # WCAG 1.4.11: the focus ring stands out 3:1 from the background it is drawn on.
    assert contrast(focused["color"], focused["background"]) >= 3, f"focus ring faint: {focused}"
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
