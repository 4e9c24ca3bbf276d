"""Languages: right-to-left editions, a brief in another language in an English edition, labels and dates in
the issue's language, and plain text wrapped by display width."""

from __future__ import annotations

import datetime
import json
import shutil
import textwrap
from pathlib import Path

import lxml.html
import pytest
import yaml

import newsletter
from conftest import REPO
from newsletter import language, markup, plain

CASES = Path(__file__).parent / "cases" / "languages"
ARTEFACTS = REPO / "tests" / "artefacts"


@pytest.mark.parametrize("lang", ["ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv", "ar-EG", "fa_IR"])
def test_right_to_left_languages_from_the_cldr(lang: str) -> None:
    assert language.direction(lang) == "rtl"


@pytest.mark.parametrize("lang", ["en", "en-GB", "fr", "de", "tr", "es", "zh-Hans", "xx"])
def test_left_to_right_languages(lang: str) -> None:
    assert language.direction(lang) == "ltr"


@pytest.fixture
def arabic_project(project):
    """MEI's project with its English labels left out, so the issue's language chooses them."""
    config = yaml.safe_load((project.root / "newsletter.yaml").read_text(encoding="utf-8"))
    config.pop("labels")
    (project.root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for case in CASES.glob("*.yaml"):
        shutil.copy(case, project.issues / case.name)
    return project


def test_both_build_clean(arabic_project, cli) -> None:
    code, _, err = cli("build", "issues/")
    assert code == 0, err
    _, report, _ = cli("check", "--format", "json", "dist/")
    findings = json.loads(report)["findings"]
    assert [f for f in findings if f["severity"] == "error"] == []


def test_an_arabic_edition_is_mirrored_with_its_own_words(arabic_project) -> None:
    email = newsletter.render_issue("issues/arabic.yaml")
    tree = lxml.html.document_fromstring(email.html)
    assert tree.get("lang") == "ar" and tree.get("dir") == "rtl"
    assert '<mjml lang="ar" dir="rtl">' in email.mjml
    assert tree.xpath("//h2")[0].text_content() == "المحتويات"  # the Contents, in Arabic
    assert "17 أغسطس 2023" in email.html and "17 أغسطس 2023" in email.text  # the CLDR's date, Babel's
    assert "رندة سليم</strong>، زميلة أولى" in email.html  # the Arabic comma in the byline
    # The Latin handle isolated in the Arabic line: it reads "@rmslim", not "rmslim@".
    assert "تابِع على تويتر: \u2066@rmslim\u2069" in email.text and "اقرأ الموجز كاملًا" in email.html
    assert "border-right:4px solid" in email.mjml  # the callout's rule on the right
    assert "padding:0 24px 0 0" in email.html  # the list indented from the right
    assert 'dir="auto"' in email.html  # the paragraph that quotes English


def test_the_configs_translation_wins_over_ours(arabic_project) -> None:
    arabic_project.configure(translations={"ar": {"labels": {"contents": "في هذا العدد"}}})
    email = newsletter.render_issue("issues/arabic.yaml")
    assert "في هذا العدد" in email.html and "المحتويات" not in email.html
    assert "في هذا العدد:" in email.text
    # In a config whose own language is Arabic, its labels: are Arabic words, and win.
    arabic_project.configure(lang="ar", translations={}, labels={"contents": "الفهرس"})
    assert "الفهرس" in newsletter.render_issue("issues/arabic.yaml").html


def test_date_format_still_overrides_with_the_languages_month_names(arabic_project) -> None:
    arabic_project.configure(date_format="{day} {month_name} {year}")
    assert "17 أغسطس 2023" in newsletter.render_issue("issues/arabic.yaml").text
    arabic_project.configure(date_format="{year}-{month}-{day}")
    assert "2023-8-17" in newsletter.render_issue("issues/arabic.yaml").text


@pytest.mark.parametrize("lang, contents", [("fr", "Sommaire"), ("es", "Contenido"), ("tr", "İçindekiler"),
                                            ("de", "Inhalt"), ("he", "תוכן העניינים"), ("fa", "فهرست")])
def test_built_in_translations(arabic_project, lang: str, contents: str) -> None:
    path = arabic_project.issues / "arabic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lang: ar", f"lang: {lang}"), encoding="utf-8")
    email = newsletter.render_issue(path)
    assert f"{contents}{language.COLONS.get(lang, ': ').rstrip()}" in email.text  # French: "Sommaire\u202f:"
    assert lxml.html.document_fromstring(email.html).get("dir") == language.direction(lang)


