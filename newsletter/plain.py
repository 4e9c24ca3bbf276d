"""Plain-text primitives for the text stage and the block types: wrapping at 78 columns, only at spaces, and
a body's Markdown blocks laid out as paragraphs, bullets and quotes.

Words with hyphens ("non-for-profit") and URLs stay whole, so unwrapping gives back the authors' text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from . import markup

WIDTH = 78
BULLET = "  • "


def wrap_line(text: str, first: str = "", rest: str = "", width: int = WIDTH) -> list[str]:
    """Greedy word wrap of one line at spaces, like ``textwrap`` with ``break_long_words`` and
    ``break_on_hyphens`` off, but with one C-level search per output line instead of a Python loop per word
    (about 20 times faster on the example issue). Text whose characters do not each take one column (wide
    East Asian ones take two, combining marks none: wcwidth says) is wrapped by its display width."""
    text = text.strip(" ")
    if not text.isascii() and not _ONE_COLUMN.fullmatch(text):
        if _wide().search(text):
            return _wrap_by_units(text, first, rest, width)
        if _display_width(text) != len(text):
            return _wrap_by_width(text, first, rest, width)
    lines = []
    prefix = first
    while True:
        room = width - len(prefix)
        if len(text) <= room:
            lines.append(prefix + text)
            return lines
        cut = text.rfind(" ", 0, room + 1)
        if cut <= 0:  # a word longer than the line (a URL): it stands alone, whole
            cut = text.find(" ", room)
            if cut < 0:
                lines.append(prefix + text)
                return lines
        lines.append(prefix + text[:cut].rstrip(" "))
        text = text[cut:].lstrip(" ")
        prefix = rest


# Text made only of these takes one column a character, as wcwidth measures each of them (a test holds the
# two together): ASCII, Latin (accents precomposed), Greek, Cyrillic, the general punctuation (curly quotes,
# dashes), currency, letterlike symbols and arrows. Anything else is measured by wcwidth, in Python.
_ONE_COLUMN = re.compile("[\x20-\x7e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e"
                         "\u20a0-\u20bf\u2100-\u214f\u2190-\u21ff]*")


def _display_width(text: str) -> int:
    from wcwidth import wcswidth  # imported only for text that is not ASCII

    found = wcswidth(text)
    return found if found >= 0 else len(text)  # a control character (none pass the models): count characters


# Chinese, Japanese and Korean letters and their punctuation: text that holds them wraps between them.
# Compiled on first use: the class reaches past the Basic Multilingual Plane, and compiling it was 6 ms of
# every cold start, for text most issues do not hold.
@functools.cache
def _wide() -> re.Pattern[str]:
    return re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                      "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def _wrap_by_units(text: str, first: str, rest: str, width: int) -> list[str]:
    """Wrap where Unicode's line-breaking rules (UAX #14, through uniseg) allow: between Chinese or Japanese
    letters, which have no spaces, never inside a Latin word, never before "、" or "。" nor after "「"."""
    from uniseg.linebreak import line_break_units  # only for text with such letters: 19 ms to import

    lines: list[str] = []
    prefix, line, used = first, "", 0
    for unit in line_break_units(text):
        size = _display_width(unit.rstrip(" "))
        room = width - _display_width(prefix)
        if line and used + size > room:
            lines.append(prefix + line.rstrip(" "))
            prefix, line, used = rest, unit, _display_width(unit)
        else:
            line += unit
            used += _display_width(unit)
    lines.append(prefix + line.rstrip(" "))
    return lines


def _wrap_by_width(text: str, first: str, rest: str, width: int) -> list[str]:
    lines: list[str] = []
    prefix, line, used = first, "", 0
    for word in text.split(" "):
        if not word:
            continue
        size = _display_width(word)
        room = width - _display_width(prefix)
        if line and used + 1 + size > room:
            lines.append(prefix + line)
            prefix, line, used = rest, word, size
        else:
            line, used = (f"{line} {word}", used + 1 + size) if line else (word, size)
    lines.append(prefix + line)
    return lines


def wrap(text: str, first: str = "", rest: str = "") -> str:
    """``text`` wrapped, its first line after ``first`` and the others after ``rest``. A hard line break in
    Markdown stays a line break; each line is wrapped on its own."""
    if "\t" in text:
        text = text.replace("\t", " ")
    if "\n" not in text:  # nearly every paragraph: one line to wrap
        return "\n".join(wrap_line(text, first, rest)) if text.strip() else first.rstrip()
    out = []
    for index, line in enumerate(text.split("\n")):
        prefix = first if index == 0 else rest
        out.append("\n".join(wrap_line(line, prefix, rest)) if line.strip() else prefix.rstrip())
    return "\n".join(out)


# What reads left to right whatever the language around it: a link as the text writes it, a handle, an
# e-mail address. In a right-to-left paragraph each is isolated, or "<https://x>" shows as ">https://x<".
_LEFT_TO_RIGHT_RUN = re.compile(r"<[^<>\s]+>|(?<![\w@])@[A-Za-z0-9_]{1,15}\b|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def isolate_runs(text: str, direction: str) -> str:
    """``text`` with its links, handles and e-mail addresses isolated left to right, in a right-to-left
    ``direction``; as it is otherwise."""
    if direction != "rtl":
        return text
    return _LEFT_TO_RIGHT_RUN.sub(lambda match: f"\u2066{match.group(0)}\u2069", text)


def body(source: str, link: Callable[[str], str], direction: str = "ltr") -> list[str]:
    """A body's Markdown as wrapped plain-text paragraphs; the items of a list are one paragraph, a line each.
    In a right-to-left ``direction``, links, handles and addresses are isolated."""
    out: list[str] = []
    previous_item = False
    for block in markup.blocks_to_text(source, link):
        text = wrap(isolate_runs(block.text, direction), block.first, block.rest)
        if block.item and previous_item:
            out[-1] += "\n" + text
        else:
            out.append(text)
        previous_item = block.item
    return out
