"""``type: image``: a picture between the blocks, with its alt text, an optional caption, credit and link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from .. import markup, plain
from ..models import HttpUrl, ImageRef, LangTag, Line, Markdown, Model
from .base import BlockType, Context, Expected, View


class Image(Model):
    """A picture."""

    type: Literal["image"] = Field(description="`image`.")
    lang: LangTag | None = Field(None, description="Its language, when it is not the issue's.")
    image: ImageRef = Field(description="The picture, about 1200 px wide: an http(s) URL, or a file's path "
                                        "relative to the issue.")
    alt: Line = Field(description="Alternative text, shown when images are off and read by screen readers.")
    caption: Markdown | None = Field(None, description="Inline Markdown under the picture.")
    credit: Line | None = Field(None, description='e.g. "Photo by NAME/AGENCY".')
    link: HttpUrl | None = Field(None, description="Where the picture links to.")


@dataclass(frozen=True)
class ImageView(View):
    """An image block as its template sees it."""

    image: str = field(default="", metadata={
        "doc": "The image's URL; for a picture given as a file, `image.width` and `image.height` are its size "
               "in pixels (None for a hosted one)."})
    alt: str = field(default="", metadata={"doc": "Its alternative text."})
    caption: str | None = field(default=None, metadata={"doc": "Inline Markdown (`| markdown`), or None."})
    credit: str | None = field(default=None, metadata={"doc": "The credit, or None."})
    link: str | None = field(default=None, metadata={"doc": "Where it links, tagged; or None."})


def view(block: Image, context: Context, number: int) -> ImageView:
    return ImageView(type="image", template=IMAGE.template, anchor=f"image-{number}", title=None, image=block.image,
                     alt=block.alt, caption=block.caption, credit=block.credit,
                     link=context.links.tag(block.link) if block.link else None)


def text(block: Image, context: Context) -> list[str]:
    out = []
    if block.caption:
        out.append(plain.wrap(markup.to_text(block.caption, context.links.tag)))
    if block.credit:
        out.append(plain.wrap(block.credit))
    if block.link:
        out.append(plain.wrap(f"<{context.links.tag(block.link)}>"))
    return out or [plain.wrap(f"[{block.alt}]")]  # a picture with no words of its own: say what it shows


def expected(block: Image, context: Context) -> list[Expected]:
    found: list[Expected] = []
    if block.caption and not markup.link_urls(block.caption):  # a link's URL is written out in the text
        found.append(("text", markup.visible_text(block.caption)))
    if block.credit:
        found.append(("text", block.credit))
    if block.link:
        found.append(("link", context.links.tag(block.link)))
    return found


IMAGE = BlockType("image", Image, view, text, expected, ImageView)