def test_an_arabic_brief_in_an_english_edition(arabic_project) -> None:
    email = newsletter.render_issue("issues/english-with-arabic-brief.yaml")
    tree = lxml.html.document_fromstring(email.html)
    assert tree.get("lang") == "en" and tree.get("dir") == "ltr"
    arabic = tree.xpath("//div[@lang='ar']")
    assert arabic and all(div.get("dir") == "rtl" for div in arabic)
    assert {"العراق والولايات المتحدة يناقشان مستقبل العلاقة العسكرية"} <= {
        h.text_content() for div in arabic for h in div.xpath(".//h2")}
    assert "Follow on Twitter: @rmslim" in email.text and "تابِع على تويتر: \u2066@rmslim\u2069" in email.text
    assert "Contents:" in email.text  # the edition's own labels are English


def test_the_english_example_is_unchanged() -> None:
    email = newsletter.render_issue(REPO / "issues" / "mei-four-briefs.yaml")
    golden = REPO / "tests" / "golden"
    assert email.html == (golden / "mei-four-briefs.html").read_text(encoding="utf-8")
    assert email.text == (golden / "mei-four-briefs.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [600, 375, 320])
@pytest.mark.parametrize("case", ["arabic", "english-with-arabic-brief"])
def test_arabic_parts_read_right_to_left_in_chromium(browser, arabic_project, case: str, width: int) -> None:
    email = newsletter.render_issue(f"issues/{case}.yaml")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.abort())
    page.set_content(email.html, wait_until="load")
    # The Arabic parts: the whole Arabic edition; the Arabic brief's text in the English one (its Contents
    # entry keeps its own direction, rtl, but sits in the English list, aligned with it).
    scope = "" if case == "arabic" else "div[lang='ar'] "
    paragraphs = page.evaluate("""(scope) => [...document.querySelectorAll(
            ['p', 'li', 'h2', 'h3'].map(tag => scope + tag).join(', '))]
        .filter(el => /[\\u0600-\\u06ff]/.test(el.textContent) && el.textContent.trim())
        .map(el => { const s = getComputedStyle(el), box = el.getBoundingClientRect();
                     return {text: el.textContent.trim().slice(0, 30), direction: s.direction,
                             align: s.textAlign, right: box.right}; })""", scope)
    assert len(paragraphs) >= 6
    for item in paragraphs:
        assert item["direction"] == "rtl", item
        assert item["align"] in ("right", "start"), item  # start is right in a right-to-left element
        assert item["right"] <= width + 0.5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{case}-{width}.png"), full_page=True)
    page.close()


def test_mixed_paragraphs_get_dir_auto_and_others_nothing() -> None:
    html = markup.blocks_to_html("The word سلام is Arabic.\n\nPlain English.\n\nسلام عليكم\n\n- a list, سلام too")
    lines = html.splitlines()
    assert lines[0] == '<p dir="auto">The word سلام is Arabic.</p>'
    assert lines[1] == "<p>Plain English.</p>" and lines[2] == "<p>سلام عليكم</p>"  # one direction: its block's


def test_plain_text_wraps_by_display_width() -> None:
    from wcwidth import wcswidth

    wide = "漢字の文章 " * 30  # two columns a character
    combining = "e\u0301t\u0301e\u0301 " * 40  # accents on letters: no column of their own
    lines = plain.wrap_line(combining, "  • ", "    ")
    assert all(wcswidth(line) <= 78 for line in lines), [wcswidth(line) for line in lines]
    assert " ".join(line.strip(" •") for line in lines) == " ".join(combining.split())
    assert len(plain.wrap_line(combining)[0]) > 78  # counted by characters it would have been cut short
    # Chinese and Japanese wrap between letters (UAX #14), and a line of them is filled.
    lines = plain.wrap_line(wide, "  • ", "    ")
    assert all(wcswidth(line) <= 78 for line in lines), [wcswidth(line) for line in lines]
    assert "".join(line.strip(" •") for line in lines).replace(" ", "") == wide.replace(" ", "")
    assert wcswidth(lines[0]) + 2 > 78


def test_the_archive_page_follows_the_configs_language(arabic_project, cli) -> None:
    arabic_project.configure(lang="ar")
    assert cli("build", "issues/")[0] == 0
    index = lxml.html.document_fromstring((arabic_project.out / "index.html").read_text(encoding="utf-8"))
    assert index.get("lang") == "ar" and index.get("dir") == "rtl"
    assert index.xpath("//title")[0].text_content() == "Middle East Institute: الأرشيف"
    assert "الأرشيف" in index.xpath("//header/p")[0].text_content()  # under the name, the page says what it is


def test_a_bad_language_tag_is_refused(project, cli) -> None:
    project.issue("x", "lang: arabic!\nsubject: S\nbriefs: [{title: T, authors: [randa-slim], body: x, lang: 1}]\n")
    code, _, err = cli("validate", "issues/x.yaml")
    assert code == 1
    assert "issues/x.yaml:1:7: lang: must be a language tag such as en, ar or pt-BR" in err
    assert "briefs[0].lang: YAML reads 1 as a number, not text" in err
