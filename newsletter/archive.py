"""Stage 7b: the public web archive of an output folder.

- ``index.html``, and ``page/2.html``, ... past ``archive.page_size`` issues: every issue built into the
  folder, newest first, grouped by year, each with its date (in its language), subject, preheader and
  authors, in the publication's theme, logo and dark palette (template ``archive.html.j2``, overridable; its
  context is :data:`CONTEXT`);
- each issue's web edition ``X.web.html`` with its links to the issues before and after it, which this stage
  writes again whenever they change (``webpage.py`` makes the rest of its head and the links' element);
- ``feed.xml`` (``feed.py``), ``archive.json`` (the entries, kept between builds), and with ``archive_url``,
  ``sitemap.xml`` and ``robots.txt``.

An entry comes from the issue's model, never from what a template wrote, so a folder built with templates of
one's own still gets a right archive. Building one issue keeps the others listed, for as long as their web
edition is in the folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .links import WEB_SUFFIX
from .models import Config, Issue, is_hosted

# The stages this one uses (webpage, feed, language, render) are imported where used: `newsletter validate`
# imports this module, for Entry, and needs none of them.

ARCHIVE_DATA = "archive.json"
ARCHIVE_TEMPLATE = "archive.html.j2"


@dataclass(frozen=True)
class Entry:
    """One issue in the archive, as its model says."""

    date: str  # ISO date, or "" for an undated issue
    slug: str
    subject: str
    description: str
    authors: tuple[str, ...] = ()
    lang: str = ""  # the issue's language ("" for the config's)
    image: str = ""  # the hero's absolute address, for the feed
    image_alt: str = ""
    image_width: int = 0
    image_height: int = 0
    content: str = ""  # the web edition's content, for the feed: kept for its newest entries only
    content_of: str = ""  # a digest of the web edition it was made from: an unchanged one is not read again
    # The neighbours its web edition links to, as last written, and a digest of those links (their subjects
    # and words too): a change rewrites them.
    older: str = ""
    newer: str = ""
    nav: str = ""
    # Its pictures in OUT/assets/ (None: written by a newsletter that did not record them).
    assets: tuple[str, ...] | None = None
    source: str = ""  # its issue file, relative to the output folder ("" when not recorded)

    @property
    def order(self) -> tuple[str, str]:
        return self.date, self.slug


def entry_for(slug: str, issue: Issue, assets: list[str] | None = None, source: str = "") -> Entry:
    """The archive entry of an issue just built (``assets``: the names of its pictures in OUT/assets/;
    ``source``: its file, relative to the output folder); the same as its web edition's head says."""
    from . import webpage

    hero = webpage.hero_of(issue)
    return Entry(issue.date.isoformat() if issue.date else "", slug, issue.subject, issue.preheader or issue.subject,
                 webpage.authors_of(issue), issue.lang or "", hero.url if hero else "", hero.alt if hero else "",
                 (hero.width or 0) if hero else 0, (hero.height or 0) if hero else 0,
                 assets=tuple(sorted(assets)) if assets is not None else None, source=source)


def entries(out_dir: Path, current: list[Entry]) -> list[Entry]:
    """Every issue of the folder, newest first: those in ``archive.json`` whose web edition is still there,
    with ``current`` (the issues of this build) replacing them."""
    found: dict[str, Entry] = {}
    try:
        data = json.loads((out_dir / ARCHIVE_DATA).read_text(encoding="utf-8"))
        for item in data.get("entries", []):
            entry = _entry(item)
            if (out_dir / f"{entry.slug}{WEB_SUFFIX}").is_file():
                found[entry.slug] = entry
    except FileNotFoundError:
        found = _from_web_editions(out_dir)  # a folder built before archive.json: start from its pages
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        # Damaged (cut short by a full disk, a merge conflict, a hand edit): start again from the web editions
        # in the folder, which record no pictures, so that nothing in assets/ is taken for stale.
        found = _from_web_editions(out_dir)
    for entry in current:  # its last links (an unchanged neighbourhood is not written again) and feed content
        previous = found.get(entry.slug)
        found[entry.slug] = replace(entry, older=previous.older, newer=previous.newer, nav=previous.nav,
                                    content=previous.content, content_of=previous.content_of) if previous else entry
    return sorted(found.values(), key=lambda e: e.order, reverse=True)


