"""Property tests: generated issue definitions, valid and invalid, and arbitrary bytes for the YAML loader.

Every input either builds or fails with our own error naming file:line:field; nothing else escapes. CI runs
200 examples per property; `NEWSLETTER_FUZZ_EXAMPLES=10000 scripts/test tests/test_fuzz.py` is
the dedicated long run.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from html import escape
from pathlib import Path

import lxml.html
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import REPO
from newsletter import blocks, config, load, markup, models, pipeline
from newsletter import project as project_module
from newsletter.errors import InputError, NewsletterError

EXAMPLES = int(os.environ.get("NEWSLETTER_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

_ROOT = Path(tempfile.mkdtemp(prefix="newsletter-fuzz-"))
shutil.copy(REPO / "newsletter.yaml", _ROOT / "newsletter.yaml")
shutil.copy(REPO / "authors.yaml", _ROOT / "authors.yaml")
(_ROOT / "issues").mkdir()
PROJECT = project_module.load_project(_ROOT / "newsletter.yaml")
ISSUE_PATH = _ROOT / "issues" / "fuzz.yaml"
PROBLEM = re.compile(r"^issues/fuzz\.yaml:\d+:\d+: ")

# Any character but surrogates (a UTF-8 file cannot hold them): controls, right-to-left marks, combining
# marks, emoji, no-break and zero-width spaces are all in.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
WORDS = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=200)
RTL = st.sampled_from(["مرحبا بالعالم", "שלום עולם", "e\u0301\u0301\u0301", "👩🏽‍🔬🇸🇾", "a\u200bb", "x" * 300,
                       "\u202eevil\u202c", "ﷺ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"])
FIELD_TEXT = st.one_of(WORDS, RTL, ANY_TEXT)


def _write(data: object) -> Path:
    ISSUE_PATH.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return ISSUE_PATH


def _build(data: object):
    """The built email, or None when the input was refused with our own error naming the file and a line."""
    _write(data)
    cwd = os.getcwd()
    os.chdir(_ROOT)
    try:
        return pipeline.render_issue(Path("issues/fuzz.yaml"), PROJECT)
    except InputError as exc:
        assert exc.problems and all(PROBLEM.match(str(problem)) for problem in exc.problems), str(exc)
        return None
    finally:
        os.chdir(cwd)


_LINE_PREFIX = re.compile(r"^ *(?:•|\d+\.)? *")


def _flat(text: str) -> str:
    return " ".join(text.split())


@st.composite
def valid_issues(draw, FIELD_TEXT=FIELD_TEXT):  # noqa: N803 - the strategy every text field is drawn from
    brief = {
        "title": draw(FIELD_TEXT),
        "authors": [draw(st.one_of(st.sampled_from(["randa-slim", "emma-beals"]), st.fixed_dictionaries(
            {"name": FIELD_TEXT}, optional={"role": FIELD_TEXT, "twitter": st.from_regex(r"@?[A-Za-z0-9_]{1,15}",
                                                                                        fullmatch=True)})))],
        "key_points": draw(st.lists(FIELD_TEXT, max_size=3)),
        # Prose without Markdown's link syntax, so the expected visible text is easy to state.
        "body": draw(st.lists(FIELD_TEXT.filter(lambda t: "[" not in t and "<" not in t), min_size=1, max_size=3)
                     .map(lambda ps: "\n\n".join(ps))
                     # a body of Markdown syntax alone (">", "- ") shows nothing: refused as empty, rightly
                     .filter(lambda body: not all(markup.is_invisible(b.text) for b in markup.blocks_to_text(body)))),
    }
    issue = {"subject": draw(FIELD_TEXT), "briefs": [brief]}
    if draw(st.booleans()):
        issue["preheader"] = draw(FIELD_TEXT)
    if draw(st.booleans()):
        issue["hero"] = {"image": "https://e.com/a.jpg", "alt": draw(FIELD_TEXT), "credit": draw(FIELD_TEXT)}
    return issue


@FUZZ
@given(valid_issues())
# Found by this property: a hard line break (backslash, then a carriage return) is <br> in the HTML.
@example({"subject": "0", "briefs": [{"title": "0", "authors": ["randa-slim"], "key_points": [], "body": "0\\\r0"}]})
def test_generated_issues_build_or_fail_cleanly(issue) -> None:
    email = _build(issue)
    if email is not None:
        _assert_reads_right(email)


# Text a writer may type: no controls, and something visible; any script, mark, emoji or space.
CLEAN_TEXT = st.one_of(WORDS.filter(lambda t: not markup.is_invisible(t)), RTL)


@FUZZ
@given(valid_issues(CLEAN_TEXT))
def test_generated_issues_of_clean_text_always_build(issue) -> None:
    email = _build(issue)
    assert email is not None, "a valid issue of clean text was refused"
    _assert_reads_right(email)


def _assert_reads_right(email) -> None:  # type: ignore[no-untyped-def]
    tree = lxml.html.document_fromstring(email.html)  # raises on HTML lxml cannot parse
    assert tree.xpath("//script") == []
    for line_break in tree.iter("br"):  # a hard line break (a backslash at a line's end) shows as one
        line_break.tail = "\n" + (line_break.tail or "")
    visible = _flat(tree.text_content())
    brief = email.issue.briefs[0]
    for value in [brief.title, *brief.key_points, *(a.name for a in brief.authors)]:
        assert _flat(value) in visible
    for block in markup.blocks_to_text(brief.body):  # paragraphs, list items, headings, quotes
        assert _flat(block.text) in visible
    if email.issue.hero and email.issue.hero.credit:
        assert _flat(email.issue.hero.credit) in visible
    for line in email.text.splitlines():
        # Within 78 characters, unless the line is one word too long to break (after its bullet or number).
        assert len(line) <= 78 or " " not in _LINE_PREFIX.sub("", line), line
    text = _flat(email.text)
    assert _flat(brief.title) in text


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(ANY_TEXT, children, max_size=3)),
    max_leaves=10,
)


@st.composite
def invalid_issues(draw):
    issue = draw(valid_issues())
    mutation = draw(st.sampled_from(["drop", "add", "retype", "nest"]))
    target = issue if draw(st.booleans()) else issue["briefs"][0]
    key = draw(st.sampled_from(sorted(target)))
    if mutation == "drop":
        target.pop(key)
    elif mutation == "add":
        target[draw(ANY_TEXT.filter(lambda k: k not in target))] = draw(JSONISH)
    elif mutation == "retype":
        target[key] = draw(JSONISH)
    else:
        target[key] = {key: target[key]}
    return issue


REQUIRED = {"subject", "briefs", "title", "authors", "body"}


@st.composite
def broken_issues(draw):
    """A valid issue with a required field dropped or an unknown one added: always refused, at that field."""
    issue = draw(valid_issues(CLEAN_TEXT))
    brief = issue["briefs"][0]
    target, prefix = (issue, "") if draw(st.booleans()) else (brief, "briefs[0].")
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(REQUIRED & set(target))))
        target.pop(key)
        if key == "briefs":  # an issue has briefs: or blocks:, so neither is required alone
            return issue, "an issue needs briefs: (a list of briefs) or blocks: (a list of blocks of any type)"
        return issue, f"{prefix}{key}: required field is missing"
    key = draw(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True).filter(lambda k: k not in target and
                                                                          k not in models.Brief.model_fields and
                                                                          k not in models.Issue.model_fields))
    target[key] = draw(JSONISH)
    return issue, f"{prefix}{key}: unknown field"


@FUZZ
@given(invalid_issues())
def test_invalid_issues_fail_with_our_error(issue) -> None:
    _build(issue)  # builds (a mutation can stay valid) or fails naming file:line; nothing else may escape


@FUZZ
@given(broken_issues())
def test_broken_issues_are_refused_at_the_field(case) -> None:
    issue, expected = case
    _write(issue)
    cwd = os.getcwd()
    os.chdir(_ROOT)
    try:
        pipeline.render_issue(Path("issues/fuzz.yaml"), PROJECT)
    except InputError as exc:
        assert any(f": {expected}" in str(problem) for problem in exc.problems), (expected, str(exc))
    else:
        raise AssertionError(f"accepted an issue whose {expected}")
    finally:
        os.chdir(cwd)


@FUZZ
@given(st.binary(max_size=400))
def test_yaml_loader_takes_any_bytes(data: bytes) -> None:
    path = _ROOT / "bytes.yaml"
    path.write_bytes(data)
    try:
        load.load(path, "bytes.yaml")
    except InputError as exc:
        assert all(str(problem).startswith("bytes.yaml:") for problem in exc.problems)


YAML_PIECES = st.sampled_from(["[", "]", "{", "}", "&a ", "*a ", "!!python/object ", ": ", "- ", "\n", "  ", "'",
                               '"', "|", ">", "? ", "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n", "key", "\t", "#"])


@FUZZ
@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_yaml_loader_takes_yaml_shaped_noise(text: str) -> None:
    path = _ROOT / "noise.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        document = load.load(path, "noise.yaml")
    except InputError:
        return
    try:
        models.Issue.model_validate(document.data, context={"authors": {}, "block_types": blocks.REGISTRY})
    except Exception as exc:  # noqa: BLE001 - pydantic's own error is the expected outcome here
        assert type(exc).__name__ == "ValidationError"


def test_deep_nesting_and_huge_files_are_refused() -> None:
    import pytest

    cases = {
        "[" * 100_000: "big.yaml:1:",  # PyYAML's own recursion limit, or ours: either is our error
        "[" * 100 + "]" * 100: "document expands to nesting deeper than 64 (aliases?)",
        "x: " + "y" * 3_000_000: "big.yaml:1:1: file is larger than 2,000,000 bytes",
    }
    for text, expected in cases.items():
        path = _ROOT / "big.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(NewsletterError) as caught:
            load.load(path, "big.yaml")
        assert str(caught.value).startswith("big.yaml:") and expected in str(caught.value)


def test_deep_indentation_of_one_key_is_just_data() -> None:
    # 2,000 levels of indentation hold one mapping: deep to the eye, flat to YAML.
    path = _ROOT / "indented.yaml"
    path.write_text("a:\n" + "  " * 2000 + "b: 1\n", encoding="utf-8")
    assert load.load(path, "indented.yaml").data == {"a": {"b": 1}}


@FUZZ
@given(st.binary(max_size=600), st.one_of(st.none(), st.text(max_size=200)))
def test_check_takes_any_file(data: bytes, text: str | None) -> None:
    from newsletter import checks

    html = _ROOT / "any.html"
    html.write_bytes(data)
    plain = None
    if text is not None:
        plain = _ROOT / "any.txt"
        plain.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        findings = checks.check_files(html, plain)
    except InputError as exc:
        assert all(str(problem).startswith(str(html)) for problem in exc.problems)
        return
    lines = len(re.split(rb"\r\n|\r|\n", data))  # a lone CR ends a line for the HTML parser too
    for finding in findings:
        assert finding.rule in checks.RULES and finding.severity in ("error", "warning")
        assert finding.file == str(html) and 1 <= finding.line <= lines and finding.message
    if plain is None:
        assert ("text-parity", "no plain-text part to compare with") in {(f.rule, f.message) for f in findings}


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=300))
def test_encoded_words_read_back_whole_characters_and_short_lines(value) -> None:
    from email.header import decode_header

    from newsletter.mime import _encoded

    encoded = _encoded(value, len("Subject: "))
    lines = ("Subject: " + encoded).split("\r\n")
    assert all(len(line) <= 78 for line in lines)
    words = decode_header(encoded)
    assert all(charset == "utf-8" for _, charset in words)
    assert "".join(raw.decode("utf-8") for raw, _ in words) == value  # each word decodes alone: whole characters


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(st.text(st.characters(blacklist_characters="\x00\n\r!&*<[]\\_`", blacklist_categories=("Cs",)), max_size=200)
       | st.text(alphabet=st.sampled_from(list("ab :/.-#~>=+$%{}()'\"\t\u00a0é")), max_size=60))
def test_plain_paragraphs_skip_the_parser_with_the_same_output(source) -> None:
    """Text without Markdown syntax gives what markdown-it gives for it, in HTML, in text and in link checks."""
    from newsletter import markup

    assert markup.is_plain(source)
    parsed = markup._inline_tokens(source)
    html = "".join(escape(token.content, quote=False) for token in parsed if token.type == "text")
    text = "".join(token.content for token in parsed if token.type == "text")
    assert all(token.type == "text" for token in parsed)  # the parser finds nothing but text in it
    assert markup.to_html(source) == html and markup.to_text(source) == text
    assert markup.link_errors(source) == []


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["", "é", "\u00a0", "\u200b", "\u2028", "字", "\n", "\t\r\n", "\x0b",
                                               "\x0c", "\ud800", "\udfff", "\ufffe", "\x85"]))
def test_a_control_character_is_refused_whatever_text_is_around_it(source, neighbour) -> None:
    """The printable fast path and the search without line breaks let no control character, lone surrogate or
    XML non-character through, in ASCII text or any other, and name the first one as the scan of all did."""
    from newsletter import models

    text = neighbour + source + neighbour
    for allowed in ("", "\t\n\r"):
        refused = [c for c in text if (unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff")
                   and c not in allowed]
        try:
            models._refuse_control_characters(text, allowed)
        except Exception as exc:  # pydantic's custom error, naming the first one refused
            assert refused and f"U+{ord(refused[0]):04X}" in str(exc), exc
        else:
            assert not refused


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_is_plain_is_exactly_the_absence_of_the_syntax_characters(source) -> None:
    """is_plain spells the characters out one by one (for speed): it agrees with the list the parser's
    syntax is written in, for any text and for each of those characters anywhere in it."""
    from newsletter import markup

    assert markup.is_plain(source) == (not any(c in source for c in markup._SYNTAX_CHARACTERS))
    for character in markup._SYNTAX_CHARACTERS:
        assert not markup.is_plain(source + character)
        assert not markup.is_plain(character + source)


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list(" \t-*+#>.)0123456789ab٣\n")), max_size=12), max_size=6)
       .map("\n".join))
def test_has_blocks_agrees_with_its_regular_expression(source) -> None:
    """The line-at-a-time test finds a list, heading or quote exactly where the regular expression does."""
    from newsletter import markup

    assert markup.has_blocks(source) == (markup._BLOCK_START.search(source) is not None)


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=120))
def test_the_one_column_shortcut_agrees_with_wcwidth(text) -> None:
    """Text the shortcut lets through is as wide as it is long, as wcwidth measures it."""
    from wcwidth import wcswidth

    from newsletter import plain

    if plain._ONE_COLUMN.fullmatch(text):
        assert wcswidth(text) == len(text)
