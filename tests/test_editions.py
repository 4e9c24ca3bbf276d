"""Every edition reads right (issue 23): runs of the other direction isolated, each language's own words and
typography, Chinese and Japanese wrapped, pictures blocked, and the small layout faults, measured in Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from wcwidth import wcswidth

import newsletter
from conftest import REPO
from newsletter import plain

CASES = Path(__file__).parent / "cases" / "languages"
ARTEFACTS = REPO / "tests" / "artefacts"


def _page(browser, html: str, width: int = 600):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.abort())  # no network: pictures are blocked
    page.set_content(html, wait_until="load")
    return page


# Where the visible start (left) of a substring of an element's text is, in the page.
LEFT_OF = """([selector, needle]) => {
  const scope = document.querySelector(selector);
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf(needle);
    if (at >= 0) { const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + needle.length);
                   return range.getBoundingClientRect().left; }
  }
  return null;
}"""


@pytest.fixture
def arabic_edition(project):
    """The Arabic case under the example's own config, whose English labels are set in it."""
    for case in CASES.glob("*.yaml"):
        shutil.copy(case, project.issues / case.name)
    assert "labels" in (project.root / "newsletter.yaml").read_text(encoding="utf-8")
    return project


def test_the_arabic_edition_under_an_english_config_reads_right(browser, arabic_edition) -> None:
    email = newsletter.render_issue("issues/arabic.yaml")
    assert "المحتويات" in email.html and "تابِع على تويتر" in email.html and "Contents" not in email.html
    assert "17 أغسطس 2023" in email.html  # the month in Arabic
    page = _page(browser, email.html)
    try:
        # The English disclaimer is a left-to-right paragraph: its full stop ends its line, on the right.
        footer = page.evaluate("""() => [...document.querySelectorAll('p')]
            .filter(p => p.textContent.includes('Middle East Institute (MEI)'))
            .map(p => getComputedStyle(p).direction)""")
        assert footer == ["ltr"]
        # The postal address reads in its written order: the number first, on the left.
        address = page.evaluate("""() => { const span = [...document.querySelectorAll('span')]
            .find(s => s.textContent.startsWith('1763 N St.')); return span && getComputedStyle(span).direction; }""")
        assert address == "ltr"
        first = page.evaluate(LEFT_OF, ["body", "1763"])
        last = page.evaluate(LEFT_OF, ["body", "20036"])
        assert first < last
        # The handle reads "@rmslim", not "rmslim@".
        at = page.evaluate(LEFT_OF, ["body", "@rmslim"])
        name = page.evaluate(LEFT_OF, ["body", "rmslim"])
        assert at is not None and at < name
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "arabic-under-english-config.png"), full_page=True)
    finally:
        page.close()
    # The text isolates the Latin runs with Unicode's marks.
    assert "\u20661763 N St. NW, Washington, D.C. 20036\u2069" in email.text
    assert "\u2066@rmslim\u2069" in email.text


def test_an_arabic_disclaimer_replaces_the_english_one_in_that_edition_only(arabic_edition) -> None:
    arabic = "المعهد مؤسسة مستقلة غير حزبية وغير ربحية."
    arabic_edition.configure(translations={"ar": {"disclaimer": arabic, "postal_address": "١٧٦٣ شارع ن، واشنطن"}})
    shutil.copy(REPO / "issues" / "mei-four-briefs.yaml", arabic_edition.issues / "english.yaml")
    edition = newsletter.render_issue("issues/arabic.yaml")
    english = newsletter.render_issue("issues/english.yaml")
    assert arabic in edition.html and arabic in edition.text and "non-partisan" not in edition.html
    assert "١٧٦٣ شارع ن، واشنطن" in edition.html and "1763 N St." not in edition.html
    assert arabic not in english.html and "non-partisan" in english.html and "1763 N St." in english.html


MIXED = """\
subject: "Three languages"
preheader: "An English issue with a brief in Arabic and one in Japanese, for readers everywhere."
date: 2024-05-03
briefs:
  - title: "An English brief"
    authors: [randa-slim]
    body: "A paragraph in English."
  - lang: ar
    title: "العراق والولايات المتحدة يناقشان مستقبل العلاقة العسكرية"
    authors:
      - {name: "رندة سليم", role: "زميلة أولى", twitter: "@rmslim"}
    body: |
      عقدت الولايات المتحدة والعراق في السابع والثامن من آب/أغسطس الجولة الأولى من الحوار المشترك للتعاون الأمني.
  - lang: ja
    title: "日本語の見出し"
    authors:
      - {name: "山田太郎", role: "研究員"}
    body: |
      日本語の文章は、スペースを使わずに書かれます。これは長い段落の例で、プレーンテキストでも正しく折り返される必要があります。読者は一行が長すぎると読みにくいと感じます。
"""


