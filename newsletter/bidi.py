"""Runs of the other direction: a Latin handle, address or name inside a right-to-left edition (or an Arabic
title in an English one) is isolated, so that the bidirectional algorithm does not reorder it with what
surrounds it ("sarahaddad@", "N St. NW, Washington, D.C. 20036 1763").

In the HTML, such a run goes in ``<span dir>`` (an element with ``dir`` is isolated, as ``<bdi>`` is, and every
client we target keeps a span); in the plain text, between U+2066 LEFT-TO-RIGHT ISOLATE (or U+2067
RIGHT-TO-LEFT ISOLATE) and U+2069 POP DIRECTIONAL ISOLATE. Text of the container's own direction is left as
it is: an English edition of English text is written exactly as before.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from markupsafe import Markup

_ISOLATES = {"ltr": "\u2066", "rtl": "\u2067"}
POP = "\u2069"


@lru_cache(maxsize=4096)
def direction_of(text: str) -> str | None:
    """``ltr`` or ``rtl``: the direction of the first letter with a strong direction in ``text`` (the rule the
    bidirectional algorithm and ``dir="auto"`` follow); None when it has none (digits, punctuation)."""
    if text.isascii():
        return "ltr" if any(character.isalpha() for character in text) else None
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def differs(text: str, container: str) -> str | None:
    """The direction ``text`` must be isolated in, inside a ``container`` of the given direction; None when it
    reads right as it is."""
    own = direction_of(text)
    return own if own is not None and own != container else None


def html(text: str, container: str) -> Markup:
    """``text``, escaped, in a ``<span dir>`` when its direction is not the ``container``'s."""
    own = differs(str(text), container)
    if own is None:
        return Markup.escape(text)  # as Jinja's autoescape would have written it
    return Markup('<span dir="{}">{}</span>').format(own, text)


def attribute(text: str, container: str) -> Markup:
    """`` dir="ltr"`` for an element whose text (``text``) reads the other way than its ``container``."""
    own = differs(str(text), container)
    return Markup(f' dir="{own}"') if own else Markup("")


def plain(text: str, container: str) -> str:
    """``text`` between isolate marks when its direction is not the ``container``'s (the plain text's)."""
    own = differs(text, container)
    return f"{_ISOLATES[own]}{text}{POP}" if own else text
