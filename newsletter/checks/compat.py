"""The ``compat`` rule: the HTML elements, attributes and CSS an email uses that a client it targets does not
support, from caniemail's data (``data/caniemail.json``, MIT: ``data/CANIEMAIL-LICENSE``; refreshed by
``scripts/refresh-caniemail``).

Targets are the config's ``checks: {clients: [...]}``: a family (``gmail``, ``apple-mail``), or a family and a
platform (``outlook-windows``, ``gmail-android``). What the built-in templates and MRML use on purpose, knowing
how each client degrades (Outlook's conditional code, the dark-mode media query and selectors, the rounded
headshot that Outlook squares), is listed in ``ON_PURPOSE`` and not reported; the same feature met in a
template of one's own is, unless it is one of those.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .core import Add, Email, rule

DATA = Path(__file__).parent / "data" / "caniemail.json"

# The clients a project targets unless its config says otherwise: most of the opens measured in 2025.
DEFAULT_CLIENTS = ("apple-mail", "gmail", "outlook-windows", "outlook-com", "outlook-macos", "outlook-ios",
                   "outlook-android", "yahoo", "samsung-email")

# What the built-in templates and MRML's output use knowing that some clients lack it, and why that is fine.
ON_PURPOSE: dict[str, str] = {
    "css-at-media": "MRML's responsive columns: clients without it get the one-column layout",
    "css-at-media-prefers-color-scheme": "the dark palette: clients without it show the light one",
    "css-selector-attribute": "[data-ogsc]/[data-ogsb] dark rules for Outlook.com, ignored elsewhere",
    "css-selector-child": "dark-mode selectors, ignored where unsupported",
    "css-selector-descendant": "dark-mode and responsive selectors, ignored where unsupported",
    "css-selector-class": "dark-mode and responsive selectors, ignored where unsupported",
    "css-selector-grouping": "dark-mode selectors, ignored where unsupported",
    "css-selector-type": "MRML's resets, ignored where unsupported",
    "css-selector-id": "MRML's resets (#outlook a), ignored where unsupported",
    "css-important": "the dark rules and MRML's mobile rules must beat inline styles where they apply",
    "css-display-none": "the hidden preheader, and the dark logo hidden until dark mode shows it",
    "css-display": "MRML's columns (inline-block) and pictures (block)",
    "css-border-radius": "round headshots and buttons, square in Outlook for Windows",
    "css-max-width": "MRML's centred 600 px layout; Outlook gets conditional tables of fixed width",
    "css-max-height": "the hidden preheader and dark logo",
    "css-opacity": "the hidden preheader",
    "css-overflow": "the hidden preheader and the round headshot",
    "css-width": "MRML's columns; Outlook gets conditional tables of fixed width",
    "css-height": "pictures keep their proportions; Outlook reads the height attribute",
    "css-margin": "paragraph spacing; Outlook keeps its own where it ignores it",
    "css-padding": "MRML's cells; Outlook applies padding on cells",
    "css-background": "MRML writes background and background-color together",
    "css-background-color": "set with the bgcolor attribute too, for Outlook",
    "css-border": "the key-point rule and the divider",
    "css-border-collapse": "the byline's table",
    "css-direction": "right-to-left editions: the dir attributes carry the direction where it is ignored",
    "css-font-weight": "bold text",
    "css-font": "MRML's resets",
    "css-font-size": "every text",
    "css-line-height": "every text",
    "css-letter-spacing": "the Contents heading",
    "css-text-align": "alignment, which the align attribute repeats",
    "css-text-decoration": "links' underlines",
    "css-text-transform": "the Contents heading's capitals",
    "css-vertical-align": "MRML's columns; valign repeats it",
    "css-word-break": "MRML's cells: long words wrap where it is supported",
    "css-word-spacing": "MRML's body reset",
    "css-border-spacing": "MRML's picture tables (border-spacing: 0), the default where it is ignored",
    "css-outline": "MRML's pictures (outline: none), the default where it is ignored",
    "css-cursor": "MRML's buttons (cursor: auto), the default where it is ignored",
    "css-left-right-top-bottom": "none set by the templates; MRML's resets",
    "css-box-sizing": "MRML's resets",
    "css-unit-percent": "widths in per cent",
    "css-unit-px": "sizes in pixels",
    "css-comments": "none written; a user's CSS may hold them",
    "css-rgba": "a see-through theme colour, written as the client reads it",
    "css-color-scheme": "declared by the color-scheme meta and style, ignored where unsupported",
    "html-meta-color-scheme": "declares light and dark, ignored where unsupported",
    "html-anchor-links": "the Contents' links to each block, which scroll where supported",
    "html-comments": "Outlook's conditional code",
    "html-role": "role=\"presentation\" and role=\"article\" for screen readers, harmless where dropped",
    "html-aria-label": "the article's name for screen readers",
    "html-aria-hidden": "a headshot's initials hidden from screen readers, which read the name beside it; where "
                        "the attribute is dropped they read the initials too",
    "html-lang": "lang for screen readers",
    "html-dir": "dir for right-to-left editions",
    "html-style": "the dark and responsive rules; every style is also inline",
    "html-valign": "MRML's cells",
    "html-align": "MRML's tables",
    "html-width": "pictures and MRML's tables",
    "html-height": "pictures",
    "html-cellpadding": "MRML's tables",
    "html-cellspacing": "MRML's tables",
    "html-doctype": "MRML's doctype",
    "html-lists": "lists in bodies and the Contents",
    "html-h1-h6": "headings",
    "html-blockquote": "quotes in bodies",
    "html-target": "none written; links open as the client decides",
    "html-mailto-links": "mailto: links a writer makes",
    "html-div": "MRML's structure",
    "html-span": "texts",
    "html-p": "paragraphs",
    "html-table": "MRML's structure",
    "html-img": "pictures",
    "html-body": "the body",
    "html-strong": "bold text",
    "image-png": "pictures",
    "image-jpg": "pictures",
    "image-gif": "pictures",
}

_PROPERTY_GROUPS = {
    "block-size & inline-size": ["block-size", "inline-size"],
    "border-inline & border-block": ["border-inline", "border-block"],
    "gap, column-gap, row-gap": ["column-gap", "gap", "row-gap"],
    "grid-template-* properties": ["grid-template", "grid-template-areas", "grid-template-columns",
                                   "grid-template-rows"],
    "css column properties": ["column-count", "column-fill", "column-rule", "column-span", "column-width",
                              "columns"],
    "left, right, top, bottom": ["left", "right", "top", "bottom"],
    "margin-inline & margin-block": ["margin-block", "margin-inline"],
    "padding-inline & padding-block": ["padding-block", "padding-inline"],
    "color-scheme CSS property": ["color-scheme"],
}
_SEMANTICS = ("article", "aside", "details", "figcaption", "figure", "footer", "header", "main", "mark", "nav",
              "section", "summary", "time")
_IMAGE_SUFFIXES = {".png": "image-png", ".jpg": "image-jpg", ".jpeg": "image-jpg", ".gif": "image-gif",
                   ".webp": "image-webp", ".avif": "image-avif", ".bmp": "image-bmp", ".ico": "image-ico",
                   ".svg": "image-svg", ".tif": "image-tiff", ".tiff": "image-tiff", ".heic": "image-heif",
                   ".heif": "image-heif", ".apng": "image-apng"}


@dataclass(frozen=True)
class Feature:
    slug: str
    title: str
    url: str
    unsupported: frozenset[str]
    partial: frozenset[str]
    notes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # client -> note


@dataclass
class Data:
    """caniemail's features, indexed by what in an email shows each one."""

    features: dict[str, Feature]
    clients: tuple[str, ...]
    families: dict[str, str]
    platforms: dict[str, str]
    updated: str
    properties: dict[str, list[str]] = field(default_factory=dict)  # CSS property -> slugs
    pairs: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (property, value) -> slugs
    functions: dict[str, list[str]] = field(default_factory=dict)
    elements: dict[str, list[str]] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def label(self, client: str) -> str:
        family, _, platform = client.partition(".")
        return f"{self.families.get(family, family)} ({self.platforms.get(platform, platform)})"