@pytest.mark.parametrize("width", [600, 375])
def test_each_contents_entry_stands_beside_its_number(browser, project, width: int) -> None:
    email = newsletter.render_issue(project.issue("mixed", MIXED))
    page = _page(browser, email.html, width)
    try:
        entries = page.evaluate("""() => [...document.querySelectorAll('ol li')].map(li => {
            const a = li.querySelector('a'), text = a.getBoundingClientRect(), item = li.getBoundingClientRect();
            return {text: a.textContent.trim().slice(0, 20), gap: text.left - item.left,
                    direction: getComputedStyle(li).direction}; })""")
        assert len(entries) == 3
        for entry in entries:
            assert entry["direction"] == "ltr"  # the list's own: the number on the left
            assert entry["gap"] < 24, entry  # the title starts right after its number
        arabic = page.evaluate("""() => [...document.querySelectorAll('div[lang=ar] p, div[lang=ar] h2')]
            .map(el => [getComputedStyle(el).direction, getComputedStyle(el).textAlign])""")
        assert arabic and all(item[0] == "rtl" and item[1] in ("right", "start") for item in arabic)
    finally:
        page.close()
    assert all(wcswidth(line) <= 78 for line in email.text.splitlines()), max(email.text.splitlines(), key=wcswidth)
    assert not any(line.lstrip().startswith(("、", "。")) for line in email.text.splitlines())


def test_japanese_text_wraps_between_letters_and_keeps_latin_words_whole() -> None:
    text = "日本語の文章は、スペースを使わずに書かれます。" * 4 + "Internationalization stays whole." + "です。" * 10
    lines = plain.wrap_line(text)
    assert len(lines) > 1 and all(wcswidth(line) <= 78 for line in lines)
    assert "Internationalization" in "".join(lines)  # not cut
    assert not any(line.startswith(("、", "。")) for line in lines)


FRENCH = """\
subject: "Une note"
preheader: "Trois auteurs, une note en français, et les signes que la langue demande."
lang: fr
briefs:
  - title: "Le dialogue de sécurité"
    authors:
      - {name: "Anne Martin", twitter: "@annemartin"}
      - {name: "Paul Durand"}
      - {name: "Lucie Bernard"}
    body: "Un paragraphe."
    link: "https://www.mei.edu/publications"
"""


def test_french_labels_carry_the_narrow_no_break_space_and_names_the_list_pattern(project) -> None:
    email = newsletter.render_issue(project.issue("fr", FRENCH))
    assert "Suivre sur Twitter\u202f: " in email.html and "Suivre sur Twitter\u202f: @annemartin" in email.text
    assert "Lire la note complète\u202f: <https://www.mei.edu/publications>" in email.text
    assert "Sommaire\u202f:" in email.text
    tree = lxml.html.document_fromstring(email.html)
    byline = [p.text_content() for p in tree.xpath("//p") if p.text_content().startswith("Anne Martin")]
    assert byline == ["Anne Martin, Paul Durand et Lucie Bernard"]
    assert "Anne Martin, Paul Durand et Lucie Bernard" in email.text


def test_japanese_lists_names_with_its_comma(project) -> None:
    issue = FRENCH.replace("lang: fr", "lang: ja").replace("Anne Martin", "山田").replace(
        "Paul Durand", "佐藤").replace("Lucie Bernard", "鈴木")
    email = newsletter.render_issue(project.issue("ja", issue))
    assert "山田、佐藤、鈴木" in email.text
    assert "Twitterでフォロー：" in email.text  # a full-width colon


# --- Pictures blocked ---------------------------------------------------------------------------------------

ALT_BOXES = """() => [...document.images].map(img => {
  const style = getComputedStyle(img), box = img.getBoundingClientRect();
  const probe = document.createElement('span');
  for (const name of ['fontFamily', 'fontSize', 'fontWeight', 'letterSpacing']) probe.style[name] = style[name];
  probe.style.whiteSpace = 'nowrap'; probe.textContent = img.alt; document.body.appendChild(probe);
  const text = probe.getBoundingClientRect(); probe.remove();
  const rgb = s => s.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
  return {alt: img.alt, width: box.width, height: box.height, text: text.width, line: parseFloat(style.lineHeight),
          size: parseFloat(style.fontSize), font: style.fontFamily, ratio: (a + 0.05) / (b + 0.05)};
})"""


