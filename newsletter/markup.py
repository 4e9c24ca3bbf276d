"""Inline Markdown (``*em*``, ``**strong**``, ``[text](https://...)``, `` `code` ``) as escaped HTML or plain text.

markdown-it-py parses; we render its tokens ourselves, so that raw HTML never passes (it is off in the parser
and every text token is escaped here) and only http, https and mailto links exist. The models call
:func:`link_errors` to refuse other links with a message at the field, instead of silently dropping them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

SAFE_SCHEMES = ("http", "https", "mailto")
# The characters that start CommonMark's inline syntax (emphasis, code, links, images, autolinks, entities,
# escapes, line breaks) and NUL, which the parser replaces. A paragraph without any is text as typed, and
# markdown-it (40 ms to import) is not needed for it: a property test holds both ways to the same output.
_SYNTAX_CHARACTERS = "\x00\n\r!&*<[]\\_`"


def is_plain(source: str) -> bool:
    """Whether ``source`` holds none of ``_SYNTAX_CHARACTERS`` (a test holds the two together)."""
    # One substring search a character, each in C over the text: a regular expression's character class cost
    # 5 % of a whole build's instructions (callgrind), and a generator over the characters twice this.
    return not ("\x00" in source or "\n" in source or "\r" in source or "!" in source or "&" in source
                or "*" in source or "<" in source or "[" in source or "]" in source or "\\" in source
                or "_" in source or "`" in source)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # an email's images are absolute, sized and alt-texted: not inline Markdown
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # every link through, for link_errors()
    return md


@lru_cache(maxsize=4096)
def _inline_tokens(source: str) -> tuple[Token, ...]:
    tokens = _parser().parseInline(source)
    return tuple(tokens[0].children or ()) if tokens else ()


def is_invisible(value: str) -> bool:
    """Whether ``value`` shows nothing: only white space of any kind, format characters (category Cf, such as
    U+200B ZERO WIDTH SPACE or U+200E LEFT-TO-RIGHT MARK) and controls."""
    if not value.isascii():
        import unicodedata

        return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc") for ch in value)
    return not value.strip()


def url_error(url: str) -> str | None:
    """Why ``url`` may not be linked from an email, or None when it may."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"not a valid URL: {url!r}"
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        if not scheme:
            return f"link {url!r} is not absolute: links must start with http://, https:// or mailto:"
        return f"link scheme {scheme!r} is not allowed (only http, https and mailto)"
    if scheme in ("http", "https") and not parts.hostname:
        return f"link {url!r} has no host"
    if any(ch.isspace() or ord(ch) < 32 or ch in '"<>\\' for ch in url):
        return f"link {url!r} contains white space or one of \" < > \\ (percent-encode them)"
    return None


def link_errors(source: str) -> list[tuple[str, str]]:
    """``(url, message)`` for each link in ``source`` that is not an absolute http, https or mailto URL."""
    if is_plain(source):
        return []
    if has_blocks(source):
        # The block parser reads a body that has lists, headings or quotes: its inline runs, not the whole
        # text as one paragraph, are what is rendered (a backtick across lines hides a link from the other).
        tokens = [child for token in _block_tokens(source) if token.type == "inline" for child in token.children or ()]
    else:
        tokens = list(_inline_tokens(source))
    errors = []
    link: tuple[str, list[str]] | None = None  # the open link's href and the text inside it so far
    for token in tokens:
        if token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            error = url_error(href)
            if error:
                errors.append((href, error))
            link = (href, [])
        elif token.type == "link_close" and link is not None:
            if is_invisible("".join(link[1])):
                errors.append((link[0], f"link {link[0]!r} has no visible text: write [text]({link[0]})"))
            link = None
        elif link is not None:
            link[1].append(token.content)
    return errors


def _same(url: str) -> str:
    return url