@lru_cache(maxsize=1)
def data() -> Data:
    """The vendored data, read and indexed once a process."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    features = {}
    found = Data({}, tuple(raw["clients"]), raw["families"], raw["platforms"], raw["last_update_date"][:10])
    for item in raw["features"]:
        notes = {client: text for text, clients in item["notes"].items() for client in clients}
        feature = Feature(item["slug"], item["title"], item["url"], frozenset(item["unsupported"]),
                          frozenset(item["partial"]), notes)
        features[feature.slug] = feature
        title, slug = item["title"].strip(), item["slug"]
        if item["category"] == "css":
            trimmed = re.sub(r" (shorthand|property)$", "", title)
            for name in _PROPERTY_GROUPS.get(title, [trimmed] if re.fullmatch(r"[a-z-]+", trimmed) else []):
                found.properties.setdefault(name, []).append(slug)
            pair = re.fullmatch(r"([a-z-]+):\s*([a-z-]+)", title)
            if pair:
                found.pairs.setdefault((pair.group(1), pair.group(2)), []).append(slug)
            for function in re.findall(r"([a-z-]+)\(\)", title):
                found.functions.setdefault(function, []).append(slug)
        elif item["category"] == "html":
            element = re.fullmatch(r"<(\w+)> element|<(\w+)>", title)
            attribute = re.fullmatch(r"([a-z-]+) attribute", title)
            if element:
                found.elements.setdefault(element.group(1) or element.group(2), []).append(slug)
            elif attribute:
                found.attributes.setdefault(attribute.group(1), []).append(slug)
    found.features = features
    for tag in ("ul", "ol", "dl"):
        found.elements.setdefault(tag, []).append("html-lists")
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        found.elements.setdefault(tag, []).append("html-h1-h6")
    for tag in _SEMANTICS:
        found.elements.setdefault(tag, []).append("html-semantics")
    found.elements.setdefault("address", []).append("html-address")
    found.elements.setdefault("map", []).append("html-image-maps")
    found.elements.setdefault("svg", []).append("html-svg")
    for name in ("srcset", "sizes"):
        found.attributes.setdefault(name, []).append("html-srcset")
    return found


def resolve_clients(names: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The ``family.platform`` clients that ``names`` stand for, and a message for each name that is none."""
    chosen, problems = _resolve_clients(tuple(names))
    return list(chosen), list(problems)


