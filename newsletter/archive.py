"""The web archive in the output folder: ``index.html`` lists every built issue newest first, and
``feed.xml`` is its Atom feed. Each issue's ``X.web.html`` is the view-in-browser edition.

Both are made from every ``*.web.html`` in the folder, so building one issue keeps the others listed; the
issues of the current build are taken from memory, so ``--check`` sees what a build would write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

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


def entry_from_html(slug: str, html: str) -> Entry:
    """The archive entry described by the head of a web edition (its title and meta tags)."""
    from lxml import etree

    root = etree.fromstring(html.encode("utf-8"), etree.HTMLParser())
    if root is None:
        raise ValueError("not an HTML document")
    title = root.find(".//title")
    metas = {meta.get("name"): meta.get("content") or "" for meta in root.iter("meta") if meta.get("name")}
    subject = " ".join("".join(title.itertext()).split()) if title is not None else slug
    return Entry(metas.get("newsletter:date", ""), slug, subject, metas.get("description", ""))


_HEAD_END = re.compile(rb"</head\s*>", re.I)


def _head(path: Path, chunk: int = 16384) -> str:
    """The start of the file at ``path`` up to its ``</head>``: all an entry needs, a fifth of a web edition."""
    with path.open("rb") as stream:
        data = b""
        while block := stream.read(chunk):
            data += block
            end = _HEAD_END.search(data, max(0, len(data) - len(block) - 16))
            if end:
                return data[: end.end()].decode("utf-8")
    return data.decode("utf-8")


def entries(out_dir: Path, current: list[Entry]) -> list[Entry]:
    """Every issue of the folder, newest first: the web editions on disk, with ``current`` replacing them."""
    found = {entry.slug: entry for entry in current}
    for path in sorted(out_dir.glob(f"*{WEB_SUFFIX}")) if out_dir.is_dir() else []:
        slug = path.name[: -len(WEB_SUFFIX)]
        if slug not in found:
            try:
                # Only the head is read: a build of one issue into a ten-year archive read and parsed 520
                # whole web editions (0.4 s) to list them.
                found[slug] = entry_from_html(slug, _head(path))
            except (OSError, UnicodeDecodeError, ValueError):
                continue  # not one of ours: left out of the index rather than failing the build
    return sorted(found.values(), key=lambda e: (e.date, e.slug), reverse=True)


def _url(config: Config, slug: str) -> str:
    name = f"{slug}{WEB_SUFFIX}"
    return f"{config.archive_url.rstrip('/')}/{name}" if config.archive_url else name


def index_html(config: Config, listed: list[Entry]) -> str:
    rows = "\n".join(
        f'    <li><time datetime="{escape(e.date)}">{escape(e.date)}</time> '
        f'<a href="{escape(e.slug)}{WEB_SUFFIX}">{escape(e.subject)}</a>'
        + (f"<br><span>{escape(e.description)}</span>" if e.description else "") + "</li>"
        for e in listed
    )
    title = f"{config.name}: {config.labels.archive}"
    return f"""<!doctype html>
<html lang="{escape(config.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="alternate" type="application/atom+xml" href="feed.xml" title="{escape(config.name)}">
<style>
  body {{ font: 17px/1.5 Georgia, serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
  ul {{ list-style: none; padding: 0; }} li {{ margin: 0 0 1.2rem; }}
  time {{ color: #555; font: 14px Helvetica, Arial, sans-serif; display: block; }}
  span {{ color: #444; }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<ul>
{rows}
</ul>
</body>
</html>
"""


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


def archive_files(out_dir: Path, config: Config, current: list[Entry]) -> dict[Path, str]:
    listed = entries(out_dir, current)
    return {out_dir / "index.html": index_html(config, listed), out_dir / "feed.xml": feed_xml(config, listed)}
