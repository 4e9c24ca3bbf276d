"""Stage 3c: what a web edition says of itself to the web, given to its templates as ``page``: its address
(canonical under ``archive_url``), its share cards (Open Graph and Twitter), its structured data (a JSON-LD
``NewsArticle``), and its links to the archive: the index, the feed and, filled in by the archive stage, the
issues before and after it.

Everything here comes from the issue's model and the config, never from what a template wrote. The links
between issues are the one part a web edition cannot know when it is made (a later issue is its "next"):
``nav`` is an element of ours, ``<nav data-nl-nav="">``, that the archive stage (``archive.py``) writes again
in each web edition whose neighbours changed, with :func:`with_nav`.

URLs: a page's own address, its share cards and its JSON-LD are absolute, under ``archive_url``, and left out
without it (a share card's address must be absolute). The links between the archive's pages are relative,
so the folder also works opened from the disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from markupsafe import Markup, escape

from .links import WEB_SUFFIX
from .models import Config, Issue, is_hosted

if TYPE_CHECKING:
    from .language import Words

INDEX = "index.html"
FEED = "feed.xml"


@dataclass(frozen=True)
class Neighbour:
    """An issue a web edition links to: its file's slug and its subject."""

    slug: str
    subject: str
    lang: str  # its language: its subject is marked with it


@dataclass(frozen=True)
class WebPage:
    """What a web edition's templates know of its page (the context's ``page``; None in the email)."""

    url: str  # absolute under archive_url, else the file's name
    canonical: str | None  # the absolute address, or None without archive_url
    meta: tuple[tuple[str, str, str], ...]  # ("property" or "name", key, content), in order
    json_ld: Markup  # the NewsArticle, as JSON safe inside <script type="application/ld+json">
    index: str  # the archive's index, relative
    feed: str  # the Atom feed, relative
    signup: str | None
    nav: Markup  # the links to the index and the neighbouring issues: print it as it is


def web_url(config: Config, slug: str) -> str:
    """The address of the web edition ``slug``: absolute under ``archive_url``, else its file name."""
    name = quote(f"{slug}{WEB_SUFFIX}")
    return absolute(config, name) or name


def page_path(number: int) -> str:
    """The file of the archive index's page ``number``, relative to the folder."""
    return INDEX if number == 1 else f"page/{number}.html"


def absolute(config: Config, relative: str) -> str | None:
    """``relative`` (a file of the output folder) under ``archive_url``, or None without one."""
    return f"{config.archive_url.rstrip('/')}/{relative}" if config.archive_url else None


def authors_of(issue: Issue) -> tuple[str, ...]:
    """The names of the issue's authors, in the order they first appear (any block type with ``authors``)."""
    names: dict[str, None] = {}
    for block in issue.content:
        for author in getattr(block, "authors", None) or ():
            name = getattr(author, "name", None)
            if isinstance(name, str) and name:
                names.setdefault(name)
    return tuple(names)


@dataclass(frozen=True)
class Picture:
    url: str
    alt: str
    width: int | None
    height: int | None


def hero_of(issue: Issue) -> Picture | None:
    """The issue's hero as a share card shows it: only at an absolute address (a file's, once published)."""
    hero = issue.hero
    if hero is None or not hero.image or not is_hosted(str(hero.image)):
        return None
    return Picture(str(hero.image), hero.alt or "", getattr(hero.image, "width", None),
                   getattr(hero.image, "height", None))


# The CLDR's likely territory of the languages newsletter ships words for, as Babel's likely_subtags gives it
# (a test holds the two equal): Babel, which answers for the others, takes 40 ms to import.
LIKELY_TERRITORIES = {"en": "US", "ar": "EG", "fa": "IR", "he": "IL", "fr": "FR", "es": "ES", "tr": "TR", "de": "DE",
                      "ja": "JP", "zh": "CN"}


def og_locale(lang: str) -> str:
    """``lang`` as Open Graph writes a locale, language_TERRITORY (en_US, ar_EG): the CLDR's likely territory
    when the tag names none."""
    parts = lang.replace("_", "-").split("-")
    region = next((part for part in parts[1:] if len(part) == 2 and part.isalpha()), None)
    if region:
        return f"{parts[0].lower()}_{region.upper()}"
    if parts[0].lower() in LIKELY_TERRITORIES and len(parts) == 1:  # zh-Hant is Taiwan's, not China's
        return f"{parts[0].lower()}_{LIKELY_TERRITORIES[parts[0].lower()]}"
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return lang.replace("-", "_")
    territory = locale.territory
    if territory is None:
        subtags = get_global("likely_subtags")
        key = f"{locale.language}_{locale.script}" if locale.script else locale.language
        likely = str(subtags.get(key) or subtags.get(locale.language, ""))
        territory = next((part for part in likely.split("_")[1:] if len(part) == 2 or part.isdigit()), None)
    return f"{locale.language}_{territory}" if territory else locale.language


