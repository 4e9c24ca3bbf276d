"""The inline stage: ``<mj-style inline="inline">`` CSS inlined as MJML would, past premailer's traps (FIELD-NOTES),
and nothing done at all for the built-in templates, which carry their styles in the elements already."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter import compile, inline
from newsletter.errors import TemplateError

INLINE_RULE = ".x p { color: #123456; }"

MJML = """<mjml lang="en">
  <mj-head>
    <mj-attributes><mj-all font-family="Georgia, serif" /></mj-attributes>
    <mj-style inline="inline">.x p { color: #123456; }</mj-style>
    <mj-style>.y p { color: #654321; }</mj-style>
    <mj-style>@media only screen and (max-width: 479px) { .x p { font-size: 20px !important; } }</mj-style>
  </mj-head>
  <mj-body>
    <mj-section><mj-column>
      <mj-image src="https://e.com/a.jpg" alt="A" width="600px" />
      <mj-text css-class="x"><p>Hi <a href="{{ UnsubscribeURL }}">unsubscribe</a>
        <a href="*|UNSUB|*">mc</a> <a href="%unsubscribe_url%">mg</a> <a href="[webversion]">cm</a>
        <a href="https://e.com/café?q=a b&amp;x=1">nonascii</a></p></mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>"""


@pytest.fixture(scope="module")
def compiled() -> str:
    return compile.compile_mjml(MJML)


@pytest.fixture(scope="module", params=inline.INLINERS)
def inliner(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def inlined(compiled: str, inliner: str) -> str:
    return inline.inline_css(compiled, inliner)


def test_doctype_is_kept(inlined: str) -> None:
    assert inlined.startswith("<!doctype html>")


def test_inline_css_is_inlined_and_its_block_removed(compiled: str, inlined: str) -> None:
    assert compiled.count(inline.INLINE_MARKER) == 1  # the compile stage marked the inline="inline" block
    assert re.search(r'<p style="color: ?#123456[^"]*">Hi', inlined)
    assert "newsletter:inline" not in inlined and INLINE_RULE not in inlined


def test_css_not_marked_inline_stays_a_style_block(inlined: str) -> None:
    assert ".y p { color: #654321; }" in inlined
    assert "#654321" not in "".join(re.findall(r'style="[^"]*"', inlined))


@pytest.mark.parametrize(("tag", "marked"), [
    ('<mj-style inline="inline">', True),
    ("<mj-style inline='inline'>", True),
    ('<mj-style\n      inline = "inline" >', True),
    ('<mj-style>', False),
    ('<mj-style data-inline="inline">', False),
    ('<mj-style css-inline="inline">', False),
])
def test_only_blocks_that_mjml_would_inline_are_marked(tag: str, marked: bool) -> None:
    html = compile.compile_mjml(MJML.replace('<mj-style inline="inline">', tag))
    assert (inline.INLINE_MARKER in html) == marked


def test_nothing_to_inline_leaves_mrml_html_untouched(inliner: str) -> None:
    html = compile.compile_mjml(MJML.replace(' inline="inline"', ""))
    assert inline.INLINE_MARKER not in html
    assert inline.inline_css(html, inliner) is html


def test_builtin_templates_leave_nothing_to_inline_and_no_inliner_is_imported(project) -> None:
    project.example()
    code = ("import sys, newsletter; newsletter.build(['issues/mei-four-briefs.yaml'], out='dist'); "
            "print(sorted(name for name in ('premailer', 'css_inline', 'cssutils') if name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
    html = (project.out / "mei-four-briefs.html").read_text(encoding="utf-8")
    assert html == compile.compile_mjml((project.out / "mei-four-briefs.mjml").read_text(encoding="utf-8"))
    assert re.search(r'<p style="margin:0 0 16px 0">Two years after', html)


def test_media_queries_keep_important(compiled: str, inlined: str) -> None:
    assert "font-size: 20px !important" in inlined
    for rule in re.findall(r"@media[^{]*\{[^}]*\}", compiled):
        assert rule in inlined


def test_mrml_attributes_are_not_overwritten(compiled: str, inlined: str) -> None:
    assert re.search(r'<img [^>]*width="550"', compiled)
    assert re.search(r'<img [^>]*width="550"', inlined)
    assert 'width="100%"' not in re.search(r"<img [^>]*>", inlined).group(0)


def test_merge_tags_and_urls_survive_byte_for_byte(inlined: str) -> None:
    for href in ["{{ UnsubscribeURL }}", "*|UNSUB|*", "%unsubscribe_url%", "[webversion]",
                 "https://e.com/café?q=a b&amp;x=1"]:
        assert f'href="{href}"' in inlined


def test_placeholders_do_not_leak(inlined: str) -> None:
    assert "nl-url-" not in inlined
    assert "data-premailer" not in inlined and "data-css-inline" not in inlined


def test_outlook_conditionals_survive(compiled: str, inlined: str) -> None:
    assert compiled.count("<!--[if mso | IE]>") == inlined.count("<!--[if mso | IE]>") > 0


def test_nothing_fetched_and_no_noise(capfd, monkeypatch, inliner: str) -> None:
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the inliner tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    html = compile.compile_mjml(MJML.replace(
        "<mj-head>",
        '<mj-head><mj-font name="Roboto" href="https://fonts.googleapis.com/css?family=Roboto" />'
        "<mj-style>.bad { colr: red; width: calc(; }</mj-style>"))
    link = '<link rel="stylesheet" href="https://e.com/x.css">'
    result = inline.inline_css(html.replace("</head>", link + "</head>"), inliner)
    assert result.startswith("<!doctype html>")
    assert link in result  # neither fetched nor rewritten: it reaches the output byte for byte
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_the_inliners_are_told_never_to_fetch(monkeypatch) -> None:
    # css-inline is Rust: no socket patch in Python would see it open a connection. What it is told is seen.
    import css_inline
    import premailer

    told: dict[str, dict] = {}
    real_premailer, real_css_inline = premailer.Premailer, css_inline.CSSInliner

    def spy_premailer(*args, **kwargs):
        told["premailer"] = kwargs
        return real_premailer(*args, **kwargs)

    def spy_css_inline(*args, **kwargs):
        told["css-inline"] = kwargs
        return real_css_inline(*args, **kwargs)

    monkeypatch.setattr(premailer, "Premailer", spy_premailer)
    monkeypatch.setattr(css_inline, "CSSInliner", spy_css_inline)
    html = compile.compile_mjml(MJML)
    for name in inline.INLINERS:
        inline.inline_css(html, name)
    assert told["premailer"]["allow_network"] is False
    assert told["css-inline"]["load_remote_stylesheets"] is False


def test_mrml_names_no_web_font(compiled: str) -> None:
    assert "fonts.googleapis.com" not in compiled and "@import" not in compiled


def test_unknown_css_is_passed_over_and_the_valid_rule_still_inlined(compiled: str, inliner: str) -> None:
    broken = compiled.replace(INLINE_RULE, INLINE_RULE + " .y { color: ; } @@@ {")
    assert broken != compiled
    result = inline.inline_css(broken, inliner)
    assert result.startswith("<!doctype html>")
    assert re.search(r'<p style="color: ?#123456;?">Hi', result), result
    assert inline.INLINE_MARKER not in result and "@@@" not in result


def test_an_inliner_that_fails_gives_our_error(compiled: str, inliner: str, monkeypatch) -> None:
    def fail(html: str) -> str:
        raise Exception("unexpected end of stylesheet")  # what the inliners raise: a bare Exception

    monkeypatch.setitem(inline._BACKENDS, inliner, fail)
    with pytest.raises(TemplateError, match=rf"^CSS inlining \({inliner}\) failed: unexpected end of stylesheet$"):
        inline.inline_css(compiled, inliner)


# A user's head template that adds CSS for the inliner to the built-in templates' own styles.
USER_HEAD = """{% include "builtin/head.mjml.j2" %}
    <mj-style inline="inline">
      .nl-text p { color: #8a1c1c; letter-spacing: 0.4px; }
      .nl-title h2 { text-decoration: underline; }
      .nl-footer p { font-style: italic; }
    </mj-style>
"""


def test_both_inliners_render_the_example_identically(browser, project) -> None:
    """The same screenshots in Chromium, at 600 and 375 px, whichever inliner inlined a user's CSS."""
    import newsletter

    path = project.example()
    project.template("head.mjml.j2", USER_HEAD)
    config = project.root / "newsletter.yaml"
    base_config = config.read_text(encoding="utf-8")
    shots = {}
    for inliner in inline.INLINERS:
        config.write_text(base_config + f"inliner: {inliner}\n", encoding="utf-8")
        html = newsletter.render_issue(path).html
        assert html.startswith("<!doctype html>") and inline.INLINE_MARKER not in html
        assert re.search(r'<p style="[^"]*color: ?#8a1c1c[^"]*">Two years after', html), inliner
        for width in (600, 375):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            shots[inliner, width] = page.screenshot(full_page=True)
            page.close()
    for width in (600, 375):
        assert shots["premailer", width] == shots["css-inline", width]
        assert len(shots["premailer", width]) > 10_000  # a real picture, not an empty page


def test_web_edition_keeps_its_css_in_style_and_renders_as_if_inlined(browser, project) -> None:
    """The web edition is not inlined: Chromium shows it exactly as it shows the same HTML inlined."""
    import newsletter

    path = project.example()
    project.template("head.mjml.j2", USER_HEAD)
    project.configure(logo={"src": "https://www.mei.edu/logo.png", "alt": "Middle East Institute"},
                      utm={"source": "mei", "medium": "email", "campaign": "{slug}"},
                      theme={"link_color": "#8a1c1c", "header_background_color": "#203040"})
    web = newsletter.render_issue(path).web_html
    assert web is not None and inline.INLINE_MARKER in web  # the user's rules are still a <style> block
    for inliner in inline.INLINERS:
        inlined = inline.inline_css(web, inliner)
        assert inline.INLINE_MARKER not in inlined and inlined != web
        for width in (600, 375):
            shots = []
            for html in (web, inlined):
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.route("**/*", lambda route: route.abort())
                page.set_content(html, wait_until="load")
                shots.append(page.screenshot(full_page=True))
                page.close()
            assert shots[0] == shots[1], f"the web edition and its {inliner}-inlined copy differ at {width} px"
            assert len(shots[0]) > 10_000


_STYLE_TAGS = ['<mj-style inline="inline">', "<mj-style INLINE='INLINE'>", "<mj-style>", '<mj-style data-inline="inline">',
               '<mj-style\n  inline = "inline" >', "<mj-style inline=\"inline\"", "<mj-styles inline='inline'>",
               '<mj-style a="<mj-style inline=\'inline\'>" inline="inline">', "x", ">", "</mj-style>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_STYLE_TAGS), max_size=8))
def test_the_inline_blocks_are_marked_as_the_expression_over_the_whole_source_marks_them(tags) -> None:
    """The tags found by substring search and matched where each starts get the marker exactly where the
    case-blind expression run over the whole MJML put it (for the lower-case tags MRML accepts)."""
    source = " ".join(tags)
    expected = compile._INLINE_STYLE.sub(lambda match: match.group(0) + compile.INLINE_MARKER, source)
    assert compile._mark_inline_styles(source) == expected


def test_a_tag_in_capitals_in_a_text_is_html_and_gets_no_marker() -> None:
    """MRML passes <MJ-STYLE> in an mj-text through as HTML: no marker is put in the text (the expression over
    the whole MJML put one, and it showed as text)."""
    html = compile.compile_mjml(MJML.replace("<mj-column>", '<mj-column><mj-text><MJ-STYLE inline="inline">x'
                                                            "</MJ-STYLE></mj-text>", 1))
    assert '<MJ-STYLE inline="inline">x' in html or '<mj-style inline="inline">x' in html.lower()
    assert html.count(inline.INLINE_MARKER) == 1  # the head's mj-style only
