"""Organisers' texts (description, briefing) as a small, safe Markdown: the page, the HTML
email and the plain-text email all come from the same text.

Only paragraphs, line breaks, bold and italic, lists and links are read. Raw HTML is never
passed through (markdown-it escapes it as text), and a link is kept only when it goes to
http, https or mailto, so `javascript:` and `data:` links stay plain text.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

#: The only link targets kept.
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    parser.enable(["emphasis", "list", "link", "escape", "newline"])
    parser.validateLink = _safe_link
    return parser


_MARKDOWN = _parser()


def to_html(text: str | None) -> Markup:
    """The text as HTML for a page or an email; safe to insert as it is."""
    html = _MARKDOWN.render(text or "")
    # Links leave the product: no referrer, and no credit given to them by search engines.
    return Markup(html.replace("<a href=", '<a rel="nofollow noopener noreferrer" href='))


def to_text(text: str | None) -> str:
    """The text for a plain-text email: markup gone, list items as "- ", links as "text (url)"."""
    lines: list[str] = []
    depth, marker = 0, ""
    for token in _MARKDOWN.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            lines.append("")
        elif token.type == "list_item_open":
            marker = f"{token.info}." if token.info else "-"
        elif token.type == "paragraph_close" and not depth:
            lines.append("")
        elif token.type == "inline":
            bullet = f"{'  ' * (depth - 1)}{marker} " if depth else ""
            lines.append(bullet + _inline_text(token.children or []))
    return "\n".join(lines).strip()


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    href = None
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            start = len(parts)
        elif child.type == "link_close" and href is not None:
            shown = "".join(parts[start:])
            if shown != href.removeprefix("mailto:"):
                parts.append(f" ({href})")
            href = None
    return "".join(parts)
