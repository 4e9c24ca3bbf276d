"""The plain-text wrapper: textwrap's result, faster; lines within 78 characters except unbreakable words."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.plain import wrap_line

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-./:’é•0123456789", min_size=1, max_size=30)
SPACES = st.sampled_from([" ", " ", " ", "  ", "   "])


@st.composite
def lines(draw) -> str:
    words = draw(st.lists(WORD, min_size=1, max_size=80))
    return "".join(word + draw(SPACES) for word in words).rstrip(" ")


@settings(max_examples=400, deadline=None)
@given(lines(), st.sampled_from([("", ""), ("  • ", "    "), ("  12. ", "      ")]), st.integers(20, 100))
def test_wrap_line_matches_textwrap(line: str, indents: tuple[str, str], width: int) -> None:
    first, rest = indents
    expected = textwrap.TextWrapper(width=width, initial_indent=first, subsequent_indent=rest,
                                    break_long_words=False, break_on_hyphens=False).wrap(line)
    assert wrap_line(line, first, rest, width) == expected


def test_long_words_stand_alone_and_whole() -> None:
    url = "https://www.example.org/" + "a" * 90
    assert wrap_line(f"see {url} for more", width=78) == ["see", url, "for more"]
    assert wrap_line("non-for-profit " * 10, width=30) == ["non-for-profit non-for-profit"] * 5
