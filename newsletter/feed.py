"""Stage 7b, the archive's machine-read files: the Atom feed (``feed.xml``) of the newest issues with their full
content, authors and hero, the ``sitemap.xml`` of every page, and the ``robots.txt`` that points to it.

Written with lxml, which the archive loads anyway (feedgen wrote the old summary-only feed byte for byte the
same but cost 30 ms of every cold build to import). Addresses are absolute under ``archive_url``; without it,
the feed's links are relative to the folder and no sitemap is written (a sitemap must list absolute URLs).
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Any

from . import webpage
from .models import Config, is_hosted

if TYPE_CHECKING:
    from .archive import Entry

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)


# What a feed reader needs of an element: its meaning, not the email's layout or look (readers style entries
# their own way, and most drop style attributes anyway).
_KEPT = {"href", "src", "alt", "title", "lang", "dir", "id", "start", "datetime", "cite", "colspan", "rowspan"}
_KEPT_ON_IMG = _KEPT | {"width", "height"}
_CELLS = ("tbody", "thead", "tfoot", "tr", "td", "th")


def content_of(web_html: str, page_url: str | None) -> str:
    """A web edition's body as a feed reader shows it: its headings, paragraphs, lists, pictures and links,
    without the email's layout tables and wrappers, Outlook's conditional code (comments), styles, scripts,
    what no reader sees (``display:none``) and its links to other issues; relative links made absolute against
    ``page_url`` when there is one. A third of the web edition's size.

    Written out in one walk of the tree (lxml's drop_tag() on each wrapper took 3 s for 4,000 blocks)."""
    from lxml import etree

    # Plain lxml.etree elements: lxml.html looks up a Python class for every element it hands out.
    root = etree.fromstring(web_html, etree.HTMLParser()) if web_html.strip() else None
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    out: list[str] = []
    _write_children(body, out, page_url, False)
    return re.sub(r"\n\s*\n+", "\n", "".join(out)).strip()


_VOID = {"img", "br", "hr", "wbr"}
_LINKS = {"href", "src", "cite"}
_DROPPED = {"style", "script", "nav", "head", "title", "meta", "link"}


def _write_children(element: Any, out: list[str], base: str | None, layout: bool) -> None:
    """``layout``: whether the nearest table around ``element`` is a layout table, whose rows and cells are
    wrappers (carried down the walk: looking up for it at each cell was a third of this stage)."""
    out.append(escape(element.text or "", quote=False))
    for child in element:
        _write(child, out, base, layout)


def _absolute(value: str, base: str | None) -> str:
    """A link of the page made absolute against ``base`` (lxml's make_links_absolute took a third of this
    stage, rewriting every attribute that could hold a URL)."""
    if base is None or value.startswith(("http://", "https://", "mailto:")):
        return value
    from urllib.parse import urljoin

    return urljoin(base, value)


def _write(element: Any, out: list[str], base: str | None, layout: bool) -> None:
    tail = escape(element.tail or "", quote=False)
    tag = element.tag if isinstance(element.tag, str) else None
    style = element.get("style") if tag is not None else None
    if tag is None or tag in _DROPPED or (style and _HIDDEN.search(style)):  # comments, Outlook's code
        out.append(tail)
        return
    if tag == "table":
        layout = element.get("role") == "presentation"
        wrapper = layout
    elif tag in _CELLS:  # a row or cell of a layout table (its nearest table)
        wrapper = layout
    else:
        wrapper = tag in ("div", "span", "center") and element.get("lang") is None and element.get("dir") is None
    if wrapper:  # layout: what it holds, not itself
        _write_children(element, out, base, layout)
        out.append(tail)
        return
    kept = _KEPT_ON_IMG if tag == "img" else _KEPT
    attributes = "".join(f' {name}="{escape(_absolute(value, base) if name in _LINKS else value)}"'
                         for name, value in element.attrib.items() if name in kept)
    out.append(f"<{tag}{attributes}>")
    if tag not in _VOID:
        _write_children(element, out, base, layout)
        out.append(f"</{tag}>")
    out.append(tail)


def _moment(iso: str) -> str:
    return f"{iso or '1970-01-01'}T00:00:00+00:00"


def feed_xml(config: Config, listed: list[Entry]) -> str:
    """The Atom 1.0 feed of the newest ``archive.feed_entries`` of ``listed`` (newest first)."""
    from lxml import etree

    def add(parent: etree._Element, name: str, text: str | None = None, namespace: str = ATOM,
            **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{namespace}}}{name}", attributes)
        element.text = text
        return element

    base = config.archive_url.rstrip("/") + "/" if config.archive_url else ""
    feed = etree.Element(f"{{{ATOM}}}feed", {_XML_LANG: config.lang}, nsmap={None: ATOM, "media": MEDIA})
    add(feed, "id", config.archive_url or f"urn:newsletter:{config.name}")
    add(feed, "title", config.name)
    if config.archive.description:
        add(feed, "subtitle", config.archive.description)
    add(feed, "updated", _moment(listed[0].date if listed else ""))
    add(feed, "link", href=base or "index.html", rel="alternate", type="text/html")
    if base:
        add(feed, "link", href=f"{base}{webpage.FEED}", rel="self", type="application/atom+xml")
    author = add(feed, "author")  # the entries without authors of their own are the publication's
    add(author, "name", config.name)
    if config.website:
        add(author, "uri", config.website)
    add(feed, "generator", "newsletter")  # no version: the feed stays the same across upgrades
    if config.logo is not None and is_hosted(str(config.logo.src)):
        add(feed, "logo", str(config.logo.src))
    for item in listed[:config.archive.feed_entries]:
        entry = add(feed, "entry")
        url = webpage.web_url(config, item.slug)
        if item.lang and item.lang != config.lang:
            entry.set(_XML_LANG, item.lang)
        add(entry, "id", url if base else f"urn:newsletter:{item.slug}")
        add(entry, "title", item.subject)
        add(entry, "updated", _moment(item.date))
        add(entry, "published", _moment(item.date))
        add(entry, "link", href=url, rel="alternate", type="text/html")
        for name in item.authors:
            add(add(entry, "author"), "name", name)
        if item.description:
            add(entry, "summary", item.description)
        if item.content:
            add(entry, "content", item.content, type="html")
        if item.image:
            picture = {"url": item.image, "medium": "image"}
            if item.image_width and item.image_height:
                picture.update(width=str(item.image_width), height=str(item.image_height))
            media = add(entry, "content", namespace=MEDIA, **picture)
            if item.image_alt:
                add(media, "description", item.image_alt, namespace=MEDIA, type="plain")
    return etree.tostring(feed, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def sitemap_xml(config: Config, listed: list[Entry], pages: int) -> str:
    """Every page of the index and every web edition, absolute under ``archive_url``, with the date of the
    newest issue each shows as its ``lastmod``."""
    from lxml import etree

    base = (config.archive_url or "").rstrip("/") + "/"
    urlset = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})

    def add(location: str, date: str) -> None:
        url = etree.SubElement(urlset, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = location
        if date:
            etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = date

    size = config.archive.page_size
    for number in range(1, pages + 1):
        shown = listed[(number - 1) * size:number * size]
        add(base + ("" if number == 1 else webpage.page_path(number)), max((entry.date for entry in shown), default=""))
    for item in listed:
        add(webpage.web_url(config, item.slug), item.date)
    return etree.tostring(urlset, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def robots_txt(config: Config) -> str:
    """Crawlers welcome, and where the sitemap is. It works where the folder is the site's root; published under
    a path, add its Sitemap line to the site's own robots.txt."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {(config.archive_url or '').rstrip('/')}/sitemap.xml\n"
