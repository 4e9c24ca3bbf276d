"""``type: brief``: one short expert brief (the model is :class:`newsletter.models.Brief`, which ``briefs:``
holds too): title, byline, key points in a callout, the body, the authors' handles, a link to the article."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import markup, plain
from ..models import Author, Brief
from . import BlockType, Context, Expected, View, register


@dataclass(frozen=True)
class Follow:
    handle: str
    url: str  # the profile, tagged for this edition
    name: str  # whose handle it is


@dataclass(frozen=True)
class Byline:
    name: str
    role: str | None
    photo: str | None  # the headshot's URL
    url: str | None  # the profile page, tagged


@dataclass(frozen=True)
class BriefView(View):
    """A brief as its template sees it."""

    authors: tuple[Author, ...] = field(default=(), metadata={"doc": "Its authors: `name`, `role`, `twitter`."})
    key_points: tuple[str, ...] = field(default=(), metadata={"doc": "The key points, as text."})
    body: str = field(default="", metadata={"doc": "The body, Markdown: `{{ block.body | markdown_blocks }}`."})
    paragraphs: tuple[str, ...] = field(default=(), metadata={
        "doc": "The body's paragraphs, inline Markdown each (`| markdown`); for templates written before lists."})
    follows: tuple[Follow, ...] = field(default=(), metadata={
        "doc": "Each author's handle: `handle`, `url` (the profile, tagged), `name`; with more than one, "
               "print each with its `name`."})
    link: str | None = field(default=None, metadata={"doc": "The full article's URL, tagged; None without one."})
    bylines: tuple[Byline, ...] = field(default=(), metadata={
        "doc": "Each author as the byline shows them: `name`, `role`, `photo` (URL) and `url` (the profile, "
               "tagged), each None when absent."})
    photos: bool = field(default=False, metadata={"doc": "Whether any author has a photo: the byline's layout."})


def view(brief: Brief, context: Context, number: int) -> BriefView:
    config, links = context.config, context.links
    follows = tuple(Follow(author.twitter, links.tag(config.twitter_profile(author.twitter)), author.name)
                    for author in brief.authors if author.twitter)
    bylines = tuple(Byline(author.name, author.role, author.photo, links.tag(author.url) if author.url else None)
                    for author in brief.authors)
    return BriefView(
        type="brief", template=BRIEF.template, anchor=f"brief-{number}", title=brief.title,
        authors=tuple(brief.authors), key_points=tuple(brief.key_points), body=brief.body,
        paragraphs=tuple(brief.paragraphs), follows=follows, link=links.tag(brief.link) if brief.link else None,
        bylines=bylines, photos=any(byline.photo for byline in bylines),
    )


def text(brief: Brief, context: Context) -> list[str]:
    config, links = context.config, context.links
    out = [plain.wrap(brief.title)]
    # Name, role and profile page (every link of the HTML is in the text); not the name again, which the
    # publisher's text repeats only as its headshot's alt text.
    out.append("\n".join(plain.wrap(line) for author in brief.authors
                         for line in (author.name, author.role, f"<{links.tag(author.url)}>" if author.url else None)
                         if line))
    out.extend(plain.wrap(point, plain.BULLET, " " * len(plain.BULLET)) for point in brief.key_points)
    out.extend(plain.body(brief.body, links.tag))
    handles = [author for author in brief.authors if author.twitter]
    for author in handles:
        url = links.tag(config.twitter_profile(author.twitter))
        # With several authors, each handle says whose it is; with one, the seed's line exactly.
        whose = f" ({author.name})" if len(handles) > 1 else ""
        out.append(plain.wrap(f"{context.words.follow_on_twitter}: @{author.twitter}{whose} <{url}>"))
    if brief.link:
        out.append(plain.wrap(f"{context.words.read_more}: <{links.tag(brief.link)}>"))
    return out


def expected(brief: Brief, context: Context) -> list[Expected]:
    found: list[Expected] = [("title", brief.title)]
    found += [("author", author.name) for author in brief.authors]
    found += [("link", context.links.tag(author.url)) for author in brief.authors if author.url]
    found += [("text", point) for point in brief.key_points]
    if brief.link:
        found.append(("link", context.links.tag(brief.link)))
    return found


BRIEF = register(BlockType("brief", Brief, view, text, expected, BriefView))
