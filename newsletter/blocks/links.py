"""``type: links``: a list of links to read elsewhere ("What we're reading"), each with its source and a note."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from .. import markup, plain
from ..models import HttpUrl, LangTag, Line, Markdown, Model
from .base import BlockType, Context, Expected, View


class LinkItem(Model):
    """One link of a links block."""

    title: Line = Field(description="The linked text: the article's title.")
    url: HttpUrl = Field(description="The article.")
    source: Line | None = Field(None, description='Where it is published, e.g. "Foreign Affairs".')
    note: Markdown | None = Field(None, description="One line of inline Markdown: why it is worth reading.")


class Links(Model):
    """A list of links to read elsewhere."""

    type: Literal["links"] = Field(description="`links`.")
    lang: LangTag | None = Field(None, description="Its language, when it is not the issue's.")
    title: Line = Field(description='Its heading, e.g. "What we\'re reading"; listed in the Contents.')
    items: list[LinkItem] = Field(min_length=1, description="The links, in this order.")


@dataclass(frozen=True)
class LinkItemView:
    title: str
    url: str  # tagged
    source: str | None
    note: str | None  # inline Markdown: `| markdown`


@dataclass(frozen=True)
class LinksView(View):
    """A links block as its template sees it."""

    items: tuple[LinkItemView, ...] = field(default=(), metadata={
        "doc": "Each link: `title`, `url` (tagged), `source` and `note` (inline Markdown, `| markdown`), or None."})


def view(block: Links, context: Context, number: int) -> LinksView:
    items = tuple(LinkItemView(item.title, context.links.tag(item.url), item.source, item.note)
                  for item in block.items)
    return LinksView(type="links", template=LINKS.template, anchor=f"links-{number}", title=block.title, items=items)


def text(block: Links, context: Context) -> list[str]:
    lines = []
    for item in block.items:
        source = f" ({item.source})" if item.source else ""
        lines.append(plain.wrap(f"{item.title}{source} <{context.links.tag(item.url)}>", plain.BULLET,
                                " " * len(plain.BULLET)))
        if item.note:
            indent = " " * len(plain.BULLET)
            lines.append(plain.wrap(markup.to_text(item.note, context.links.tag), indent, indent))
    return [plain.wrap(block.title), "\n".join(lines)]


def expected(block: Links, context: Context) -> list[Expected]:
    found: list[Expected] = [("title", block.title)]
    for item in block.items:
        found += [("text", item.title), ("link", context.links.tag(item.url))]
        if item.source:
            found.append(("text", item.source))
    return found


LINKS = BlockType("links", Links, view, text, expected, LinksView)
