"""``type: announcement``: a title, a short Markdown body and, optionally, a button (a real bulletproof
``mj-button``, which Outlook draws as a table cell, not an image)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from .. import bidi, plain
from ..models import HttpUrl, LangTag, Line, Markdown, Model
from .base import BlockType, Context, Expected, View


class Button(Model):
    """A call to action."""

    label: Line = Field(description='What the button says, e.g. "Register".')
    url: HttpUrl = Field(description="Where it leads.")


class Announcement(Model):
    """An announcement with an optional button."""

    type: Literal["announcement"] = Field(description="`announcement`.")
    lang: LangTag | None = Field(None, description="Its language, when it is not the issue's.")
    title: Line = Field(description="Its heading; listed in the Contents.")
    body: Markdown = Field(description="Markdown, as a brief's body.")
    button: Button | None = Field(None, description="A button after the body.")


@dataclass(frozen=True)
class AnnouncementView(View):
    """An announcement as its template sees it."""

    body: str = field(default="", metadata={"doc": "Markdown: `{{ block.body | markdown_blocks }}`."})
    button_label: str | None = field(default=None, metadata={"doc": "The button's words; None without a button."})
    button_url: str | None = field(default=None, metadata={"doc": "The button's URL, tagged."})


def view(block: Announcement, context: Context, number: int) -> AnnouncementView:
    button = block.button
    return AnnouncementView(
        type="announcement", template=ANNOUNCEMENT.template, anchor=f"announcement-{number}", title=block.title,
        body=block.body, button_label=button.label if button else None,
        button_url=context.links.tag(button.url) if button else None)


def text(block: Announcement, context: Context) -> list[str]:
    out = [plain.wrap(block.title), *plain.body(block.body, context.links.tag)]
    if block.button:
        url = bidi.plain(f"<{context.links.tag(block.button.url)}>", context.direction)
        out.append(plain.wrap(f"{block.button.label}{context.words.colon}{url}"))
    return out


def expected(block: Announcement, context: Context) -> list[Expected]:
    found: list[Expected] = [("title", block.title)]
    if block.button:
        found += [("text", block.button.label), ("link", context.links.tag(block.button.url))]
    return found


ANNOUNCEMENT = BlockType("announcement", Announcement, view, text, expected, AnnouncementView)