@lru_cache(maxsize=64)
def _resolve_clients(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    known = data()
    chosen: list[str] = []
    problems = []
    for name in names:
        wanted = name.strip().lower()
        matches = [client for client in known.clients if wanted in _names_of(client)]
        if not matches:
            import difflib

            forms = sorted({name for client in known.clients for name in _names_of(client)})
            close = difflib.get_close_matches(wanted, forms, n=1)
            problems.append(f"unknown email client {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                            + " (a family such as gmail, apple-mail, outlook, yahoo, or one platform of it: "
                              "outlook-windows, outlook-com, gmail-android, ...)")
        chosen.extend(client for client in matches if client not in chosen)
    return tuple(chosen), tuple(problems)


def _names_of(client: str) -> tuple[str, ...]:
    """What a config may call ``client`` (``outlook.windows``): outlook.windows, outlook, outlook-windows; and a
    platform that bears its family's name by it alone (``outlook.outlook-com``: outlook-com)."""
    family, _, platform = client.partition(".")
    names = (client, family, f"{family}-{platform}")
    return names + (platform,) if platform.startswith(family + "-") else names


@lru_cache(maxsize=4096)
def _declarations(style: str) -> tuple[tuple[str, str], ...]:
    """(property, value) of each declaration in a style attribute, lower case, without !important."""
    found = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name and value:
            found.append((name, value))
    return tuple(found)


@lru_cache(maxsize=64)
def _sheet(css: str) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """The declarations of a style sheet, and the other features it shows (at-rules, selectors, !important)."""
    import tinycss2

    declarations: list[tuple[str, str]] = []
    shown: set[str] = set()

    def rules(nodes: list) -> None:  # type: ignore[type-arg]
        for node in nodes:
            if node.type == "at-rule":
                keyword = node.lower_at_keyword
                shown.add({"media": "css-at-media", "font-face": "css-at-font-face", "import": "css-at-import",
                           "keyframes": "css-at-keyframes", "supports": "css-at-supports"}.get(keyword, ""))
                prelude = tinycss2.serialize(node.prelude or []).lower()
                for feature, slug in (("prefers-color-scheme", "css-at-media-prefers-color-scheme"),
                                      ("prefers-reduced-motion", "css-at-media-prefers-reduced-motion"),
                                      ("orientation", "css-at-media-orientation"), ("hover", "css-at-media-hover"),
                                      ("device-pixel-ratio", "css-at-media-device-pixel-ratio")):
                    if feature in prelude:
                        shown.add(slug)
                if node.content is not None:
                    if keyword == "font-face":
                        continue
                    rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True))
            elif node.type == "qualified-rule":
                selector = tinycss2.serialize(node.prelude).strip()
                shown.update(_selector_features(selector))
                for item in tinycss2.parse_declaration_list(node.content, skip_comments=True, skip_whitespace=True):
                    if item.type == "declaration":
                        declarations.append((item.lower_name, tinycss2.serialize(item.value).strip().lower()))
                        if item.important:
                            shown.add("css-important")

    rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    if "/*" in css:
        shown.add("css-comments")
    shown.discard("")
    return tuple(declarations), frozenset(shown)


