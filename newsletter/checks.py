"""Pre-send checks on a built email: the HTML with its plain-text part, as a mailbox would receive them.

Each rule looks at the output, not at the issue, so it also judges what a user's own templates made. A
finding has a rule id, a severity (``error`` or ``warning``), a message, and the file and line it is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


def check_files(html: Path, text: Path | None, ignore: tuple[str, ...] = ()) -> list[Finding]:
    """The findings about the email in the file ``html``, with its plain text from ``text``. Only the files
    are known here: ``text-parity`` compares the HTML's links with the text (a build compares all that the
    issue's model says must be in both)."""
    try:
        return check_email(html.read_text(encoding="utf-8"), text.read_text(encoding="utf-8") if text else None,
                           str(html), ignore=ignore)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(html), 1, 1, "", f"cannot read: {exc}")]) from None


Add = Callable[..., None]  # add(message, line=1, severity=None): a finding of the rule being run


@dataclass(frozen=True)
class Email:
    """What the rules look at: the HTML (parsed once), its plain text, and what the issue's model says must
    reach both (None when only the files are known, as in ``newsletter check dist/``)."""

    html: str
    data: bytes
    tree: etree._Element
    text: str | None
    expected: list[tuple[str, str]] | None


@dataclass(frozen=True)
class Rule:
    """One pre-send check: its id (for findings and ``checks: {ignore: [...]}``), the most severe finding it
    makes, what it finds, and the function that finds it."""

    id: str
    severity: str
    severities: str  # how it grades, for the documentation
    description: str
    check: Callable[[Email, Add], None]


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, description: str, severities: str = "") -> Callable[[Callable], Callable]:  # noqa: A002
    """Register the decorated function as the check ``id``; it reports through ``add(message, line)``."""
    def register(check: Callable[[Email, Add], None]) -> Callable[[Email, Add], None]:
        RULES[id] = Rule(id, severity, severities or severity, description, check)
        return check
    return register


def unknown_rules(ids: list[str] | tuple[str, ...]) -> list[str]:
    """Each id in ``ids`` that names no rule, with a suggestion, as messages."""
    import difflib

    messages = []
    for name in ids:
        if name not in RULES:
            close = difflib.get_close_matches(name, list(RULES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            messages.append(f"unknown check rule {name!r}{hint} (rules: {', '.join(RULES)})")
    return messages


def check_email(html: str, text: str | None, html_name: str = "email.html",
                expected: list[tuple[str, str]] | None = None, ignore: tuple[str, ...] | list[str] = ()) -> list[Finding]:
    """Every finding about one email, located in ``html_name``; ``text`` is None without a plain-text part.
    ``expected`` is what the issue's model says must reach the HTML and the text (``text-parity``); the
    rules named in ``ignore`` are not run."""
    data = html.encode("utf-8")  # once: encoding the example took a tenth of the checks' time
    # Plain lxml.etree elements: lxml.html looks up a Python class for every element it hands out.
    tree = etree.fromstring(data, _PARSER) if html.strip() else None
    if tree is None:
        raise InputError([Problem(html_name, 1, 1, "", "empty: not an HTML document")])
    email = Email(html, data, tree, text, expected)
    findings: list[Finding] = []
    for checked in RULES.values():
        if checked.id in ignore:
            continue

        def add(message: str, line: int | None = 1, severity: str | None = None, _rule: Rule = checked) -> None:
            findings.append(Finding(html_name, line or 1, _rule.id, severity or _rule.severity, message))

        checked.check(email, add)
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.rule, f.message))


@rule("gmail-clip", "error", "HTML that Gmail would clip (the ESP adds tracking on the way out)",
      "error over 102,400 bytes, warning over 90 KB")
def _gmail_clip(email: Email, add: Add) -> None:
    size = len(email.data)
    if size > GMAIL_CLIP_BYTES:
        add(f"HTML is {size:,} bytes: Gmail clips a message over {GMAIL_CLIP_BYTES:,}")
    elif size > GMAIL_WARN_BYTES:
        add(f"HTML is {size:,} bytes, close to Gmail's {GMAIL_CLIP_BYTES:,}-byte clip", severity="warning")


@rule("img-alt", "error", "images without alt text", 'error; warning for `alt=""` without `role="presentation"`')
def _img_alt(email: Email, add: Add) -> None:
    for image in email.tree.iter("img"):
        if "alt" not in image.attrib:
            add(f"image {image.get('src', '')!r} has no alt attribute", image.sourceline)
        elif not image.get("alt").strip() and image.get("role") != "presentation":
            add(f"image {image.get('src', '')!r} has empty alt text but is not marked "
                'role="presentation"', image.sourceline, "warning")


