"""The inline styles of the HTML inside the built-in templates' ``<mj-text>``s, made from the theme, for the
templates (``style.NAME``) and the Markdown renderer (:class:`~newsletter.markup.BlockStyles`) alike.

They are written into each element's style attribute, as an inliner would have: MRML inlines the
``<mj-attributes>`` itself, so a build of the built-in templates has no CSS left to inline and skips that
stage. Made once per theme and direction (a right-to-left language mirrors indents and rules). A project
may still override any of them in a ``styles.j2`` of its own (``{% set text_link = "..." %}``): its names
replace these one by one.

The classes that tie the templates to the dark palette (``dark.css.j2``) are documented in the template
contract (``CLASSES``); a plugin's block template that carries none gets them from the block wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup

# The classes the templates give their elements for the dark palette (dark.css.j2 selects them). A block
# template of a plugin that carries none is given nl-text on its <mj-text> and nl-box on a coloured
# <mj-column> by the block wrapper (render.py), so it is dark in dark mode without knowing.
CLASSES: dict[str, str] = {
    "nl-body": "`<mj-body>`: the email's background.",
    "nl-section": "Every `<mj-section>` (set by `<mj-attributes>`): the content's background.",
    "nl-header": "The header's `<mj-section>`: the header's background.",
    "nl-heading": "The header's `<mj-text>`s: the publication's name, logo and date in the header's colour.",
    "nl-title": "A block's title `<mj-text>` (its `h2`): the text colour.",
    "nl-text": "A block's text `<mj-text>`: paragraphs, lists, links, quotes and sub-headings.",
    "nl-byline": "A brief's byline `<mj-text>`: names, roles, headshots.",
    "nl-box": "A coloured `<mj-column>` (the key points, an announcement): the callout's background and rule.",
    "nl-callout": "The key points' `<mj-text>` (with nl-text); the cell of its box (`.nl-callout td`): the "
                  "callout's background and rule.",
    "nl-contents": "The Contents' `<mj-text>` (with nl-text).",
    "nl-credit": "A photo credit or caption `<mj-text>`: muted text.",
    "nl-footer": "The footer's `<mj-text>`: muted text and links.",
    "nl-divider": "Every `<mj-divider>` (set by `<mj-attributes>`): the divider's colour.",
    "nl-button": "An `<mj-button>`: the link colour as its background.",
    "nl-light": "A picture shown in the light palette only (the logo, when it has a dark variant).",
    "nl-dark": "A picture shown in the dark palette only (`logo.dark_image`).",
}


class Styles(dict[str, str]):
    """The styles by name, readable as attributes (``style.text_link``), as templates read them."""

    def __getattr__(self, name: str) -> str:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no style named {name!r} (see newsletter/styles.py)") from None


def make(theme: Mapping[str, str], direction: str = "ltr") -> Styles:
    """The styles of ``theme`` (the theme's values by name) for text written in ``direction``."""
    rtl = direction == "rtl"
    heading = theme["heading_font_family"]
    text, muted, link = theme["text_color"], theme["muted_color"], theme["link_color"]
    header_text = theme["header_text_color"]
    callout_background = theme["callout_background_color"]
    brief_title = f"font-family: {heading}; font-size: 24px; line-height: 1.3; margin: 0 0 12px 0; color: {text}"
    style = {
        "text_paragraph": "margin: 0 0 16px 0",
        "text_link": f"color: {link}; text-decoration: underline",
        "heading_name": f"font-family: {heading}; font-size: 26px; line-height: 1.25; margin: 0; color: {header_text}",
        "heading_logo": "margin: 0",
        "heading_link": f"color: {header_text}; text-decoration: none",
        "heading_date": f"font-family: {heading}; font-size: 14px; margin: 6px 0 0 0; color: {header_text}",
        "brief_title": brief_title,
        "contents_heading": f"font-family: {heading}; font-size: 15px; letter-spacing: 1px; text-transform: uppercase; "
                            f"margin: 0 0 10px 0; color: {muted}",
        "contents_list": "margin: 0; padding: " + ("0 22px 0 0" if rtl else "0 0 0 22px"),
        "contents_item": "margin: 0 0 8px 0",
        "contents_link": f"color: {link}; text-decoration: none",
        "byline": f"font-family: {heading}; font-size: 15px; line-height: 1.4; margin: 0 0 6px 0; color: {muted}",
        "byline_name": f"color: {text}",
        "callout_list": "margin: 0; padding: " + ("0 20px 0 0" if rtl else "0 0 0 20px"),
        "callout_item": "margin: 0 0 10px 0",
        "callout_box": f"background-color: {callout_background}; border-{'right' if rtl else 'left'}: 4px solid "
                       f"{theme['callout_border_color']}; padding: " + ("16px 20px 6px 20px"),
        "credit": f"font-family: {heading}; font-size: 13px; line-height: 1.4; margin: 8px 0 0 0; color: {muted}",
        "footer_paragraph": f"font-family: {heading}; font-size: 13px; line-height: 1.5; margin: 0 0 12px 0; "
                            f"color: {muted}",
        "footer_link": f"color: {muted}; text-decoration: underline",
        "body_list": "margin: 0 0 16px 0; padding: " + ("0 24px 0 0" if rtl else "0 0 0 24px"),
        "body_list_nested": "margin: 6px 0 0 0; padding: " + ("0 24px 0 0" if rtl else "0 0 0 24px"),
        "body_item": "margin: 0 0 6px 0",
        "body_heading": f"font-family: {heading}; font-size: 19px; line-height: 1.3; margin: 24px 0 8px 0; color: {text}",
        "body_subheading": f"font-family: {heading}; font-size: 14px; line-height: 1.4; letter-spacing: 1px; "
                           f"text-transform: uppercase; margin: 20px 0 6px 0; color: {text}",
        "body_quote": "margin: 0 0 16px 0; padding: " + ("0 16px 0 0; border-right" if rtl else "0 0 0 16px; border-left")
                      + f": 3px solid {theme['callout_border_color']}; color: {muted}",
        "block_title": brief_title,
        "muted_text": f"color: {muted}",
        "item_detail": f"font-family: {heading}; font-size: 14px; line-height: 1.4; color: {muted}",
        "caption": f"font-family: {heading}; font-size: 14px; line-height: 1.4; margin: 8px 0 0 0; color: {muted}",
        "byline_link": f"color: {text}; text-decoration: underline",
        "byline_row": "border-collapse: collapse; margin: 0 0 10px 0",
        "headshot_cell": "width: 56px; padding: " + ("0 0 0 12px" if rtl else "0 12px 0 0") + "; vertical-align: middle",
        "headshot": f"display: block; width: 56px; height: 56px; border: 0; border-radius: 50%; overflow: hidden; "
                    f"font-family: {heading}; font-size: 18px; font-weight: bold; line-height: 56px; text-align: center; "
                    f"color: {muted}; background-color: {callout_background}",
        "byline_cell": "vertical-align: middle",
        "byline_beside": f"font-family: {heading}; font-size: 15px; line-height: 1.4; margin: 0; color: {muted}",
        "social_link": f"color: {muted}; text-decoration: underline",
        "logo": f"display: block; border: 0; height: auto; max-width: 100%; font-family: {heading}; font-size: 22px; "
                f"line-height: 1.25; font-weight: bold; color: {header_text}",
        "picture": f"display: block; width: 100%; height: auto; border: 0; font-family: {heading}; font-size: 16px; "
                   f"line-height: 56px; text-align: center; color: {text}; background-color: {callout_background}",
    }
    return Styles((name, Markup(_tight(value))) for name, value in style.items())


_AROUND_PUNCTUATION = re.compile(r"\s*([:;])\s*")


def _tight(style: str) -> str:
    """A style without the spaces around its colons and semicolons: written here to be read, it goes into the
    email some 150 times (1.2 KB of the example's HTML), where no client needs them."""
    return _AROUND_PUNCTUATION.sub(r"\1", style)
