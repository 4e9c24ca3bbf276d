"""``type: brief``: one short expert brief (the model is :class:`newsletter.models.Brief`, which ``briefs:``
holds too): title, byline, key points in a callout, the body, the authors' handles, a link to the article."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import bidi, plain
from ..models import Author, Brief
from .base import BlockType, Context, Expected, View


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

    @property
    def initials(self) -> str:
        """What the headshot shows while pictures are blocked: the first letters of the first and last names
        (the name itself is printed beside it, and read once: the picture is hidden from screen readers)."""
        words = self.name.split()
        letters = [words[0][0], words[-1][0]] if len(words) > 1 else [self.name[0]]
        return "".join(letters).upper()


@dataclass(frozen=True)
class BriefView(View):
    """A brief as its template sees it."""

    authors: tuple[Author, ...] = field(default=(), metadata={"doc": "Its authors: `name`, `role`, `twitter`."})
    key_points: tuple[str, ...] = field(default=(), metadata={"doc": "The key points, as text."})
    body: str = field(default="", metadata={"doc": "The body, Markdown: `{{ block.body | markdown_blocks }}`."})
    paragraphs: tuple[str, ...] = field(default=(), metadata={
        "doc": "The body's paragraphs, inline Markdown each (`| markdown`); for templates written before lists."})
    follows: tuple[Follow, ...] = field(default=(), metadata={
        "doc": "Each author's handle: `handle`, `url` (the profile, tagged), `name`; with more than one author "
               "(`bylines`), print each with its `name`."})
    link: str | None = field(default=None, metadata={"doc": "The full article's URL, tagged; None without one."})
    bylines: tuple[Byline, ...] = field(default=(), metadata={
        "doc": "Each author as the byline shows them: `name`, `role`, `photo` (URL) and `url` (the profile, "
               "tagged), each None when absent; `initials`, what the headshot shows while pictures are blocked."})
    photos: bool = field(default=False, metadata={"doc": "Whether any author has a photo: the byline's layout."})
    listed: bool = field(default=False, metadata={
        "doc": "Several authors, none with a role or a photo: the byline is one line, the names in the language's "
               "list pattern (`words.join`)."})
    author_names: str = field(default="", metadata={
        "doc": "The authors' names in the language's list pattern: `A, B, and C`, `A, B et C`, `A، B و C`."})


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
        bylines=bylines, photos=any(byline.photo for byline in bylines), listed=_listed(brief),
        author_names=context.words.names([author.name for author in brief.authors]),
    )


def _listed(brief: Brief) -> bool:
    return len(brief.authors) > 1 and not any(author.role or author.photo for author in brief.authors)


def text(brief: Brief, context: Context) -> list[str]:
    config, links, words = context.config, context.links, context.words
    direction = context.direction

    def own(value: str) -> str:  # a run of the other direction, isolated
        return bidi.plain(value, direction)

    out = [plain.wrap(brief.title)]
    # Name, role and profile page (every link of the HTML is in the text); not the name again, which the
    # publisher's text repeats only as its headshot's alt text.
    if _listed(brief):
        lines = [words.names([own(author.name) for author in brief.authors])]
        lines += [own(f"<{links.tag(author.url)}>") for author in brief.authors if author.url]
    else:
        lines = [own(line) for author in brief.authors
                 for line in (author.name, author.role, f"<{links.tag(author.url)}>" if author.url else None) if line]
    out.append("\n".join(plain.wrap(line) for line in lines))
    out.extend(plain.wrap(point, plain.BULLET, " " * len(plain.BULLET)) for point in brief.key_points)
    out.extend(plain.body(brief.body, links.tag, direction))
    handles = [(author, author.twitter) for author in brief.authors if author.twitter]
    for author, handle in handles:
        url = links.tag(config.twitter_profile(handle))
        # With several authors, each handle says whose it is (even when only one has a handle); with one, the
        # seed's line exactly.
        whose = f" ({own(author.name)})" if len(brief.authors) > 1 else ""
        out.append(plain.wrap(f"{words.follow_on_twitter}{words.colon}{own('@' + handle)}{whose} "
                              f"{own(f'<{url}>')}"))
    if brief.link:
        out.append(plain.wrap(f"{words.read_more}{words.colon}{own(f'<{links.tag(brief.link)}>')}"))
    return out


def expected(brief: Brief, context: Context) -> list[Expected]:
    found: list[Expected] = [("title", brief.title)]
    found += [("author", author.name) for author in brief.authors]
    found += [("link", context.links.tag(author.url)) for author in brief.authors if author.url]
    found += [("text", point) for point in brief.key_points]
    if brief.link:
        found.append(("link", context.links.tag(brief.link)))
    return found


BRIEF = BlockType("brief", Brief, view, text, expected, BriefView)
