"""Stage 7b: the web archive of an output folder: ``index.html`` lists every issue built into it, newest
first, ``feed.xml`` is its Atom feed, and ``archive.json`` remembers the entries between builds. Each
issue's ``X.web.html`` is the view-in-browser edition.

An entry comes from the issue's model (subject, date, preheader), never from what a template wrote, so a
folder of templates of one's own still gets a correct archive. Building one issue keeps the others listed:
``archive.json`` holds them, for as long as their web edition is in the folder. ``index.html`` comes from the
template ``archive.html.j2``, which a project may override like the others.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from .models import Config, Issue

WEB_SUFFIX = ".web.html"


@dataclass(frozen=True, order=True)
class Entry:
    """One issue in the archive."""

    date: str  # ISO date, or "" for an undated issue
    slug: str
    subject: str
    description: str


def entry_for(slug: str, issue: Issue) -> Entry:
    """The archive entry of an issue just built; the same as its web edition's head says."""
    return Entry(issue.date.isoformat() if issue.date else "", slug, issue.subject, issue.preheader or issue.subject)


ARCHIVE_DATA = "archive.json"


def entries(out_dir: Path, current: list[Entry]) -> list[Entry]:
    """Every issue of the folder, newest first: those in ``archive.json`` whose web edition is still there,
    with ``current`` (the issues of this build) replacing them."""
    found: dict[str, Entry] = {}
    data_file = out_dir / ARCHIVE_DATA
    try:
        data = json.loads(data_file.read_text(encoding="utf-8"))
        for item in data.get("entries", []):
            entry = Entry(*(str(item[key] or "") for key in ("date", "slug", "subject", "description")))
            if (out_dir / f"{entry.slug}{WEB_SUFFIX}").is_file():
                found[entry.slug] = entry
    except FileNotFoundError:
        found = _from_web_editions(out_dir)  # a folder built before archive.json: start from its pages
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # an archive that is not ours: this build's issues start it again
    found.update((entry.slug, entry) for entry in current)
    return sorted(found.values(), key=lambda e: (e.date, e.slug), reverse=True)


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
        if subject and re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", date):
            found[slug] = Entry(date, slug, subject, metas.get("description", ""))
    return found


def archive_json(listed: list[Entry]) -> str:
    return json.dumps({"entries": [asdict(entry) for entry in listed]}, ensure_ascii=False, indent=1) + "\n"


# The names the archive template receives (the template contract; docs/reference.md is made from this).
CONTEXT: dict[str, str] = {
    "config": "The validated config: `name`, `lang`, `labels.archive`, `archive_url`, ...",
    "title": "The page's title: the publication's name and `labels.archive` (in the config's language).",
    "dir": "The direction of the config's language, `ltr` or `rtl`.",
    "entries": "The issues, newest first: `date` (ISO, or empty), `slug`, `subject`, `description`, and `url`, "
               "the web edition's address relative to the index.",
}


@dataclass(frozen=True)
class _Listed:
    date: str
    slug: str
    subject: str
    description: str
    url: str


def _url(config: Config, slug: str) -> str:
    name = quote(f"{slug}{WEB_SUFFIX}")
    return f"{config.archive_url.rstrip('/')}/{name}" if config.archive_url else name


def index_html(config: Config, listed: list[Entry], templates_dir: Path | None = None) -> str:
    from . import render  # the template loader: ours, or the project's archive.html.j2

    # A file name is the author's: quoted, a name with a colon cannot become a link of another scheme.
    rows = [_Listed(e.date, e.slug, e.subject, e.description, quote(f"{e.slug}{WEB_SUFFIX}")) for e in listed]
    from . import language

    words = language.words(config, config.lang)
    context = {"config": config, "title": f"{config.name}: {words.archive}", "entries": rows,
               "dir": language.direction(config.lang)}
    return render.render_page(ARCHIVE_TEMPLATE, context, templates_dir)


ARCHIVE_TEMPLATE = "archive.html.j2"


_ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed_xml(config: Config, listed: list[Entry]) -> str:
    """The Atom feed of ``listed`` (newest first). Written with lxml, which the checks load anyway: feedgen
    wrote the same bytes (a property test compares the two) but cost 30 ms of every cold build to import."""
    from lxml import etree

    def moment(iso: str) -> str:
        return f"{iso or '1970-01-01'}T00:00:00+00:00"

    def add(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{_ATOM}}}{name}", attributes)
        element.text = text
        return element

    base = config.archive_url or ""
    feed = etree.Element(f"{{{_ATOM}}}feed", {_XML_LANG: config.lang}, nsmap={None: _ATOM})
    add(feed, "id", base or f"urn:newsletter:{config.name}")
    add(feed, "title", config.name)
    add(feed, "updated", moment(listed[0].date if listed else ""))
    add(feed, "link", href=base or "index.html", rel="alternate")
    if base:
        add(feed, "link", href=f"{base.rstrip('/')}/feed.xml", rel="self")
    add(feed, "generator", "newsletter")  # no version: the feed stays the same across upgrades
    for item in listed:
        entry = add(feed, "entry")
        url = _url(config, item.slug)
        add(entry, "id", url if base else f"urn:newsletter:{item.slug}")
        add(entry, "title", item.subject)
        add(entry, "updated", moment(item.date))
        add(entry, "link", href=url)
        if item.description:
            add(entry, "summary", item.description)
        add(entry, "published", moment(item.date))
    return etree.tostring(feed, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def archive_files(out_dir: Path, config: Config, current: list[Entry],
                  templates_dir: Path | None = None) -> dict[Path, str]:
    listed = entries(out_dir, current)
    return {out_dir / "index.html": index_html(config, listed, templates_dir),
            out_dir / "feed.xml": feed_xml(config, listed), out_dir / ARCHIVE_DATA: archive_json(listed)}
