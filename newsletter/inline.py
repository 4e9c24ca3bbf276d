"""Stage 5: inline the CSS of the compiled email's ``<mj-style inline="inline">`` blocks into style attributes.

The built-in templates write their styles into the elements themselves, so a build of them has nothing to
inline and keeps MRML's HTML untouched, without importing an inliner. For a template of the user's with
such a block, premailer is the default inliner; css-inline (Rust, ``inliner: css-inline`` in the config)
gives the same rendering 6-10 times faster. Either way, every setting here is deliberate (FIELD-NOTES):
- only the blocks that :mod:`compile` marked ``/* newsletter:inline */`` are inlined and then removed; MRML's
  blocks (resets and the responsive ``@media`` rules, ``!important`` included) are marked to be ignored and
  kept as they are, which also makes premailer about three times faster;
- attributes that MRML set (width, height, align...) are not overwritten, nothing is fetched from the
  network, links are not rewritten, and cssutils' warnings are silenced;
- inliners re-encode URLs (premailer percent-encodes spaces and non-ASCII, which breaks merge tags such as
  ``{{ UnsubscribeURL }}``): every ``href`` and ``src`` value is swapped for a placeholder before inlining
  and put back after it, byte for byte. The placeholders carry a per-build nonce, so no author can type one;
- the doctype MRML wrote is put back (premailer drops it, css-inline upper-cases it).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from .compile import INLINE_MARKER
from .errors import TemplateError

INLINERS = ("premailer", "css-inline")
_STYLE_OPEN = re.compile(r"<style\b([^>]*)>(?=(.*?)</style>)", re.S | re.I)
_OUR_STYLE = re.compile(r"<style\b[^>]*>\s*" + re.escape(INLINE_MARKER) + r".*?</style>\s*", re.S | re.I)
_DOCTYPE = re.compile(r"^\s*(<!doctype[^>]*>)\s*", re.I)
# One pattern per attribute, each starting with a literal that the regex engine can skip to: a single
# case-insensitive pattern took 0.5 ms on the example, these 0.1 ms each. MRML writes names in lower case.
_URL_ATTRIBUTES = (re.compile(r'href="([^"]*)"'), re.compile(r'src="([^"]*)"'))
# Compiled once: a pattern with the nonce in it cost a compile (0.1 ms) per call.
_PLACEHOLDER = re.compile(r"nl-url-([0-9a-f]{16})-(\d+)")


def _protect_urls(html: str) -> tuple[str, Callable[[str], str]]:
    """``html`` with each URL attribute value replaced by a numbered placeholder, and how to undo it."""
    nonce = secrets.token_hex(8)
    originals: list[str] = []

    def swap(match: re.Match[str]) -> str:
        if match.string[match.start() - 1] not in " \t\n":  # part of another name, such as data-href="..."
            return match.group(0)
        originals.append(match.group(1))
        name = match.group(0).split("=", 1)[0]
        return f'{name}="nl-url-{nonce}-{len(originals) - 1}"'

    def restore(match: re.Match[str]) -> str:
        return originals[int(match.group(2))] if match.group(1) == nonce else match.group(0)

    for pattern in _URL_ATTRIBUTES:
        html = pattern.sub(swap, html)
    return html, lambda inlined: _PLACEHOLDER.sub(restore, inlined)


def _mark_kept_styles(html: str, attribute: str) -> str:
    """Every ``<style>`` but the marked ones gets ``attribute``, which tells the inliner to leave it alone."""

    def mark(match: re.Match[str]) -> str:
        if INLINE_MARKER in match.group(2):
            return match.group(0)
        return f"<style{match.group(1)} {attribute}>"

    return _STYLE_OPEN.sub(mark, html)


def _premailer(html: str) -> str:
    import logging  # here: a build of the built-in templates inlines nothing and needs neither

    from premailer import Premailer  # costs ~180 ms to import: only when a build needs it

    marked = _mark_kept_styles(html, 'data-premailer="ignore"')
    result = Premailer(
        marked,
        keep_style_tags=False,
        strip_important=False,
        remove_classes=False,
        allow_network=False,
        disable_link_rewrites=True,
        disable_basic_attributes=["width", "height", "align", "valign", "bgcolor", "background"],
        disable_validation=True,
        exclude_pseudoclasses=True,
        cssutils_logging_level=logging.CRITICAL,
    ).transform()
    return result.replace(' data-premailer="ignore"', "")


def _css_inline(html: str) -> str:
    try:
        import css_inline
    except ImportError:
        raise TemplateError("the css-inline inliner is not installed: pip install 'newsletter[fast]'") from None
    inliner = css_inline.CSSInliner(keep_style_tags=True, keep_link_tags=True, load_remote_stylesheets=False)
    result = inliner.inline(_mark_kept_styles(html, 'data-css-inline="ignore"'))
    # Kept so the ignored blocks survive; the marked ones have been inlined and go, as with premailer.
    return _OUR_STYLE.sub("", result.replace(' data-css-inline="ignore"', ""))


_BACKENDS: dict[str, Callable[[str], str]] = {"premailer": _premailer, "css-inline": _css_inline}


def inline_css(html: str, inliner: str = "premailer") -> str:
    """``html`` with its marked CSS inlined by ``inliner`` and everything else as MRML wrote it."""
    if INLINE_MARKER not in html:
        return html  # nothing to inline: an inliner would only parse and re-serialize the document
    doctype = _DOCTYPE.match(html)
    protected, restore_urls = _protect_urls(html)
    try:
        result = _BACKENDS[inliner](protected)
    except TemplateError:
        raise
    except Exception as exc:  # the inliners raise bare Exceptions for CSS they cannot parse
        raise TemplateError(f"CSS inlining ({inliner}) failed: {exc}") from None
    result = restore_urls(result)
    if doctype:
        result = doctype.group(1) + "\n" + _DOCTYPE.sub("", result, count=1)
    return result