def page_for(issue: Issue, slug: str, config: Config, words: Words, lang: str, name: str) -> WebPage:
    """The ``page`` of the web edition of ``issue`` (file ``slug``), in its language ``lang``."""
    canonical = absolute(config, quote(f"{slug}{WEB_SUFFIX}"))
    description = issue.preheader or issue.subject
    hero = hero_of(issue)
    authors = authors_of(issue)
    meta: list[tuple[str, str, str]] = [
        ("property", "og:type", "article"), ("property", "og:site_name", name),
        ("property", "og:title", issue.subject), ("property", "og:description", description),
        ("property", "og:locale", og_locale(lang))]
    if canonical:
        meta.append(("property", "og:url", canonical))
    if hero:
        meta.append(("property", "og:image", hero.url))
        if hero.width and hero.height:
            meta += [("property", "og:image:width", str(hero.width)), ("property", "og:image:height", str(hero.height))]
        meta.append(("property", "og:image:alt", hero.alt))
    if issue.date:
        meta.append(("property", "article:published_time", issue.date.isoformat()))
    meta += [("property", "article:author", author) for author in authors]
    meta += [("name", "twitter:card", "summary_large_image" if hero else "summary"),
             ("name", "twitter:title", issue.subject), ("name", "twitter:description", description)]
    if hero:
        meta += [("name", "twitter:image", hero.url), ("name", "twitter:image:alt", hero.alt)]
    article: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle",
                                  "headline": issue.subject, "description": description, "inLanguage": lang}
    if canonical:
        article["url"] = canonical
        article["mainEntityOfPage"] = {"@type": "WebPage", "@id": canonical}
    if issue.date:
        article["datePublished"] = issue.date.isoformat()
    if authors:
        article["author"] = [{"@type": "Person", "name": author} for author in authors]
    if hero:
        article["image"] = [hero.url]
    publisher: dict[str, object] = {"@type": "Organization", "name": name}
    if config.website:
        publisher["url"] = config.website
    if config.logo and is_hosted(str(config.logo.src)):
        publisher["logo"] = {"@type": "ImageObject", "url": str(config.logo.src)}
    article["publisher"] = publisher
    return WebPage(web_url(config, slug), canonical, tuple(meta), script_json(article), INDEX,
                   FEED, config.archive.signup_url, nav_html(words, config, None, None))


def script_json(data: object) -> Markup:
    """``data`` as JSON that no text in it can end or escape the ``<script>`` it is written in."""
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def nav_html(words: Words, config: Config, older: Neighbour | None, newer: Neighbour | None) -> Markup:
    """The links of a web edition to the archive's index and to the issues before and after it (by date), in the
    issue's language; styled inline from the theme (its template puts it in a footer-like text, which the dark
    palette recolours). Every value is escaped (in f-strings: Markup.format took 0.4 ms an issue in the archive)."""
    theme = config.theme
    link = escape(f"color:{theme.link_color};text-decoration:underline")
    items = [f'<a href="{INDEX}" style="{link}">{escape(words.archive)}</a>']
    for neighbour, rel, label in ((older, "prev", words.previous_issue), (newer, "next", words.next_issue)):
        if neighbour is not None:  # its subject in its own language, isolated from the label's direction
            items.append(f'<a href="{escape(quote(f"{neighbour.slug}{WEB_SUFFIX}"))}" rel="{rel}" style="{link}">'
                         f'{escape(label)}{escape(words.colon)}<span lang="{escape(neighbour.lang)}" dir="auto">'
                         f'{escape(neighbour.subject)}</span></a>')
    if config.archive.signup_url:
        items.append(f'<a href="{escape(config.archive.signup_url)}" style="{link}">{escape(words.subscribe)}</a>')
    style = escape(f"margin:0;font-family:{theme.heading_font_family};font-size:14px;line-height:1.8;"
                   f"color:{theme.muted_color}")
    return Markup(f'<nav data-nl-nav="" aria-label="{escape(words.archive)}"><p style="{style}">'
                  f'{" &#183; ".join(items)}</p></nav>')


_NAV_START = '<nav data-nl-nav=""'


def with_nav(html: str, nav: str) -> str:
    """``html`` (a web edition) with each of its ``<nav data-nl-nav="">`` elements replaced by ``nav``."""
    parts = []
    position = 0
    while (start := html.find(_NAV_START, position)) >= 0 and (end := html.find("</nav>", start)) >= 0:
        parts += [html[position:start], nav]
        position = end + len("</nav>")
    return "".join(parts) + html[position:]
