"""Stage 4: compile MJML to HTML with mjml-python (MRML, the Rust port of MJML).

MRML ignores ``<mj-style inline="inline">`` (it writes the CSS as one more ``<style>`` block), so each such
block is marked here for the inline stage, which inlines the marked blocks as MJML would have.

MRML reports errors as a bare ValueError, sometimes with a ``start:end`` byte offset and sometimes with no
position at all. We turn the offset into a line and column of the rendered MJML; without one, we look for
the first ``mj-`` tag left unclosed or closed out of order. The message quotes that line of the MJML.
"""

from __future__ import annotations

import re

from mjml import mjml2html

from .errors import TemplateError

_OFFSET = re.compile(r"\s*at position (\d+):(\d+)")
INLINE_MARKER = "/* newsletter:inline */"
_INLINE_STYLE = re.compile(r"""<mj-style\b[^>]*\sinline\s*=\s*["']inline["'][^>]*>""", re.I)  # not data-inline


# MRML writes an mj-button's cell as <td ... vertical-align="middle">, an attribute HTML does not have (the
# Nu checker refuses it); official MJML 5 writes none there, and the button's own cell keeps valign.
_BUTTON_CELL_VALIGN = re.compile(r'(<td align="(?:left|center|right)") vertical-align="[a-z]+"')
# MRML writes the preheader as the body's first child without lang and dir, which the wrapper beside it has:
# some clients drop those of <html>, and the Email Markup Consortium asks for them on every child of <body>.
_HTML_LANG_DIR = re.compile(r'<html lang="([^"]*)" dir="([^"]*)"')
_PREHEADER = '<div style="display:none;font-size:1px;'


def compile_mjml(source: str, name: str = "email.mjml") -> str:
    """The HTML of MJML ``source``; ``name`` is how errors refer to the source."""
    if "<mj-style" in source:
        source = _mark_inline_styles(source)
    try:
        # fonts={}: no web-font <link>/@import; the theme names fonts every mail client has.
        html = mjml2html(source, disable_comments=True, fonts={})
        if "<mj-button" in source:
            html = _BUTTON_CELL_VALIGN.sub(r"\1", html)
        # Two Outlook conditionals in a row are one: MRML writes 47 such pairs in the example (1.4 KB), which
        # official MJML 5 merges as this does.
        html = html.replace("<![endif]--><!--[if mso | IE]>", "")
        return _preheader_lang_dir(html)
    except ValueError as exc:
        message = str(exc)
        match = _OFFSET.search(message)
        if match:
            position: tuple[int, int] | None = _line_column(source, int(match.group(1)))
            message = message[: match.start()] + message[match.end():]
        else:
            position, hint = _unbalanced_tag(source)
            message += f" ({hint})" if hint else ""
        raise TemplateError(_describe(source, name, position, message)) from None


def _mark_inline_styles(source: str) -> str:
    """``source`` with INLINE_MARKER after each ``<mj-style inline="inline">`` tag. The tags are found by
    substring search, each then matched where it starts: the case-blind expression run over the whole MJML
    took 30 µs of a 0.9 ms compile. It also marked ``<MJ-STYLE inline="inline">``, which is no mj-style: MRML
    refuses it in the head and passes it through as HTML in a text, where the marker was shown as text."""
    parts: list[str] = []
    done = 0
    position = source.find("<mj-style")
    while position >= 0:
        match = _INLINE_STYLE.match(source, position)
        if match is not None:
            parts += (source[done:match.end()], INLINE_MARKER)
            done = position = match.end()
        else:
            position += 1
        position = source.find("<mj-style", position)
    return "".join(parts) + source[done:] if parts else source


def _preheader_lang_dir(html: str) -> str:
    body = html.find("<body")
    first = html.find(">", body) + 1
    declared = _HTML_LANG_DIR.search(html, 0, 400)
    if body < 0 or declared is None or not html.startswith(_PREHEADER, first):
        return html
    lang, direction = declared.groups()
    return f'{html[:first]}<div lang="{lang}" dir="{direction}"{html[first + 4:]}'


def _describe(source: str, name: str, position: tuple[int, int] | None, message: str) -> str:
    if position is None:
        return f"{name}: MJML did not compile: {message}"
    line, column = position
    text = source.split("\n")[line - 1]
    return f"{name}:{line}:{column}: MJML did not compile: {message}\n  {text}\n  {' ' * (column - 1)}^"


def _line_column(source: str, byte_offset: int) -> tuple[int, int]:
    """1-based line and column of a UTF-8 byte offset into ``source``."""
    before = source.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _unbalanced_tag(source: str) -> tuple[tuple[int, int] | None, str]:
    # Imported here: only an error without a position needs it, and it cost 5 ms of every cold build.
    from html.parser import HTMLParser

    class TagBalance(HTMLParser):
        """Finds the first ``mj-`` tag closed out of order, or else the innermost one never closed."""

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.open: list[tuple[str, tuple[int, int]]] = []
            self.problem: tuple[tuple[int, int], str] | None = None

        def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
            if tag.startswith("mj-") or tag == "mjml":
                self.open.append((tag, self.getpos()))

        def handle_startendtag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
            pass  # <mj-image ... /> opens nothing

        def handle_endtag(self, tag: str) -> None:
            if not (tag.startswith("mj-") or tag == "mjml") or self.problem:
                return
            if self.open and self.open[-1][0] == tag:
                self.open.pop()
            else:
                expected = f"</{self.open[-1][0]}>" if self.open else "nothing"
                self.problem = (self.getpos(), f"</{tag}> found where {expected} was expected")

    checker = TagBalance()
    checker.feed(source)
    checker.close()
    if checker.problem:
        (line, offset), hint = checker.problem
        return (line, offset + 1), hint
    if checker.open:
        tag, (line, offset) = checker.open[-1]
        return (line, offset + 1), f"<{tag}> is never closed"
    return None, ""
