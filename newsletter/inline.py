"""Stage 5: inline the CSS of the compiled email into style attributes, with premailer.

premailer's defaults break MJML's output (see FIELD-NOTES), so every setting here is deliberate:
- only our own ``<style>`` block, marked ``/* newsletter:inline */``, is inlined; MRML's blocks (resets and
  the responsive ``@media`` rules) are marked ``data-premailer="ignore"`` and kept as they are, which also
  makes premailer about three times faster;
- ``!important`` is kept, attributes that MRML set (width, height, align...) are not overwritten, nothing is
  fetched from the network, links are not rewritten, and cssutils' warnings are silenced;
- premailer percent-encodes spaces and non-ASCII in URLs, which breaks merge tags such as
  ``{{ UnsubscribeURL }}``: every ``href`` and ``src`` value is swapped for a placeholder before premailer
  and put back after it, byte for byte. The placeholders carry a per-build nonce, so no author can type one;
- premailer drops the doctype, so the one MRML wrote is put back.
"""

from __future__ import annotations

import logging
import re
import secrets

from .errors import TemplateError

INLINE_MARKER = "/* newsletter:inline */"
_STYLE_OPEN = re.compile(r"<style\b([^>]*)>(?=(.*?)</style>)", re.S | re.I)
_DOCTYPE = re.compile(r"^\s*(<!doctype[^>]*>)", re.I)
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")', re.I)


def _protect_urls(html: str) -> tuple[str, re.Pattern[str], list[str]]:
    """``html`` with each URL attribute value replaced by a numbered placeholder, and how to undo it."""
    nonce = secrets.token_hex(8)
    originals: list[str] = []

    def swap(match: re.Match[str]) -> str:
        originals.append(match.group(2))
        return f"{match.group(1)}nl-url-{nonce}-{len(originals) - 1}{match.group(3)}"

    return _URL_ATTRIBUTE.sub(swap, html), re.compile(rf"nl-url-{nonce}-(\d+)"), originals


def _mark_kept_styles(html: str) -> str:
    def mark(match: re.Match[str]) -> str:
        if INLINE_MARKER in match.group(2):
            return match.group(0)
        return f'<style{match.group(1)} data-premailer="ignore">'

    return _STYLE_OPEN.sub(mark, html)


def inline_css(html: str) -> str:
    """``html`` with our CSS inlined and everything else as MRML wrote it."""
    from premailer import Premailer  # costs ~180 ms to import: only when a build needs it

    doctype = _DOCTYPE.match(html)
    protected, placeholder, urls = _protect_urls(_mark_kept_styles(html))
    try:
        result = Premailer(
            protected,
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
    except Exception as exc:  # premailer raises bare Exceptions for CSS it cannot parse
        raise TemplateError(f"CSS inlining failed: {exc}") from None
    result = result.replace(' data-premailer="ignore"', "")
    result = placeholder.sub(lambda match: urls[int(match.group(1))], result)
    if doctype and not _DOCTYPE.match(result):
        result = f"{doctype.group(1)}\n{result}"
    return result