def _selector_features(selector: str) -> set[str]:
    shown = set()
    for part in selector.split(","):
        part = part.strip()
        if "[" in part:
            shown.add("css-selector-attribute")
        if ">" in part:
            shown.add("css-selector-child")
        if "+" in part:
            shown.add("css-selector-adjacent-sibling")
        if "~" in part:
            shown.add("css-selector-general-sibling")
        if re.search(r"[\w\]\)]\s+[\w.#\[*:]", part):
            shown.add("css-selector-descendant")
        if re.search(r"(^|[\s>+~])\*", part):
            shown.add("css-selector-universal")
        if "." in part:
            shown.add("css-selector-class")
        if re.search(r"#[A-Za-z_-]", part):
            shown.add("css-selector-id")
        if re.search(r"(^|[\s>+~])[a-z][a-z0-9]*", part):
            shown.add("css-selector-type")
        if re.search(r"\.[\w-]+\.[\w-]+", part):
            shown.add("css-selector-chaining")
        for pseudo in re.findall(r"(?<!:):([a-z-]+)", part):
            shown.add(f"css-pseudo-class-{pseudo}")
        for pseudo in re.findall(r"::([a-z-]+)", part):
            shown.add(f"css-pseudo-element-{pseudo}")
    if "," in selector:
        shown.add("css-selector-grouping")
    return shown


@lru_cache(maxsize=4096)
def _value_features(name: str, value: str) -> frozenset[str]:
    known = data()
    shown: set[str] = set()
    base = name
    while True:
        shown.update(known.properties.get(base, ()))
        if "-" not in base:
            break
        base = base.rsplit("-", 1)[0]
    shown.update(known.pairs.get((name, value.split()[0] if value else ""), ()))
    if "(" in value:
        for function in re.findall(r"([a-z-]+)\(", value):
            shown.update(known.functions.get(function, ()))
    if "!important" in value:
        shown.add("css-important")
    return frozenset(shown)


_START_TAGS = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(\s[^>]*)?>")
_ATTRIBUTE_NAMES = re.compile(r"([A-Za-z][\w:-]*)=")
_STYLE_ATTRIBUTES = re.compile(r' style="([^"]*)"')
_STYLE_SHEETS = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_IMAGE_SOURCES = re.compile(r"<img\b[^>]*?\ssrc=[\"']([^\"']*)", re.I)


