"""Rules about what the email says and links: size, pictures' alt text, links, unsubscribe, subject, preheader,
placeholders, and the texts that must reach both the HTML and the plain text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from .core import Add, Email, rule

GMAIL_CLIP_BYTES = 102_400
GMAIL_WARN_SHARE = 0.8  # the platform adds tracking links and wrappers on the way out: warn well before
SUBJECT_MAX = 78
PREHEADER_MIN = 40
UNSUBSCRIBE_TAG = re.compile(r"unsub|opt.?out|\[unsubscribe\]|%unsubscribe_url%", re.I)
_ANCHOR_TARGETS = etree.XPath("//@id | //a/@name")
_VISIBLE_SKIP = frozenset(("style", "script", "title", "head"))


@lru_cache(maxsize=8)
def _merge_tag(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def merge_tag(platforms: dict | None = None) -> re.Pattern[str]:  # type: ignore[type-arg]
    """A merge tag of any platform the project knows (``platforms.py`` and its plugins'), or of the others
    ``platforms.py`` names."""
    from ..platforms import merge_tag_pattern

    return _merge_tag(merge_tag_pattern(platforms))


@rule("gmail-clip", "error", "HTML that Gmail would clip; over 80 % of the clip, the blocks and parts (head, "
      "styles, header, footer) that spend the most, to shorten or to make a teaser that links to the web edition",
      "error over 102,400 bytes, warning over 80 % of it (81,920)")
def _gmail_clip(email: Email, add: Add) -> None:
    size = len(email.data)
    warn = int(GMAIL_CLIP_BYTES * GMAIL_WARN_SHARE)
    if size <= warn:
        return
    share = size / GMAIL_CLIP_BYTES
    over = size > GMAIL_CLIP_BYTES
    message = (f"HTML is {size:,} bytes: Gmail clips a message over {GMAIL_CLIP_BYTES:,}" if over else
               f"HTML is {size:,} bytes, {share:.0%} of Gmail's {GMAIL_CLIP_BYTES:,}-byte clip (the platform adds "
               "tracking links on the way out)")
    sizes = email.facts.sizes if email.facts is not None else None
    source = None
    if sizes:
        blocks = sorted((part for part in sizes if part[2] is not None), key=lambda part: -part[1])
        parts = [part for part in sizes if part[2] is None]
        shown = "; ".join(f"{label} {size:,} bytes ({where})" for label, size, where in blocks[:6])
        rest = blocks[6:]
        more = f"; and {len(rest)} more blocks, {sum(size for _, size, _ in rest):,} bytes" if rest else ""
        message += f". Largest first: {shown}{more}." if blocks else "."
        message += " Parts: " + "; ".join(f"{label} {size:,} bytes" for label, size, _ in parts) + "."
        source = blocks[0][2] if blocks else None
    fix = ("shorten the largest blocks, or turn one into a teaser that links to the web edition"
           if sizes else "shorten the issue, or move a long block to the web edition and link to it")
    add(message, severity="error" if over else "warning", fix=fix, source=source)


@rule("img-alt", "error", "images without alt text, a linked image whose alt text is empty, and VML pictures for "
      "Outlook without alt", 'error; warning for `alt=""` without `role="presentation"`', emc="51.42 %")
def _img_alt(email: Email, add: Add) -> None:
    for image in email.tree.iter("img"):
        src = image.get("src", "")
        link = next((a for a in image.iterancestors("a")), None)
        if "alt" not in image.attrib:
            add(f"image {src!r} has no alt attribute", image, url=src or None, fix=_alt_fix(email, src))
        elif not image.get("alt").strip():
            if link is not None and not _text(link).strip():
                add(f"image {src!r} is a link's only content and its alt text is empty: the link says nothing",
                    image, url=src or None, fix=_alt_fix(email, src))
            elif image.get("role") != "presentation":
                add(f"image {src!r} has empty alt text but is not marked role=\"presentation\"", image,
                    severity="warning", url=src or None)
    for comment in email.tree.iter(etree.Comment):
        text = comment.text or ""
        if "<v:" not in text:
            continue
        for shape in re.finditer(r"<v:(image|rect|roundrect|oval|shape)\b([^>]*)>", text, re.I):
            attributes = shape.group(2)
            if "alt=" in attributes.lower():
                continue
            if shape.group(1).lower() == "image" or re.search(r"<v:fill\b[^>]*\bsrc=", text[shape.end():][:400], re.I):
                add(f"Outlook's VML <v:{shape.group(1)}> picture has no alt attribute", comment,
                    template=rf"<v:{shape.group(1)}\b")


def _alt_fix(email: Email, src: str) -> str:
    """The field to write the alt text in: the one beside the picture's own field, when the facts know it."""
    if email.facts is None or not src:
        return ""
    where = email.facts.locate_url(src)
    if where is None or not where.field:
        return ""
    parent, _, name = where.field.rpartition(".")
    alt = f"{parent}.alt" if name in ("image", "src") else "its alt text"
    return f"write {alt} in {where.file}" if alt != "its alt text" else ""


@rule("link-scheme", "error", "links other than https, mailto, in-email anchors and merge tags; the fix is the "
      "`https:` form of an `http:` link", "error; warning for `http:`")
def _link_scheme(email: Email, add: Add) -> None:
    tags = merge_tag(email.platforms)
    for link in email.tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href in ("", "#") or href.startswith("#") or tags.fullmatch(href):
            continue
        scheme = urlsplit(href).scheme.lower()
        if scheme == "http":
            add(f"link {href!r} is not https", link, severity="warning", url=href,
                fix=f"write {'https' + href[4:]!r} if the site has it")
        elif scheme not in ("https", "mailto"):
            add(f"link {href!r} is not https, mailto, an anchor or a merge tag", link, url=href)


@rule("link-empty", "error", 'links to `""` or `#`')
def _link_empty(email: Email, add: Add) -> None:
    for link in email.tree.iter("a"):
        if (link.get("href") or "").strip() in ("", "#"):
            add(f"link {_label(link)!r} has an empty target", link, template=r'href="#?"')


@rule("anchor-target", "error", "an in-email link (the Contents') whose target id does not exist")
def _anchor_target(email: Email, add: Add) -> None:
    ids = {str(value) for value in _ANCHOR_TARGETS(email.tree) if value}
    for link in email.tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href.startswith("#") and href != "#" and href[1:] not in ids:
            add(f"link {_label(link)!r} points to #{href[1:]}, which does not exist", link, template=r'href="#')


@rule("unsubscribe", "warning", "no unsubscribe link (a platform merge tag or a URL); the fix names the setting "
      "or the platform's merge tag")
def _unsubscribe(email: Email, add: Add) -> None:
    from ..platforms import PLATFORMS

    own_tags = {p.unsubscribe for p in (PLATFORMS if email.platforms is None else email.platforms).values()}
    for link in email.tree.iter("a"):
        href = link.get("href") or ""
        if href in own_tags or UNSUBSCRIBE_TAG.search(href) or "unsubscribe" in _text(link).lower():
            return
    known = PLATFORMS if email.platforms is None else email.platforms
    examples = ", ".join(f"{p.name}: {p.unsubscribe}" for p in known.values() if p.unsubscribe)
    facts = email.facts
    fix = (f"set platform: in {facts.config or 'newsletter.yaml'} to your mailing platform, whose merge tag the "
           f"footer then carries ({examples}), or unsubscribe_url: to your own page" if facts is not None else
           f"add your platform's merge tag ({examples}) or a URL to the footer")
    add("no unsubscribe link: add your platform's merge tag (or a URL) to the footer",
        source=facts.platform if facts is not None else None, fix=fix)


@rule("subject-length", "warning", f"a subject over {SUBJECT_MAX} characters")
def _subject_length(email: Email, add: Add) -> None:
    title = email.tree.find(".//title")
    subject = " ".join((_text(title) if title is not None else "").split())
    if len(subject) > SUBJECT_MAX:
        add(f"subject is {len(subject)} characters; inboxes cut it near {SUBJECT_MAX}", title,
            source=email.facts.subject if email.facts is not None else None,
            fix=f"keep what matters in the first {SUBJECT_MAX // 2} characters, which phones show")


@rule("preheader", "warning", f"no preheader, or one under {PREHEADER_MIN} characters")
def _preheader_rule(email: Email, add: Add) -> None:
    element, preheader = preheader_of(email.tree)
    facts = email.facts
    if preheader is None:
        add("no preheader: the inbox preview will show the first words of the email",
            source=facts.subject if facts is not None else None,
            fix="write preheader: beside subject:, a sentence of 40 to 100 characters")
    elif len(preheader) < PREHEADER_MIN:
        add(f"preheader is {len(preheader)} characters; {PREHEADER_MIN} or more fill the inbox preview", element,
            source=facts.preheader if facts is not None else None)


@rule("text-parity", "error", "a title, author, key text or link that is in the HTML or the plain text but not "
      "in both (what the issue's model says must be in both; links of the HTML alone when only the files are "
      "known)", "error; warning when there is no plain text", needs=("facts",))
def _text_parity_rule(email: Email, add: Add) -> None:
    if email.text is None:
        add("no plain-text part to compare with", severity="warning")
    else:
        _text_parity(email, add)


# What fills an inbox preview after the preheader (render.PREHEADER_FILLER): nothing a reader should see quoted.
_INVISIBLE = {ord("\u034f"): None, ord("\u200c"): None, ord("\u00a0"): " "}


@rule("placeholder", "warning", "a placeholder `newsletter new` left (`TODO:` text, a link to "
      "https://example.org/TODO)")
def _placeholder(email: Email, add: Add) -> None:
    from ..load import PLACEHOLDER, PLACEHOLDER_URL

    if PLACEHOLDER not in email.html and PLACEHOLDER_URL not in email.html:
        return
    title = email.tree.find(".//title")
    if title is not None and PLACEHOLDER in (title.text or ""):  # the subject, in the head
        add(f"the subject still holds a placeholder: {' '.join(title.text.split())[:60]!r}", title,
            source=email.facts.subject if email.facts is not None else None)
    facts = email.facts
    # The same placeholder in two blocks: the k-th in the HTML is named at the k-th place the issue writes it,
    # round again when the HTML repeats them all (the Contents lists the titles, then the briefs show them).
    texts: dict[str, list[etree._Element]] = {}
    for element in email.tree.iter():
        if isinstance(element.tag, str) and element.tag not in _VISIBLE_SKIP and PLACEHOLDER in (element.text or ""):
            shown = " ".join(element.text.translate(_INVISIBLE).split())  # without the preheader's filler
            texts.setdefault(shown, []).append(element)
    for shown, elements in texts.items():
        places = facts.text_places(shown) if facts is not None else []
        for number, element in enumerate(elements):
            add(f"text still holds a placeholder: {shown[:60]!r}", element, text=shown,
                source=places[number % len(places)] if places else None)
    # A link: at a Markdown link with its label ([More](url)) where there is one, else at a field that holds
    # the address alone (a brief's link:); the k-th such link at the k-th such place.
    met: dict[tuple[Any, ...], int] = {}
    for link in email.tree.iter("a"):
        href = link.get("href") or ""
        if not href.startswith(PLACEHOLDER_URL):
            continue
        source = None
        if facts is not None:
            writings = facts.url_places(href)
            label = f"[{_text(link).strip()}]("
            pool = [place for place, before in writings if before.endswith(label)] or \
                [place for place, before in writings if not before.endswith("](")] or [place for place, _ in writings]
            if pool:
                number = met[tuple(pool)] = met.get(tuple(pool), -1) + 1
                source = pool[number % len(pool)]
        add(f"link {_label(link)!r} still points to the placeholder {PLACEHOLDER_URL}", link, url=href,
            source=source)


@rule("dark-mode", "warning", "no `color-scheme` / `supported-color-schemes` meta")
def _dark_mode(email: Email, add: Add) -> None:
    metas = {(meta.get("name") or "").lower() for meta in email.tree.iter("meta")}
    if not {"color-scheme", "supported-color-schemes"} & metas:
        add('no <meta name="color-scheme">: dark-mode clients will recolour the email freely',
            template=r"<mj-head|<head")


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _label(link: etree._Element) -> str:
    return " ".join(_text(link).split())[:60]


def preheader_of(tree: etree._Element) -> tuple[etree._Element | None, str | None]:
    """The hidden text MJML puts first in the body for the inbox preview, and its element."""
    body = tree.find(".//body")
    first = next((child for child in body.iterchildren() if isinstance(child.tag, str)), None) if body is not None else None
    if first is None or "display:none" not in (first.get("style") or "").replace(" ", ""):
        return None, None
    return first, " ".join(_text(first).translate(_FILLER).split())


# The invisible characters that fill the inbox preview after the preheader (render.PREHEADER_FILLER, and what
# other tools use): not part of what the preheader says.
_FILLER = dict.fromkeys(map(ord, "\u034f\u200c\u200b\u200d\u2007\u00ad\ufeff\u2060"))


_BODY_TEXT = etree.XPath("//body//text()[not(ancestor::style) and not(ancestor::script)]")


def _visible_text(tree: etree._Element) -> str:
    """The text a reader sees in the body, white space made single spaces (the hidden preheader included:
    it is text of the issue too)."""
    return " ".join("".join(_BODY_TEXT(tree)).split())


class _Finder:
    """``value in text``, for the many values of an issue in the order the text has them: each search starts a
    little before where the last one was found, and only a value not there searches the whole text. (A search
    of the whole text for each value made the checks of an issue of 10,000 blocks take minutes.)"""

    BACK = 4000

    def __init__(self, text: str):
        self.text = text
        self.cursor = 0

    def __contains__(self, value: str) -> bool:
        start = max(0, self.cursor - self.BACK)
        found = self.text.find(value, start)
        if found < 0 and start:
            found = self.text.find(value, 0, start + len(value))
        if found >= 0:
            self.cursor = max(self.cursor, found)
        return found >= 0


def _text_parity(email: Email, add: Add) -> None:
    """What the issue's model says must be in both the HTML and the text; and each http(s) link of the HTML
    in the text. Both ways: a template that leaves a title out is caught as surely as a text that does."""
    text = _Finder(email.text or "")
    flat_text: _Finder | None = None  # the text with its whitespace made single spaces, for a value that wrapping split
    hrefs: dict[str, etree._Element] = {}
    for link in email.tree.iter("a"):
        href = link.get("href") or ""
        if href[:6].lower().startswith(("http:", "https:")):
            hrefs.setdefault(href, link)
    visible: _Finder | None = None

    def in_text(value: str) -> bool:
        nonlocal flat_text
        if value in text:
            return True
        if flat_text is None:
            flat_text = _Finder(" ".join(text.text.split()))
        return " ".join(value.split()) in flat_text

    for kind, value in email.expected or ():
        if not value:
            continue
        if kind == "link":
            in_html = value in hrefs
        else:
            if visible is None:
                visible = _Finder(_visible_text(email.tree))
            in_html = " ".join(value.split()) in visible
        url, words = (value, None) if kind == "link" else (None, value)
        if in_html and not in_text(value):
            add(f"{kind} {value!r} is in the HTML but not in the plain text", hrefs.get(value), url=url, text=words)
        elif not in_html and in_text(value):
            add(f"{kind} {value!r} is in the plain text but not in the HTML", url=url, text=words,
                fix="the template that renders it leaves it out: print it there")
        elif not in_html:
            add(f"{kind} {value!r} of the issue is in neither the HTML nor the plain text", url=url, text=words)
    for href, link in hrefs.items():
        if not in_text(href):
            add(f"link {href!r} is in the HTML but not in the plain text", link, url=href)