def to_html(source: str, link: Callable[[str], str] = _same, link_style: str = "") -> str:
    """Escaped HTML for inline Markdown ``source``; ``link`` may rewrite each link's URL (UTM tags), and each
    link gets ``link_style`` as its style attribute (email clients give a link their own colour otherwise)."""
    if is_plain(source):
        return escape(source, quote=False)
    return _inline_html(_inline_tokens(source), link, link_style)


def _inline_html(tokens: tuple[Token, ...] | list[Token], link: Callable[[str], str], link_style: str) -> str:
    style = f' style="{escape(str(link_style))}"' if link_style else ""
    out = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(escape(token.content, quote=False))
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("<br>")
        elif kind == "code_inline":
            out.append(f"<code>{escape(token.content, quote=False)}</code>")
        elif kind in ("em_open", "strong_open"):
            out.append(f"<{token.tag}>")
        elif kind in ("em_close", "strong_close"):
            out.append(f"</{token.tag}>")
        elif kind == "link_open":
            href = str(token.attrs["href"])
            # The models refuse unsafe links; should one reach here all the same, it stays text, not a link.
            out.append(f'<a href="{escape(link(href))}"{style}>' if url_error(href) is None else "<a>")
        elif kind == "link_close":
            out.append("</a>")
        # Anything else (raw HTML is off, images are disabled) carries no text of its own.
    return "".join(out)


def to_text(source: str, link: Callable[[str], str] = _same) -> str:
    """Plain text for inline Markdown ``source``: markers dropped, each link followed by its URL."""
    if is_plain(source):
        return source
    return _inline_text(_inline_tokens(source), link)


def link_urls(source: str) -> list[str]:
    """The URL of each link in inline Markdown ``source``."""
    if is_plain(source):
        return []
    return [str(token.attrs.get("href", "")) for token in _inline_tokens(source) if token.type == "link_open"]


def visible_text(source: str) -> str:
    """What a reader sees of inline Markdown ``source`` in the HTML: its text, without the link targets."""
    if is_plain(source):
        return source
    return _inline_text(_inline_tokens(source), _same, urls=False)


