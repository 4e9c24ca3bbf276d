"""Stage 4: compile MJML to HTML with mjml-python (MRML, the Rust port of MJML).

MRML reports errors as a bare ValueError, sometimes with a ``start:end`` byte offset; we turn that offset
into a line and column of the MJML source, which ``--out`` keeps as ``X.mjml`` for debugging.
"""

from __future__ import annotations

import re

from mjml import mjml2html

from .errors import TemplateError

_OFFSET = re.compile(r"at position (\d+):(\d+)")


def compile_mjml(source: str, name: str = "email.mjml") -> str:
    """The HTML of MJML ``source``; ``name`` is how errors refer to the source."""
    try:
        # fonts={}: no web-font <link>/@import; the theme names fonts every mail client has.
        return mjml2html(source, disable_comments=True, fonts={})
    except ValueError as exc:
        message = str(exc)
        match = _OFFSET.search(message)
        where = name
        if match:
            line, column = _line_column(source, int(match.group(1)))
            where = f"{name}:{line}:{column}"
            message = message[: match.start()].rstrip()
        raise TemplateError(f"{where}: MJML did not compile: {message}") from None


def _line_column(source: str, byte_offset: int) -> tuple[int, int]:
    """1-based line and column of a UTF-8 byte offset into ``source``."""
    before = source.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1
