"""Pre-send checks on a built email: the HTML with its plain-text part, as a mailbox would receive them.

Each rule looks at the output, not at the issue, so it also judges what a user's own templates made. A
finding has a rule id, a severity (``error`` or ``warning``), a message, and the file and line it is about.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from . import colors
from .errors import InputError, Problem

GMAIL_CLIP_BYTES = 102_400
GMAIL_WARN_BYTES = 90 * 1024  # the ESP adds tracking links and wrappers on the way out
SUBJECT_MAX = 78
PREHEADER_MIN = 40
CONTRAST_MIN = 4.5
CONTRAST_MIN_LARGE = 3.0

_PARSER = etree.HTMLParser(remove_comments=False)
MERGE_TAG = re.compile(r"\{\{.*?\}\}|\*\|.*?\|\*|%[A-Za-z_]+%|\[[A-Za-z_]+\]|<%.*?%>|\$\{.*?\}|\[\[.*?\]\]|%%.*?%%")
_ANCHOR_TARGETS = etree.XPath("//@id | //a/@name")
UNSUBSCRIBE_TAG = re.compile(r"unsub|opt.?out|\[unsubscribe\]|%unsubscribe_url%", re.I)

RULES = {
    "gmail-clip": "HTML over Gmail's 102 KB clipping limit (warning from 90 KB)",
    "img-alt": "an image without alt text",
    "link-scheme": "a link that is not https, mailto, an in-email anchor or a merge tag",
    "link-empty": "a link with an empty or '#' target",
    "anchor-target": "an in-email link whose target id does not exist",
    "unsubscribe": "no unsubscribe link",
    "subject-length": f"a subject over {SUBJECT_MAX} characters",
    "preheader": f"no preheader, or one shorter than {PREHEADER_MIN} characters",
    "text-parity": "a title, author or link of the HTML missing from the plain text",
    "contrast": "text under WCAG AA contrast against its background",
    "dark-mode": "no color-scheme / supported-color-schemes meta",
    "lang": "no lang on <html>",
}


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    rule: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity} [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def collect(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """``(X.html, X.txt or None)`` for each email named: an .html, its .txt, or a folder of them."""
    emails: dict[Path, Path | None] = {}
    for path in paths:
        if path.is_dir():  # the emails, not their web editions or the archive's index
            htmls = sorted(p for p in path.glob("*.html") if not p.name.endswith(".web.html") and p.name != "index.html")
        elif path.suffix == ".txt":
            htmls = [path.with_suffix(".html")]
        else:
            htmls = [path]
        for html in htmls:
            if not html.is_file():
                raise InputError([Problem(str(html), 1, 1, "", "file not found")])
            text = html.with_suffix(".txt")
            emails[html] = text if text.is_file() else None
    return list(emails.items())


def check_files(html: Path, text: Path | None) -> list[Finding]:
    """The findings about the email in the file ``html``, with its plain text from ``text``."""
    try:
        return check_email(html.read_text(encoding="utf-8"), text.read_text(encoding="utf-8") if text else None,
                           str(html))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(html), 1, 1, "", f"cannot read: {exc}")]) from None


def check_email(html: str, text: str | None, html_name: str = "email.html") -> list[Finding]:
    """Every finding about one email, located in ``html_name``; ``text`` is None without a plain-text part."""
    data = html.encode("utf-8")  # once: encoding the example took a tenth of the checks' time
    # Plain lxml.etree elements: lxml.html looks up a Python class for every element it hands out.
    tree = etree.fromstring(data, _PARSER) if html.strip() else None
    if tree is None:
        raise InputError([Problem(html_name, 1, 1, "", "empty: not an HTML document")])
    findings: list[Finding] = []

    def add(rule: str, severity: str, message: str, line: int | None = 1) -> None:
        findings.append(Finding(html_name, line or 1, rule, severity, message))

    size = len(data)
    if size > GMAIL_CLIP_BYTES:
        add("gmail-clip", "error", f"HTML is {size:,} bytes: Gmail clips a message over {GMAIL_CLIP_BYTES:,}")
    elif size > GMAIL_WARN_BYTES:
        add("gmail-clip", "warning", f"HTML is {size:,} bytes, close to Gmail's {GMAIL_CLIP_BYTES:,}-byte clip")

    for image in tree.iter("img"):
        if "alt" not in image.attrib:
            add("img-alt", "error", f"image {image.get('src', '')!r} has no alt attribute", image.sourceline)
        elif not image.get("alt").strip() and image.get("role") != "presentation":
            add("img-alt", "warning", f"image {image.get('src', '')!r} has empty alt text but is not marked "
                'role="presentation"', image.sourceline)

    ids = {str(value) for value in _ANCHOR_TARGETS(tree) if value}
    unsubscribe_found = False
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        line = link.sourceline
        if UNSUBSCRIBE_TAG.search(href) or "unsubscribe" in _text(link).lower():
            unsubscribe_found = True
        if href in ("", "#"):
            add("link-empty", "error", f"link {_label(link)!r} has an empty target", line)
        elif href.startswith("#"):
            if href[1:] not in ids:
                add("anchor-target", "error", f"link {_label(link)!r} points to #{href[1:]}, which does not exist", line)
        elif MERGE_TAG.fullmatch(href):
            continue
        else:
            scheme = urlsplit(href).scheme.lower()
            if scheme == "http":
                add("link-scheme", "warning", f"link {href!r} is not https", line)
            elif scheme not in ("https", "mailto"):
                add("link-scheme", "error", f"link {href!r} is not https, mailto, an anchor or a merge tag", line)
    if not unsubscribe_found:
        add("unsubscribe", "warning", "no unsubscribe link: add your platform's merge tag (or a URL) to the footer")

    title = tree.find(".//title")
    subject = " ".join((_text(title) if title is not None else "").split())
    if len(subject) > SUBJECT_MAX:
        add("subject-length", "warning", f"subject is {len(subject)} characters; inboxes cut it near {SUBJECT_MAX}",
            title.sourceline if title is not None else 1)

    preheader = _preheader(tree)
    if preheader is None:
        add("preheader", "warning", "no preheader: the inbox preview will show the first words of the email")
    elif len(preheader) < PREHEADER_MIN:
        add("preheader", "warning", f"preheader is {len(preheader)} characters; {PREHEADER_MIN} or more fill the "
            "inbox preview")

    metas = {(meta.get("name") or "").lower() for meta in tree.iter("meta")}
    if not {"color-scheme", "supported-color-schemes"} & metas:
        add("dark-mode", "warning", 'no <meta name="color-scheme">: dark-mode clients will recolour the email freely')

    root = tree
    if not (root.get("lang") or "").strip():
        add("lang", "error", "<html> has no lang attribute: screen readers cannot pick a voice", root.sourceline)

    _contrast(tree, add)
    if text is None:
        add("text-parity", "warning", "no plain-text part to compare with")
    else:
        _text_parity(tree, text, add)
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.rule, f.message))


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _label(link: etree._Element) -> str:
    return " ".join(_text(link).split())[:60]


def _preheader(tree: etree._Element) -> str | None:
    """The hidden text MJML puts first in the body for the inbox preview."""
    body = tree.find(".//body")
    first = next((child for child in body.iterchildren() if isinstance(child.tag, str)), None) if body is not None else None
    if first is None or "display:none" not in (first.get("style") or "").replace(" ", ""):
        return None
    return " ".join(_text(first).split())


# The strong elements first, then their ancestors' classes: testing every element's class took four
# times as long.
_BYLINE_NAMES = etree.XPath("//strong[ancestor::*[contains(concat(' ', @class, ' '), ' nl-byline ')]]")


def _text_parity(tree: etree._Element, text: str, add) -> None:  # type: ignore[no-untyped-def]
    expected: list[tuple[str, str, int | None]] = []
    for heading in tree.xpath("//h2[starts-with(@id, 'brief-')]"):
        expected.append(("title", " ".join(_text(heading).split()), heading.sourceline))
    for name in _BYLINE_NAMES(tree):
        expected.append(("author", " ".join(_text(name).split()), name.sourceline))
    for link in tree.iter("a"):
        href = link.get("href") or ""
        if urlsplit(href).scheme.lower() in ("http", "https"):
            expected.append(("link", href, link.sourceline))
    flat = None  # the text with its whitespace made single spaces, for a value that wrapping split
    for kind, value, line in expected:
        if not value or value in text:
            continue
        if flat is None:
            flat = " ".join(text.split())
        if value not in flat:
            add("text-parity", "error", f"{kind} {value!r} is in the HTML but not in the plain text", line)


_BOLD_TAGS = frozenset(("h1", "h2", "h3", "strong", "b"))


def _color(value: str | None) -> colors.RGBA | None:
    return colors.find_color(value) if value else None


@lru_cache(maxsize=4096)
def _style_facts(style_text: str) -> tuple[bool, colors.RGBA | None, colors.RGBA | None, float | None, bool]:
    """(hidden, colour, background, font size, bold) of a style attribute; MJML repeats the same few."""
    style = _styles(style_text)
    size = None
    if style.get("font-size", "").endswith("px"):
        try:
            size = float(style["font-size"][:-2])
        except ValueError:
            pass
    return (
        style.get("display", "").replace(" ", "") == "none",
        _color(style.get("color")),
        _color(style.get("background-color")) or _color(style.get("background")),
        size,
        style.get("font-weight", "") in ("bold", "700", "800", "900"),
    )


def _styles(style: str) -> dict[str, str]:
    declarations = style.split(";")
    return {k.strip().lower(): v.strip() for k, _, v in (d.partition(":") for d in declarations) if v.strip()}





# A first sieve, in C: XPath's normalize-space() knows only ASCII white space, so _own_text() still decides.
_TEXT_HOLDERS = etree.XPath("//body/descendant-or-self::*[text()[normalize-space()]]")
# Colour (perhaps see-through), the opaque background behind it, font size in px, bold.
_State = tuple[colors.RGBA, colors.RGB, float, bool]


def _contrast(tree: etree._Element, add) -> None:  # type: ignore[no-untyped-def]
    """Text whose colour against the background behind it is under WCAG AA, once per colour pair.

    Only the elements that hold text are judged; each one's colour, background, size and weight come down
    from its ancestors, each ancestor worked out once (a walk of every element took three times as long)."""
    body = tree.find("body")
    if body is None:
        return
    states: dict[etree._Element, _State | None] = {}  # None: hidden, like the preheader
    seen: set[tuple] = set()
    for element in _TEXT_HOLDERS(tree):
        state = _state(element, body, states)
        if state is None or not _own_text(element):
            continue
        foreground_rgba, background, size, bold = state
        foreground = colors.over(foreground_rgba, background)
        large = size >= 24 or (bold and size >= 18.66)
        key = (foreground, background, large)
        if key in seen:
            continue
        seen.add(key)
        minimum = CONTRAST_MIN_LARGE if large else CONTRAST_MIN
        ratio = colors.contrast_ratio(foreground, background)
        if ratio < minimum:
            add("contrast", "error", f"text {colors.hex_of(foreground)} on {colors.hex_of(background)} has contrast "
                f"{ratio:.2f}:1, under {minimum}:1", element.sourceline)


_PAGE_DEFAULT: _State = ((0, 0, 0, 1.0), (255, 255, 255), 16.0, False)  # a browser's: black on white, 16 px


def _state(element: etree._Element, body: etree._Element, states: dict) -> _State | None:  # type: ignore[type-arg]
    """What ``element`` inherits and sets, from ``body`` down, remembering each ancestor's in ``states``."""
    chain = []
    node: etree._Element | None = element
    while node is not None and node not in states:
        chain.append(node)
        node = None if node is body else node.getparent()
    state = states[node] if node is not None else _PAGE_DEFAULT
    for node in reversed(chain):
        state = None if state is None else _own_state(node, state)
        states[node] = state
    return state


def _own_state(element: etree._Element, inherited: _State) -> _State | None:
    foreground, background, size, bold = inherited
    style_text = element.get("style")
    if style_text:  # most elements have none
        hidden, own_foreground, own_background, own_size, own_bold = _style_facts(style_text)
        if hidden:
            return None
        foreground = own_foreground or foreground
        if own_background:  # a see-through background shows what is behind it
            background = colors.over(own_background, background)
        size = own_size or size
        bold = bold or own_bold
    bgcolor = element.get("bgcolor")
    if bgcolor:
        own = _color(bgcolor)
        background = colors.over(own, background) if own else background
    return foreground, background, size, bold or element.tag in _BOLD_TAGS


def _own_text(element: etree._Element) -> bool:
    if element.tag in ("style", "script", "title"):
        return False
    return bool((element.text or "").strip()) or any((child.tail or "").strip() for child in element)