def _inline_text(tokens: tuple[Token, ...] | list[Token], link: Callable[[str], str], urls: bool = True) -> str:
    out: list[str] = []
    link_stack: list[tuple[str, int]] = []
    for token in tokens:
        kind = token.type
        if kind in ("text", "code_inline"):
            out.append(token.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "link_open":
            link_stack.append((link(str(token.attrs["href"])), len(out)))
        elif kind == "link_close" and link_stack and urls:
            href, start = link_stack.pop()
            label = "".join(out[start:])
            shown = href.removeprefix("mailto:") if href.startswith("mailto:") else href
            if label.strip() not in (href, shown):
                out.append(f" <{shown}>")
    return "".join(out)


# --- Block Markdown: lists, sub-headings and quotes in a body ---------------------------------------------

# A line that starts a list item, a heading or a quote (CommonMark allows up to three spaces before it). A
# body without one is paragraphs of inline Markdown, rendered as before without the block parser.
_BLOCK_START = re.compile(r"^ {0,3}(?:[-*+][ \t]|[0-9]{1,9}[.)][ \t]|#{1,6}(?:[ \t]|$)|>)", re.M)


def has_blocks(source: str) -> bool:
    """Whether ``source`` holds a list, a heading or a quote: what ``_BLOCK_START`` finds (a property test holds
    the two together), a line at a time. The regular expression took 12 µs on each of the example's bodies,
    a fifth of a render; most lines fail at their first character here."""
    for line in source.split("\n"):
        text = line.lstrip(" ")
        if not text or len(line) - len(text) > 3:
            continue
        first = text[0]
        if first in "-*+":
            if text[1:2] in (" ", "\t"):
                return True
        elif first == "#":
            hashes = len(text) - len(text.lstrip("#"))
            if hashes <= 6 and text[hashes:hashes + 1] in ("", " ", "\t"):
                return True
        elif first == ">":
            return True
        elif first.isdigit() and first.isascii() and _BLOCK_START.match(text):
            return True
    return False


# How deep lists and quotes may nest in a body (a list in a list is two levels). Clients indent each level by
# about 24-40 px: past eight, a 320 px screen has no room left for the text.
MAX_DEPTH = 8


def too_deep(source: str) -> str | None:
    """The first line of ``source`` where lists and quotes nest deeper than MAX_DEPTH (as the writer typed it,
    so that an error can point at it), or None. The parser stops past its own limit: the first level too deep
    is found before it."""
    if not has_blocks(source):
        return None
    depth = 0
    lines = source.split("\n")
    for token in _block_tokens(source):
        if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            depth += 1
            if depth > MAX_DEPTH and token.map:
                return lines[token.map[0]].strip()
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            depth -= 1
    return None


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # maxNesting: markdown-it stops parsing deeper than this (20 by default: ten levels of lists) and drops the
    # rest without a word; the models refuse bodies nested deeper than MAX_DEPTH, so none is ever cut.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": 4 * MAX_DEPTH + 8})
    # Paragraphs, lists, headings and quotes; no images (an image block has alt text and a size), no code
    # blocks or fences (an indented line stays text), no rules, tables or reference definitions.
    md.disable(["image", "code", "fence", "hr", "reference", "html_block", "lheading"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=1024)
def _block_tokens(source: str) -> tuple[Token, ...]:
    return tuple(_block_parser().parse(source))


@dataclass(frozen=True)
class BlockStyles:
    """The style attribute of each element a body's Markdown makes (``styles.j2`` gives them)."""

    paragraph: str = ""
    link: str = ""
    list: str = ""
    item: str = ""
    heading: str = ""  # the body's highest heading level, as h3 (below its block's own title, an h2)
    subheading: str = ""  # any lower level, as h4
    quote: str = ""
    nested_list: str = ""  # a list inside a list item: close under its item, no gap of its own after it


def blocks_to_html(source: str, link: Callable[[str], str] = _same, styles: BlockStyles = BlockStyles(),
                   indent: int = 0) -> str:
    """Escaped HTML for a body: paragraphs, bullet and numbered lists, sub-headings (h3, h4) and quotes; each
    line after the first starts with ``indent`` spaces (what Jinja's ``indent`` filter did, at a third of
    its cost: it made a Markup of every line)."""
    html = _blocks_to_html(source, link, styles)
    return html.replace("\n", "\n" + " " * indent) if indent else html


# Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, their presentation forms), and
# of the Latin script: a paragraph with both reads right only when the browser picks its direction from its
# first strong letter (dir="auto").
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")


def _direction(text: str) -> str:
    """``' dir="auto"'`` for text that mixes right-to-left and left-to-right letters, else nothing."""
    if _RTL_LETTER.search(text) and _LATIN_LETTER.search(text):
        return ' dir="auto"'
    return ""


def _blocks_to_html(source: str, link: Callable[[str], str], styles: BlockStyles) -> str:
    if not has_blocks(source):
        paragraph = f"<p{_style(styles.paragraph)}"
        return "\n".join(f"{paragraph}{_direction(p)}>{to_html(p, link, styles.link)}</p>" for p in paragraphs(source))
    out: list[str] = []
    tokens = _block_tokens(source)
    # The body's highest heading becomes h3 (below the block's own h2 title), any lower one h4: no level is
    # skipped whatever the writer typed (#### alone is h3).
    top = min((int(t.tag[1]) for t in tokens if t.type == "heading_open"), default=3)

    def heading_tag(tag: str) -> str:
        return "h3" if int(tag[1]) == top else "h4"

    depth = 0  # of lists
    opened = False  # whether a block of the body has begun: a heading that opens it needs no top margin

    for index, token in enumerate(tokens):
        kind = token.type
        first = not opened and kind.endswith("_open")
        opened = opened or first
        if kind == "inline":
            out.append(_inline_html(token.children or [], link, styles.link))
        elif kind == "paragraph_open" and not token.hidden:
            following = tokens[index + 1].content if index + 1 < len(tokens) else ""
            out.append(f"<p{_style(styles.paragraph)}{_direction(following)}>")
        elif kind == "paragraph_close" and not token.hidden:
            out.append("</p>\n")
        elif kind == "bullet_list_open":
            depth += 1
            out.append(f"<ul{_style(styles.nested_list if depth > 1 and styles.nested_list else styles.list)}>\n")
        elif kind == "ordered_list_open":
            depth += 1
            start = token.attrs.get("start")
            style = styles.nested_list if depth > 1 and styles.nested_list else styles.list
            out.append(f"<ol{_style(style)}" + (f' start="{int(start)}"' if start not in (None, 1) else "") + ">\n")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            out.append(f"</{token.tag}>\n")
        elif kind == "list_item_open":
            out.append(f"<li{_style(styles.item)}>")
        elif kind == "list_item_close":
            out.append("</li>\n")
        elif kind == "heading_open":
            tag = heading_tag(token.tag)
            # Its level is the body's structure (no level skipped); its look is what the writer typed: a
            # "####" alone is an h3, and still looks smaller than a "###".
            style = styles.heading if int(token.tag[1]) <= 3 and tag == "h3" else styles.subheading
            # A heading that opens the body: the section above has its own padding, and a top margin on top
            # of it left a gap twice the one above a heading inside the text.
            out.append(f"<{tag}{_style(style + '; margin-top: 0' if first and style else style)}>")
        elif kind == "heading_close":
            out.append(f"</{heading_tag(token.tag)}>\n")
        elif kind == "blockquote_open":
            out.append(f"<blockquote{_style(styles.quote)}>\n")
        elif kind == "blockquote_close":
            out.append("</blockquote>\n")
    return "".join(out).rstrip("\n")


def _style(style: str) -> str:
    return f' style="{escape(str(style))}"' if style else ""


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraphs(source: str) -> list[str]:
    """The paragraphs of a Markdown text: blocks separated by blank lines, each stripped."""
    return [block for block in map(str.strip, _BLANK_LINE.split(source.strip())) if block]


@dataclass(frozen=True)
class TextBlock:
    """One block of a body's plain text: its text, and how its lines begin (``first`` on the first line,
    ``rest`` on the others), for the text stage to wrap."""

    text: str
    first: str = ""
    rest: str = ""
    item: bool = False  # a list item: items of a list follow each other without a blank line


def blocks_to_text(source: str, link: Callable[[str], str] = _same) -> list[TextBlock]:
    """A body as plain-text blocks: paragraphs; list items as "  • " or "  1. " (nested: "    ◦ "); headings on
    a line of their own; quoted paragraphs with "> " before each line."""
    if not has_blocks(source):
        return [TextBlock(to_text(p, link)) for p in paragraphs(source)]
    out: list[TextBlock] = []
    lists: list[list[int | None]] = []  # per open list: [next number] or [None] for bullets
    quote = 0
    item_marker: str | None = None  # the marker of the list item whose first paragraph comes next
    for token in _block_tokens(source):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append([None])
        elif kind == "ordered_list_open":
            start = token.attrs.get("start")  # a list may start at 0: "or 1" made it 1
            lists.append([1 if start is None else int(start)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            number = lists[-1][0]
            depth = len(lists)
            indent = "  " * depth
            item_marker = f"{indent}{'•' if depth == 1 else '◦'} " if number is None else f"{indent}{number}. "
            if number is not None:
                lists[-1][0] = number + 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "inline":
            text = _inline_text(token.children or [], link)
            prefix = "> " * quote
            if item_marker is not None:
                first, rest = prefix + item_marker, prefix + " " * len(item_marker)
                item_marker = None
            elif lists:
                first = rest = prefix + " " * (len("  " * len(lists)) + 2)  # a later paragraph of an item
            else:
                first = rest = prefix
            out.append(TextBlock(text, first, rest, item=bool(lists)))
    return out
