"""Outbound links: UTM parameters for analytics, added the same way to the HTML and the plain text.

Only absolute http(s) URLs are tagged; existing query strings keep their order, a parameter already in
the URL is never overwritten, and the fragment stays last. Mailto links, in-email anchors, merge tags and
unsubscribe links are never passed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from .models import Config, Utm
from .platforms import PLATFORMS, Platform

Tagger = Callable[[str], str]
WEB_SUFFIX = ".web.html"  # an issue's web edition is SLUG.web.html in the output folder


def untagged(url: str) -> str:
    return url


def utm_tagger(utm: Utm | None, slug: str, date: str = "") -> Tagger:
    """A function that adds ``utm``'s parameters to a URL; the identity when ``utm`` is None."""
    if utm is None:
        return untagged
    values = {"utm_source": utm.source, "utm_medium": utm.medium, "utm_campaign": utm.campaign}
    params = [(key, value.replace("{slug}", slug).replace("{date}", date)) for key, value in values.items()]

    def tag(url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return url
        present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
        extra = "&".join(f"{key}={quote(value, safe='')}" for key, value in params if key not in present)
        if not extra:
            return url
        query = f"{parts.query}&{extra}" if parts.query else extra
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

    return tag


@dataclass(frozen=True)
class Links:
    """The links that differ between editions of one issue: the footer's, and how outbound links are tagged.

    ``web`` is the edition for the web archive: no merge tags and no unsubscribe link, which would mean
    nothing outside a mailbox."""

    slug: str
    platform: Platform
    unsubscribe: str | None
    view_in_browser: str | None
    tag: Tagger
    web: bool = False


def web_edition(links: Links) -> Links:
    """The links of the web edition of the issue whose email has ``links``: the same tagging (the same function,
    so that the render can tell the two editions share it), no merge tags, no unsubscribe link."""
    return replace(links, unsubscribe=None, view_in_browser=None, web=True)


def links_for(config: Config, slug: str, date: str = "", platform: str | None = None, web: bool = False,
              platforms: dict[str, Platform] | None = None) -> Links:
    """The links of one edition of an issue; ``platforms`` are the project's (newsletter's and its plugins')."""
    chosen = (PLATFORMS if platforms is None else platforms)[platform or config.platform]
    tag = utm_tagger(config.utm, slug, date)
    if web:
        return Links(slug, chosen, None, None, tag, web=True)
    if chosen.name == "none":
        archive = f"{config.archive_url.rstrip('/')}/{slug}{WEB_SUFFIX}" if config.archive_url else None
        return Links(slug, chosen, config.unsubscribe_url, archive, tag)
    return Links(slug, chosen, chosen.unsubscribe, chosen.view_in_browser, tag)