@pytest.mark.parametrize("width", [600, 375, 320])
def test_no_alt_text_is_clipped_and_the_hero_keeps_the_theme(browser, width: int) -> None:
    email = newsletter.render_issue(REPO / "issues" / "mei-four-briefs.yaml")
    page = _page(browser, email.html, width)
    try:
        boxes = page.evaluate(ALT_BOXES)
    finally:
        page.close()
    hero = boxes[0]
    assert hero["alt"] == "Taliban fighters stand guard in Kabul"
    assert "Helvetica" in hero["font"] and hero["size"] == 16 and hero["ratio"] >= 4.5
    assert hero["height"] >= 56  # a band of its own, the alt text in the middle
    for box in boxes:
        # The alt text (and the broken-picture sign, 16 px, before it) fits its box, across and down.
        assert box["text"] + 16 <= box["width"] or box["alt"] == hero["alt"] and width < 600, box
        assert box["size"] * 1.2 <= box["height"], box
    headshots = boxes[1:]
    assert [box["alt"] for box in headshots] == ["NM", "RS", "AV", "EB"]
    assert all(box["width"] == 56 and box["ratio"] >= 4.5 for box in headshots)


# --- The small layout faults, in the block issue -------------------------------------------------------------

def test_the_layout_faults_are_gone_in_the_block_issue(browser) -> None:
    email = newsletter.render_issue(REPO / "issues" / "mei-every-block.yaml")
    page = _page(browser, email.html)
    try:
        found = page.evaluate("""() => {
          const top = el => el.getBoundingClientRect().top, bottom = el => el.getBoundingClientRect().bottom;
          // A heading that opens a body: below the byline by the section's padding alone.
          const opening = [...document.querySelectorAll('h3, h4')].find(h => h.textContent === 'Why it matters');
          const byline = [...document.querySelectorAll('p')].find(p => p.textContent.includes('Alex Vatanka'));
          // ### and #### look different.
          const h3 = [...document.querySelectorAll('h3')].find(h => h.textContent === 'What the two sides must settle');
          // The gap after a nested list: as between items.
          const nested = document.querySelector('li ul');
          const outer = nested.closest('li'), next = outer.nextElementSibling;
          const items = [...outer.parentElement.children];
          return {opening: top(opening) - bottom(byline.closest('table')), margin: getComputedStyle(opening).marginTop,
                  h3: getComputedStyle(h3).fontSize + ' ' + getComputedStyle(h3).textTransform,
                  h4: getComputedStyle(opening).fontSize + ' ' + getComputedStyle(opening).textTransform,
                  afterNested: top(next) - bottom(nested),
                  betweenItems: top(items[1]) - bottom(items[0])};
        }""")
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "every-block-600.png"), full_page=True)
    finally:
        page.close()
    assert found["margin"] == "0px" and found["opening"] <= 24, found  # was 46 px here
    assert found["h3"] != found["h4"], found
    assert found["afterNested"] <= found["betweenItems"] + 1, found
    # The preheader is followed by invisible filler, so the inbox preview does not go on into the email.
    tree = lxml.html.document_fromstring(email.html)
    preheader = tree.xpath("//body/div")[0].text_content()
    assert preheader.startswith("Two briefs from MEI scholars") and preheader.count("\u034f\u200c\u00a0") >= 50


def test_the_english_example_changed_only_where_a_listed_fault_was() -> None:
    """The golden HTML and text are the example's; a build gives them (test_example), and its text is the
    seed's. Here: each change this issue made to the example, and nothing else of them, is in the HTML."""
    email = newsletter.render_issue(REPO / "issues" / "mei-four-briefs.yaml")
    assert email.text == (REPO / "tests" / "data" / "mei-four-briefs.txt").read_text(encoding="utf-8") or \
        email.text == (REPO / "tests" / "golden" / "mei-four-briefs.txt").read_text(encoding="utf-8")
    assert "<mj-image" not in email.mjml  # the hero: our <img>, in the theme's font while pictures are blocked
    assert re.search(r'<img src="https://www.mei.edu/sites/default/files/2023-08/taliban-kabul-2023.jpg" '
                     r'alt="Taliban fighters stand guard in Kabul" width="600" style="display:block;', email.html)
    assert 'dir="' not in re.sub(r'<(html|div)[^>]*(lang|role)="[^"]*"[^>]*>', "", email.html)  # nothing isolated