def _entry(item: dict[str, Any]) -> Entry:
    """An entry of ``archive.json``; one an older newsletter wrote has the first four fields only."""
    def text(key: str) -> str:
        return str(item.get(key) or "")

    import datetime

    if item["date"]:
        datetime.date.fromisoformat(str(item["date"]))  # a ValueError: the file is not ours to trust
    if not _SLUG.fullmatch(str(item["slug"] or "")):
        raise ValueError(f"slug {item['slug']!r}")  # "../x" would reach outside the folder

    authors = item.get("authors") or []
    if not isinstance(authors, list):
        raise TypeError("authors")
    assets = item.get("assets")
    if assets is not None and not isinstance(assets, list):
        raise TypeError("assets")
    return Entry(str(item["date"] or ""), str(item["slug"] or ""), str(item["subject"] or ""),
                 str(item["description"] or ""), tuple(str(name) for name in authors), text("lang"), text("image"),
                 text("image_alt"), int(item.get("image_width") or 0), int(item.get("image_height") or 0),
                 text("content"), text("content_of"), text("older"), text("newer"), text("nav"),
                 tuple(str(name) for name in assets) if assets is not None else None, text("source"))


# A web edition's name as a build makes it: an issue file's stem (no folder, no leading dot).
_SLUG = re.compile(r"[^/\\\x00]+")


def _from_web_editions(out_dir: Path) -> dict[str, Entry]:
    """Once, for a folder that an older newsletter built (no archive.json): each web edition's subject,
    description and date from its head, as those versions wrote them. From then on the entries come from
    the models, through archive.json."""
    import re

    from lxml import etree

    found = {}
    for path in sorted(out_dir.glob(f"*{WEB_SUFFIX}")) if out_dir.is_dir() else []:
        slug = path.name[: -len(WEB_SUFFIX)]
        try:
            head = path.read_bytes()[:65536]
            root = etree.fromstring(head, etree.HTMLParser())
        except (OSError, ValueError):
            continue
        if root is None:
            continue
        title = root.find(".//title")
        metas = {meta.get("name"): meta.get("content") or "" for meta in root.iter("meta") if meta.get("name")}
        date = metas.get("newsletter:date", "")
        subject = " ".join("".join(title.itertext()).split()) if title is not None else ""
        if subject and re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", date) and _date_or_empty(date):
            found[slug] = Entry(date, slug, subject, metas.get("description", ""))
    return found


def _date_or_empty(text: str) -> bool:
    import datetime

    try:
        return not text or bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def archive_json(listed: list[Entry]) -> str:
    # Each entry's fields as they are (dataclasses.asdict copied every value, deeply: 64 ms of 521 entries).
    names = [item.name for item in fields(Entry)]
    return json.dumps({"entries": [{name: getattr(entry, name) for name in names} for entry in listed]},
                      ensure_ascii=False, indent=1) + "\n"


# --- the index ---------------------------------------------------------------------------------------------

# The names the archive template receives (the template contract; docs/reference.md is made from this).
CONTEXT: dict[str, str] = {
    "config": "The validated config: `name`, `lang`, `theme`, `logo`, `archive`, `archive_url`, ...",
    "lang": "The config's language tag.",
    "dir": "The direction of the config's language, `ltr` or `rtl`.",
    "name": "The publication's name in the config's language.",
    "title": "The page's title: the publication's name and `labels.archive`, with the page's number after the "
             "first.",
    "description": "`archive.description`, or None.",
    "labels": "The words in the config's language (`labels.archive`, `labels.newer_issues`, `labels.feed`, ...).",
    "theme": "The theme (`theme.text_color`, `theme.dark.text_color`, ...); `dark_mode` says whether to use "
             "`theme.dark`.",
    "dark_mode": "True when the config's `dark_mode` is auto: the page follows the reader's dark preference.",
    "logo": "The logo, or None: `src`, `dark` (its dark variant, or None), `alt`, `width`, `height` (or None).",
    "entries": "This page's issues, newest first, in one list (as `years` holds them).",
    "years": "This page's issues, newest first, by year: each has `year` and `entries`; an entry has `date` "
             "(ISO, or empty), `date_text` (the date as the issue's language writes it), `subject`, "
             "`description`, `authors` (names), `authors_text` (the names as its language lists them), `url` "
             "(its web edition, relative to this page), `lang` and `dir` (the issue's, or None when they are "
             "the page's).",
    "page": "`number`, `count` (of pages), `newer` and `older` (the pages' URLs, relative, or None) and `pages` "
            "(each page's `number`, `url` and `current`).",
    "root": "The way from this page to the folder: empty on index.html, `../` on page/N.html.",
    "feed": "The Atom feed's URL, relative to this page.",
    "signup": "`archive.signup_url`, or None.",
    "canonical": "This page's absolute address under `archive_url`, or None.",
}


@dataclass(frozen=True)
class Listed:
    date: str
    date_text: str
    subject: str
    description: str
    authors: tuple[str, ...]
    authors_text: str
    url: str
    lang: str | None
    dir: str | None