@rule("link-scheme", "error", "links other than https, mailto, in-email anchors and merge tags",
      "error; warning for `http:`")
def _link_scheme(email: Email, add: Add) -> None:
    for link in email.tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href in ("", "#") or href.startswith("#") or MERGE_TAG.fullmatch(href):
            continue
        scheme = urlsplit(href).scheme.lower()
        if scheme == "http":
            add(f"link {href!r} is not https", link.sourceline, "warning")
        elif scheme not in ("https", "mailto"):
            add(f"link {href!r} is not https, mailto, an anchor or a merge tag", link.sourceline)


@rule("link-empty", "error", 'links to `""` or `#`')
def _link_empty(email: Email, add: Add) -> None:
    for link in email.tree.iter("a"):
        if (link.get("href") or "").strip() in ("", "#"):
            add(f"link {_label(link)!r} has an empty target", link.sourceline)


@rule("anchor-target", "error", "an in-email link (the Contents') whose target id does not exist")
def _anchor_target(email: Email, add: Add) -> None:
    ids = {str(value) for value in _ANCHOR_TARGETS(email.tree) if value}
    for link in email.tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href.startswith("#") and href != "#" and href[1:] not in ids:
            add(f"link {_label(link)!r} points to #{href[1:]}, which does not exist", link.sourceline)


@rule("unsubscribe", "warning", "no unsubscribe link (a platform merge tag or a URL)")
def _unsubscribe(email: Email, add: Add) -> None:
    for link in email.tree.iter("a"):
        if UNSUBSCRIBE_TAG.search(link.get("href") or "") or "unsubscribe" in _text(link).lower():
            return
    add("no unsubscribe link: add your platform's merge tag (or a URL) to the footer")


@rule("subject-length", "warning", f"a subject over {SUBJECT_MAX} characters")
def _subject_length(email: Email, add: Add) -> None:
    title = email.tree.find(".//title")
    subject = " ".join((_text(title) if title is not None else "").split())
    if len(subject) > SUBJECT_MAX:
        add(f"subject is {len(subject)} characters; inboxes cut it near {SUBJECT_MAX}",
            title.sourceline if title is not None else 1)


@rule("preheader", "warning", f"no preheader, or one under {PREHEADER_MIN} characters")
def _preheader_rule(email: Email, add: Add) -> None:
    preheader = _preheader(email.tree)
    if preheader is None:
        add("no preheader: the inbox preview will show the first words of the email")
    elif len(preheader) < PREHEADER_MIN:
        add(f"preheader is {len(preheader)} characters; {PREHEADER_MIN} or more fill the inbox preview")


@rule("text-parity", "error", "a title, author, key text or link that is in the HTML or the plain text but not "
      "in both (what the issue's model says must be in both; links of the HTML alone when only the files are "
      "known)", "error; warning when there is no plain text")
def _text_parity_rule(email: Email, add: Add) -> None:
    if email.text is None:
        add("no plain-text part to compare with", severity="warning")
    else:
        _text_parity(email, add)


@rule("placeholder", "warning", "a placeholder `newsletter new` left (`TODO:` text, a link to "
      "https://example.org/TODO)")
def _placeholder(email: Email, add: Add) -> None:
    from .load import PLACEHOLDER, PLACEHOLDER_URL

    title = email.tree.find(".//title")
    if title is not None and PLACEHOLDER in (title.text or ""):  # the subject, in the head
        add(f"the subject still holds a placeholder: {' '.join(title.text.split())[:60]!r}", title.sourceline)
    for element in email.tree.iter():
        if isinstance(element.tag, str) and element.tag not in _VISIBLE_SKIP and PLACEHOLDER in (element.text or ""):
            add(f"text still holds a placeholder: {' '.join(element.text.split())[:60]!r}", element.sourceline)
    for link in email.tree.iter("a"):
        if (link.get("href") or "").startswith(PLACEHOLDER_URL):
            add(f"link {_label(link)!r} still points to the placeholder {PLACEHOLDER_URL}", link.sourceline)


@rule("contrast", "error", "text under WCAG AA (4.5:1, 3:1 for large text) against the background behind it, "
      "in the light palette and in the dark one the email's `prefers-color-scheme: dark` styles make")
