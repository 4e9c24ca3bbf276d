"""Inline Markdown (``*em*``, ``**strong**``, ``[text](https://...)``, `` `code` ``) as escaped HTML or plain text.

markdown-it-py parses; we render its tokens ourselves, so that raw HTML never passes (it is off in the parser
and every text token is escaped here) and only http, https and mailto links exist. The models call
:func:`link_errors` to refuse other links with a message at the field, instead of silently dropping them.
"""

from __future__ import annotations

from collections.abc import Callable
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
    """Whether ``source`` holds no Markdown syntax at all."""
    # One substring search a character: each runs in C over the text, where a regular expression's character
    # class cost 5 % of a whole build's instructions (callgrind).
    return not any(character in source for character in _SYNTAX_CHARACTERS)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # an email's images are absolute, sized and alt-texted: not inline Markdown
    md.validateLink = lambda url: True  # let every link through the parser, so link_errors() can name it
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
    errors = []
    link: tuple[str, list[str]] | None = None  # the open link's href and the text inside it so far
    for token in _inline_tokens(source):
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
    style = f' style="{escape(str(link_style))}"' if link_style else ""
    out = []
    for token in _inline_tokens(source):
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
            out.append(f'<a href="{escape(link(str(token.attrs["href"])))}"{style}>')
        elif kind == "link_close":
            out.append("</a>")
        # Anything else (raw HTML is off, images are disabled) carries no text of its own.
    return "".join(out)


def to_text(source: str, link: Callable[[str], str] = _same) -> str:
    """Plain text for inline Markdown ``source``: markers dropped, each link followed by its URL."""
    if is_plain(source):
        return source
    out: list[str] = []
    link_stack: list[tuple[str, int]] = []
    for token in _inline_tokens(source):
        kind = token.type
        if kind in ("text", "code_inline"):
            out.append(token.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "link_open":
            link_stack.append((link(str(token.attrs["href"])), len(out)))
        elif kind == "link_close" and link_stack:
            href, start = link_stack.pop()
            label = "".join(out[start:])
            shown = href.removeprefix("mailto:") if href.startswith("mailto:") else href
            if label.strip() not in (href, shown):
                out.append(f" <{shown}>")
    return "".join(out)