@dataclass(frozen=True)
class Year:
    year: str
    entries: list[Listed] = field(default_factory=list)


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Page:
    number: int
    count: int
    newer: str | None
    older: str | None
    pages: list[PageLink]


def _pages(listed: list[Entry], size: int) -> list[list[Entry]]:
    return [listed[start:start + size] for start in range(0, len(listed), size)] or [[]]


def index_pages(config: Config, listed: list[Entry], templates_dir: Path | None = None,
                labels: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
    """``{file relative to the folder: HTML}`` of each page of the index."""
    from . import language, render, webpage  # render: the template loader, ours or the project's archive.html.j2
    from .webpage import page_path

    lang = config.lang
    words = language.words(config, lang, labels)
    name, direction = language.name(config, lang), language.direction(lang)
    pages = _pages(listed, config.archive.page_size)
    made = {}
    for number, chosen in enumerate(pages, 1):
        root = "" if number == 1 else "../"
        logo = _logo(config, root)
        years = _years(config, chosen, root, labels)

        def url(to: int, root: str = root) -> str:
            return root + page_path(to)

        page = Page(number, len(pages), url(number - 1) if number > 1 else None,
                    url(number + 1) if number < len(pages) else None,
                    [PageLink(n, url(n), n == number) for n in range(1, len(pages) + 1)])
        title = f"{name}: {words.archive}" + (f" ({number}/{len(pages)})" if number > 1 else "")
        context = {"config": config, "lang": lang, "dir": direction, "name": name,
                   "title": title, "description": config.archive.description, "labels": words,
                   "theme": _palette(config.theme), "dark_mode": config.dark_mode == "auto", "logo": logo,
                   "years": years, "entries": [entry for year in years for entry in year.entries],
                   "page": page, "root": root,
                   "feed": root + webpage.FEED, "signup": config.archive.signup_url,
                   "canonical": _canonical(config, number)}
        made[page_path(number)] = render.render_page(ARCHIVE_TEMPLATE, context, templates_dir)
    return made


def _palette(theme: Any) -> dict[str, Any]:
    """The theme's values as markup, safe in a ``<style>`` (the models allow colours and font lists only): as
    text, the quotes of 'Times New Roman' would be escaped into CSS that no browser reads."""
    from markupsafe import Markup

    return {name: _palette(value) if name == "dark" else Markup(str(value))
            for name, value in ((name, getattr(theme, name)) for name in type(theme).model_fields)}


def _logo(config: Config, root: str) -> dict[str, Any] | None:
    if config.logo is None:
        return None

    def located(src: object) -> str:  # a picture published in the folder, from a page in page/
        address = str(src)
        return address if is_hosted(address) else root + address

    src: Any = config.logo.src  # an ImageSource once resolved: a file's carries its size
    height = round(config.logo.width * src.height / src.width) if getattr(src, "width", None) else None
    return {"src": located(src), "dark": located(config.logo.dark_image) if config.logo.dark_image else None,
            "alt": config.logo.alt, "width": config.logo.width, "height": height}


def _canonical(config: Config, number: int) -> str | None:
    from .webpage import page_path

    if not config.archive_url:
        return None
    return config.archive_url.rstrip("/") + "/" + ("" if number == 1 else page_path(number))


def _years(config: Config, chosen: list[Entry], root: str,
           labels: Mapping[str, Mapping[str, str]] | None) -> list[Year]:
    import datetime

    from . import language

    years: list[Year] = []
    for entry in chosen:
        year = entry.date[:4]
        if not years or years[-1].year != year:
            years.append(Year(year))
        lang = entry.lang or config.lang
        own = lang == config.lang
        words = language.words(config, lang, labels)
        date_text = language.date(datetime.date.fromisoformat(entry.date), config, lang) if entry.date else ""
        years[-1].entries.append(Listed(
            entry.date, date_text, entry.subject, entry.description, entry.authors, words.names(entry.authors),
            root + quote(f"{entry.slug}{WEB_SUFFIX}"), None if own else lang,
            None if own else language.direction(lang)))
    return years


# --- the folder --------------------------------------------------------------------------------------------

# A picture the build named (images.Prepared.name): its file's stem, a digest of its bytes, its extension.
_ASSET_NAME = re.compile(r"[A-Za-z0-9._-]+-[0-9a-f]{12}\.(?:jpg|png|gif|webp)")


def orphans(out_dir: Path, listed: list[Entry], current: list[Entry]) -> list[Entry]:
    """The issues the archive still lists (their web edition is in the folder) whose issue file is gone: a
    retracted issue stays public until its files are deleted, and the writer should know."""
    built = {entry.slug for entry in current}
    return [entry for entry in listed if entry.slug not in built and entry.source
            and not (out_dir / entry.source).is_file()]


def stale_assets(out_dir: Path, listed: list[Entry], since: float) -> list[Path]:
    """The pictures in OUT/assets/ that no issue of the folder shows any more (an edited picture gets a new
    name; the old one stayed forever). Only files named as a build names them, only when every issue's
    pictures are known (an archive.json of an older newsletter, or a damaged one, has no record of them),
    and only those written before ``since`` (this build's start): another build into the folder may have
    written its pictures without recording them yet."""
    folder = out_dir / "assets"
    if not folder.is_dir() or any(entry.assets is None for entry in listed):
        return []
    shown = {name for entry in listed for name in entry.assets or ()}
    return sorted(path for path in folder.iterdir() if path.is_file() and _ASSET_NAME.fullmatch(path.name)
                  and path.name not in shown and path.stat().st_mtime < since)


def stale_pages(out_dir: Path, config: Config, listed: list[Entry]) -> list[Path]:
    """The index's pages past its last (page/N.html), left by a build that had more pages (more issues, or a
    smaller archive.page_size)."""
    folder = out_dir / "page"
    count = len(_pages(listed, config.archive.page_size))
    return sorted(path for path in folder.glob("*.html") if path.stem.isdigit() and int(path.stem) > count) \
        if folder.is_dir() else []

def archive_files(out_dir: Path, config: Config, current: list[Entry], web_editions: Mapping[str, str],
                  templates_dir: Path | None = None, labels: Mapping[str, Mapping[str, str]] | None = None,
                  ) -> tuple[dict[Path, str], list[Entry]]:
    """Every file of the archive this build writes: the index's pages, the feed, ``archive.json``, the
    sitemap, and the web editions, those of this build (``web_editions``, slug: HTML) and those of earlier
    builds whose neighbours changed, each with its links to them; and the issues it lists, newest first (what
    ``archive.json`` then holds)."""
    from . import feed, language, webpage
    from .webpage import Neighbour

    listed = entries(out_dir, current)
    listed = _with_content(out_dir, config, listed, web_editions)
    files: dict[Path, str] = {}
    linked = []
    for number, entry in enumerate(listed):
        older = listed[number + 1] if number + 1 < len(listed) else None
        newer = listed[number - 1] if number > 0 else None
        lang = entry.lang or config.lang
        nav = webpage.nav_html(language.words(config, lang, labels), config,
                               Neighbour(older.slug, older.subject, older.lang or config.lang) if older else None,
                               Neighbour(newer.slug, newer.subject, newer.lang or config.lang) if newer else None)
        key = hashlib.sha256(nav.encode()).hexdigest()[:20]
        linked.append(replace(entry, older=older.slug if older else "", newer=newer.slug if newer else "", nav=key))
        html = web_editions.get(entry.slug)
        if html is None and key == entry.nav:
            continue  # an earlier build's edition whose links are still right, to the word
        if html is None:
            try:
                html = (out_dir / f"{entry.slug}{WEB_SUFFIX}").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # gone or not ours since: it leaves the archive at the next build
        files[out_dir / f"{entry.slug}{WEB_SUFFIX}"] = webpage.with_nav(html, nav)
    for name, html in index_pages(config, linked, templates_dir, labels).items():
        files[out_dir / name] = html
    files[out_dir / webpage.FEED] = feed.feed_xml(config, linked)
    if config.archive_url:
        files[out_dir / "sitemap.xml"] = feed.sitemap_xml(config, linked, len(_pages(linked, config.archive.page_size)))
        files[out_dir / "robots.txt"] = feed.robots_txt(config)
    files[out_dir / ARCHIVE_DATA] = archive_json(linked)
    return files, linked


def _with_content(out_dir: Path, config: Config, listed: list[Entry], web_editions: Mapping[str, str]) -> list[Entry]:
    """The feed's content for the newest entries: from this build's web editions, else as an earlier build
    kept it, else from the web edition in the folder; none for the others, which the feed does not hold."""
    from . import feed, webpage

    made = []
    for number, entry in enumerate(listed):
        html = web_editions.get(entry.slug)
        if number >= config.archive.feed_entries:
            made.append(replace(entry, content="", content_of=""))
            continue
        if html is None and not entry.content:
            try:
                html = (out_dir / f"{entry.slug}{WEB_SUFFIX}").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                html = None
        if html is not None:
            key = hashlib.sha256(f"{config.archive_url}\0{html}".encode()).hexdigest()[:20]
            if key != entry.content_of or not entry.content:  # a rebuilt, unchanged issue keeps its content
                page = webpage.absolute(config, quote(entry.slug + WEB_SUFFIX))
                entry = replace(entry, content=feed.content_of(html, page), content_of=key)
        made.append(entry)
    return made