def features_of(email: Email) -> set[str]:
    """Each caniemail feature the email shows, read from its HTML with regular expressions, Outlook's
    conditional code included; what a distinct start tag or style shows is worked out once a process (the
    templates repeat the same few)."""
    html = email.html
    shown: set[str] = set()
    for tag, attributes in set(_START_TAGS.findall(html)):
        shown |= _tag_features(tag.lower(), attributes)
    for style in set(_STYLE_ATTRIBUTES.findall(html)):
        shown |= _style_features(style)
    for sheet in _STYLE_SHEETS.findall(html):
        declarations, others = _sheet(sheet)
        shown |= others
        for name, value in declarations:
            shown |= _value_features(name, value)
    for src in set(_IMAGE_SOURCES.findall(html)):
        src = src.lower()
        slug = "image-base64" if src.startswith("data:") else _IMAGE_SUFFIXES.get(Path(src.split("?", 1)[0]).suffix)
        if slug:
            shown.add(slug)
    if "<!--" in html:
        shown.add("html-comments")
    if 'href="#' in html:
        shown.add("html-anchor-links")
    if b'href="mailto:' in email.data.lower():  # ASCII's case alone: lowering the whole text took 0.4 ms
        shown.add("html-mailto-links")
    if 'name="color-scheme"' in html:
        shown.add("html-meta-color-scheme")
    return shown


@lru_cache(maxsize=4096)
def _tag_features(tag: str, attributes: str) -> frozenset[str]:
    known = data()
    shown = set(known.elements.get(tag, ()))
    for name in _ATTRIBUTE_NAMES.findall(attributes):
        shown.update(known.attributes.get(name.lower(), ()))
    return frozenset(shown)


@lru_cache(maxsize=4096)
def _style_features(style: str) -> frozenset[str]:
    shown: set[str] = set()
    for name, value in _declarations(style):
        shown |= _value_features(name, value)
    return frozenset(shown)


def _first_element(email: Email, feature: Feature) -> etree._Element | None:
    """An element that shows ``feature``, to name its place in the HTML; None when it is in a style sheet."""
    title = feature.title
    element = re.fullmatch(r"<(\w+)> element|<(\w+)>", title)
    if element:
        return next(email.tree.iter(element.group(1) or element.group(2)), None)
    attribute = re.fullmatch(r"([a-z-]+) attribute", title)
    if attribute:
        found = email.tree.xpath(f"//*[@{attribute.group(1)}]") if re.fullmatch(r"[a-z-]+", attribute.group(1)) else []
        return found[0] if found else None
    if feature.slug.startswith("css-"):
        pattern = re.compile(_template_pattern(feature), re.I)
        for candidate in email.tree.xpath("//*[@style]"):
            if pattern.search(candidate.get("style", "")):
                return candidate
    return None


@rule("compat", "warning", "HTML and CSS that a client the config targets (`checks: {clients: [...]}`) does not "
      "support, from caniemail's data; what the built-in templates use on purpose is not reported")
def _compat(email: Email, add: Add) -> None:
    known = data()
    targets = email.facts.clients if email.facts is not None and email.facts.clients else None
    if targets is None:
        targets = resolve_clients(DEFAULT_CLIENTS)[0]
    wanted = frozenset(targets)
    for slug in sorted(features_of(email)):
        if slug in ON_PURPOSE:
            continue
        feature = known.features.get(slug)
        if feature is None:
            continue
        lacking = sorted(feature.unsupported & wanted)
        partly = sorted(feature.partial & wanted)
        if not lacking and not partly:
            continue
        said = []
        if lacking:
            said.append("not supported by " + ", ".join(known.label(client) for client in lacking))
        if partly:
            said.append("partly by " + ", ".join(known.label(client) + (f" ({feature.notes[client]})"
                                                                         if client in feature.notes else "")
                                                  for client in partly))
        add(f"{feature.title} is {'; '.join(said)} (caniemail: {feature.url}, data of {known.updated})",
            _first_element(email, feature),
            template=_template_pattern(feature), fix="leave it out, or give those clients a fallback",
            by_element=False)


def _template_pattern(feature: Feature) -> str:
    title = feature.title
    pair = re.fullmatch(r"([a-z-]+):\s*([a-z-]+)", title)
    if pair:
        return rf"{pair.group(1)}\s*:\s*{pair.group(2)}"
    element = re.fullmatch(r"<(\w+)> element", title)
    if element:
        return rf"<{element.group(1)}\b"
    attribute = re.fullmatch(r"([a-z-]+) attribute", title)
    if attribute:
        return rf"\b{attribute.group(1)}="
    trimmed = re.sub(r" (shorthand|property)$", "", title)
    if re.fullmatch(r"[a-z-]+", trimmed):
        return rf"\b{trimmed}\s*:"
    return re.escape(title.split()[0])