def _contrast_rule(email: Email, add: Add) -> None:
    _contrast(email.tree, add)
    dark = _dark_overrides(email.tree)
    if dark:
        _contrast(email.tree, add, dark, "in dark mode: ", _DARK_PAGE_DEFAULT)


_Overrides = dict  # element -> {"color" | "background" | "display": value} from the dark styles


def _dark_overrides(tree: etree._Element) -> _Overrides | None:
    """What the email's ``@media (prefers-color-scheme: dark)`` rules set on each element: colours,
    backgrounds and display, applied in order (the rules are !important, as they must be to beat the inline
    styles). tinycss2 reads the CSS; lxml's cssselect finds the elements. None without dark styles."""
    sheets = [style.text for style in tree.iter("style") if style.text and "prefers-color-scheme" in style.text]
    if not sheets:
        return None
    overrides: _Overrides = {}
    for sheet in sheets:
        for selector, settings in _dark_rules(sheet):
            for element in selector(tree):
                overrides.setdefault(element, {}).update(settings)
    return overrides


@lru_cache(maxsize=32)
def _dark_rules(sheet: str) -> tuple[tuple[Callable, dict], ...]:  # type: ignore[type-arg]
    """The dark rules of a style sheet, each as (compiled selector, settings): once per sheet, which every
    issue of a theme shares (parsing and compiling them at each check tripled a batch's time)."""
    import tinycss2
    from lxml.cssselect import CSSSelector, SelectorError

    rules = []
    for block in tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True):
        prelude = tinycss2.serialize(getattr(block, "prelude", None) or []).lower()
        if block.type != "at-rule" or block.lower_at_keyword != "media" or "prefers-color-scheme" not in prelude \
                or "dark" not in prelude or block.content is None:
            continue
        for inner in tinycss2.parse_rule_list(block.content, skip_comments=True, skip_whitespace=True):
            if inner.type != "qualified-rule":
                continue
            settings = {}
            for declaration in tinycss2.parse_declaration_list(inner.content, skip_comments=True,
                                                               skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name in (
                        "color", "background-color", "background", "display"):
                    name = "background" if declaration.lower_name.startswith("background") else declaration.lower_name
                    settings[name] = tinycss2.serialize(declaration.value).strip()
            if not settings:
                continue
            try:
                selector = CSSSelector(tinycss2.serialize(inner.prelude).strip())
            except (SelectorError, ValueError, etree.XPathError):
                continue  # a selector cssselect does not know: its elements keep their light colours
            rules.append((_safe(selector), settings))
    return tuple(rules)


def _safe(selector: Callable) -> Callable:  # type: ignore[type-arg]
    def select(tree: etree._Element) -> list:  # type: ignore[type-arg]
        try:
            return selector(tree)
        except etree.XPathError:  # a namespaced selector compiles, then fails on a document without namespaces
            return []
    return select


@rule("dark-mode", "warning", "no `color-scheme` / `supported-color-schemes` meta")
def _dark_mode(email: Email, add: Add) -> None:
    metas = {(meta.get("name") or "").lower() for meta in email.tree.iter("meta")}
    if not {"color-scheme", "supported-color-schemes"} & metas:
        add('no <meta name="color-scheme">: dark-mode clients will recolour the email freely')


@rule("lang", "error", "no `lang` on `<html>`")
def _lang(email: Email, add: Add) -> None:
    if not (email.tree.get("lang") or "").strip():
        add("<html> has no lang attribute: screen readers cannot pick a voice", email.tree.sourceline)


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


_VISIBLE_SKIP = frozenset(("style", "script", "title", "head"))


def _visible_text(tree: etree._Element) -> str:
    """The text a reader sees in the body, white space made single spaces (the hidden preheader included:
    it is text of the issue too)."""
    body = tree.find("body")
    if body is None:
        return ""
    parts = []
    for element in body.iter():
        if isinstance(element.tag, str) and element.tag not in _VISIBLE_SKIP and element.text:
            parts.append(element.text)
        if element is not body and element.tail:
            parts.append(element.tail)
    return " ".join("".join(parts).split())


def _text_parity(email: Email, add: Add) -> None:
    """What the issue's model says must be in both the HTML and the text; and each http(s) link of the HTML
    in the text. Both ways: a template that leaves a title out is caught as surely as a text that does."""
    text = email.text or ""
    flat_text = None  # the text with its whitespace made single spaces, for a value that wrapping split
    hrefs: dict[str, int] = {}
    for link in email.tree.iter("a"):
        href = link.get("href") or ""
        if urlsplit(href).scheme.lower() in ("http", "https"):
            hrefs.setdefault(href, link.sourceline or 1)
    visible = None

    def in_text(value: str) -> bool:
        nonlocal flat_text
        if value in text:
            return True
        if flat_text is None:
            flat_text = " ".join(text.split())
        return " ".join(value.split()) in flat_text

    for kind, value in email.expected or ():
        if not value:
            continue
        if kind == "link":
            in_html = value in hrefs
        else:
            if visible is None:
                visible = _visible_text(email.tree)
            in_html = " ".join(value.split()) in visible
        if in_html and not in_text(value):
            add(f"{kind} {value!r} is in the HTML but not in the plain text", hrefs.get(value, 1))
        elif not in_html and in_text(value):
            add(f"{kind} {value!r} is in the plain text but not in the HTML")
        elif not in_html:
            add(f"{kind} {value!r} of the issue is in neither the HTML nor the plain text")
    for href, line in hrefs.items():
        if not in_text(href):
            add(f"link {href!r} is in the HTML but not in the plain text", line)


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


def _contrast(tree: etree._Element, add, overrides: _Overrides | None = None,  # type: ignore[no-untyped-def]
              scheme: str = "", page: _State | None = None) -> None:
    """Text whose colour against the background behind it is under WCAG AA, once per colour pair; with the
    dark styles' ``overrides`` applied, the dark palette's (the messages begin with ``scheme``).

    Only the elements that hold text are judged; each one's colour, background, size and weight come down
    from its ancestors, each ancestor worked out once (a walk of every element took three times as long)."""
    body = tree.find("body")
    if body is None:
        return
    states: dict[etree._Element, _State | None] = {}  # None: hidden, like the preheader
    seen: set[tuple] = set()
    for element in _TEXT_HOLDERS(tree):
        state = _state(element, body, states, overrides, page or _PAGE_DEFAULT)
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
            add(f"{scheme}text {colors.hex_of(foreground)} on {colors.hex_of(background)} has contrast "
                f"{ratio:.2f}:1, under {minimum}:1", element.sourceline)


_PAGE_DEFAULT: _State = ((0, 0, 0, 1.0), (255, 255, 255), 16.0, False)  # a browser's: black on white, 16 px
# In dark mode a page that declares `color-scheme: light dark` gets the browser's dark defaults (Chromium's).
_DARK_PAGE_DEFAULT: _State = ((255, 255, 255, 1.0), (18, 18, 18), 16.0, False)


def _state(element: etree._Element, body: etree._Element, states: dict,  # type: ignore[type-arg]
           overrides: _Overrides | None = None, page: _State = _PAGE_DEFAULT) -> _State | None:
    """What ``element`` inherits and sets, from ``body`` down, remembering each ancestor's in ``states``."""
    chain = []
    node: etree._Element | None = element
    while node is not None and node not in states:
        chain.append(node)
        node = None if node is body else node.getparent()
    state = states[node] if node is not None else page
    for node in reversed(chain):
        state = None if state is None else _own_state(node, state, overrides.get(node) if overrides else None)
        states[node] = state
    return state


def _own_state(element: etree._Element, inherited: _State, override: dict | None = None) -> _State | None:  # type: ignore[type-arg]
    foreground, background, size, bold = inherited
    style_text = element.get("style")
    hidden = False
    if style_text:  # most elements have none
        hidden, own_foreground, own_background, own_size, own_bold = _style_facts(style_text)
        foreground = own_foreground or foreground
        if own_background:  # a see-through background shows what is behind it
            background = colors.over(own_background, background)
        size = own_size or size
        bold = bold or own_bold
    bgcolor = element.get("bgcolor")
    if override:  # the dark styles, !important: over the inline style and the bgcolor attribute
        hidden = override.get("display", "none" if hidden else "").replace(" ", "") == "none"
        foreground = _color(override.get("color")) or foreground
        own = _color(override.get("background"))
        background = colors.over(own, background) if own else background
        bgcolor = None if own else bgcolor
    if hidden:
        return None
    if bgcolor:
        own = _color(bgcolor)
        background = colors.over(own, background) if own else background
    return foreground, background, size, bold or element.tag in _BOLD_TAGS


def _own_text(element: etree._Element) -> bool:
    if element.tag in ("style", "script", "title"):
        return False
    return bool((element.text or "").strip()) or any((child.tail or "").strip() for child in element)
