"""The public archive (issue 25): a themed, paginated index grouped by year; web editions with canonical
addresses, share cards, JSON-LD and links to their neighbours; a full-content Atom feed; a sitemap."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import lxml.html
import pytest
import yaml
from PIL import Image
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import ValidationError

from conftest import CHROMIUM_FLAGS, MINIMAL_ISSUE, REPO
from newsletter import archive, feed, language, webpage
from newsletter.colors import contrast_ratio, parse_color
from newsletter.models import Config, Issue

ARCHIVE_URL = "https://www.mei.edu/newsletter/"
EXAMPLE = (REPO / "issues" / "mei-four-briefs.yaml").read_text(encoding="utf-8")
FIRST_WEEK = datetime.date(2021, 1, 7)
GENERATED = 120
LOGO = "https://www.mei.edu/logo.png"


def _generated(week: int) -> tuple[str, str]:
    """The file name and text of the issue of ``week``: the example with its own date, subject and preheader."""
    date = FIRST_WEEK + datetime.timedelta(weeks=week)
    text = EXAMPLE.replace("date: 2023-08-17", f"date: {date.isoformat()}")
    text = text.replace('subject: "Taliban recognition', f'subject: "Week {week}: Taliban recognition')
    text = text.replace("Four briefs from MEI scholars", f"Week {week}: four briefs from MEI scholars")
    return f"week-{week:03}.yaml", text


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example and 120 weekly issues over three years (2021-2023), built at once with a logo."""
    root = tmp_path_factory.mktemp("archive")
    for name in ("newsletter.yaml", "authors.yaml"):
        shutil.copy(REPO / name, root / name)
    config = yaml.safe_load((root / "newsletter.yaml").read_text(encoding="utf-8"))
    config["logo"] = {"src": LOGO, "alt": "Middle East Institute", "dark_image": "https://www.mei.edu/logo-dark.png"}
    config["archive"] = {"description": "Short briefs from MEI scholars, every week.",
                         "signup_url": "https://www.mei.edu/subscribe"}
    (root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (root / "issues").mkdir()
    (root / "issues" / "mei-four-briefs.yaml").write_text(EXAMPLE, encoding="utf-8")
    for week in range(GENERATED):
        name, text = _generated(week)
        (root / "issues" / name).write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "newsletter", "build", "issues", "--jobs", "2"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return root / "dist"


def _page(out: Path, name: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring((out / name).read_text(encoding="utf-8"))


def test_the_index_has_pages_of_fifty_grouped_by_year(archived: Path) -> None:
    assert sorted(p.name for p in (archived / "page").iterdir()) == ["2.html", "3.html"]
    pages = [_page(archived, name) for name in ("index.html", "page/2.html", "page/3.html")]
    assert [len(page.xpath("//ol[@class='issues']/li")) for page in pages] == [50, 50, 21]
    assert [page.xpath("//main/h2/text()") for page in pages] == [["2023", "2022"], ["2022", "2021"], ["2021"]]
    first = pages[0].xpath("//ol[@class='issues']/li")[0]  # the newest: the example
    assert first.xpath(".//h3/a")[0].text_content() == "Taliban recognition, US-Iraq security talks, Tehran’s ISIS challenge"
    assert first.xpath(".//h3/a/@href") == ["mei-four-briefs.web.html"]
    assert first.xpath(".//time")[0].text_content() == "August 17, 2023"
    assert first.xpath(".//time/@datetime") == ["2023-08-17"]
    assert "Nishank Motwani, Randa Slim, Alex Vatanka, and Emma Beals" in first.text_content()
    assert first.xpath(".//p[@class='description']")[0].text_content().startswith("Four briefs from MEI scholars")
    # From page/2.html, the web editions and the other pages are one folder up.
    entry = pages[1].xpath("//ol[@class='issues']/li")[0]
    assert entry.xpath(".//h3/a/@href") == ["../week-070.web.html"]
    assert (archived / "page" / entry.xpath(".//h3/a/@href")[0]).resolve().is_file()
    assert pages[0].xpath("//a[@rel='next']/@href") == ["page/2.html"] and not pages[0].xpath("//a[@rel='prev']")
    assert pages[1].xpath("//a[@rel='prev']/@href") == ["../index.html"]
    assert pages[1].xpath("//a[@rel='next']/@href") == ["../page/3.html"]
    assert pages[2].xpath("//a[@aria-current='page']/text()") == ["3"] and not pages[2].xpath("//a[@rel='next']")
    for page in pages:  # the feed, the sign-up link, the logo, the description, the canonical address
        assert page.xpath("//link[@type='application/atom+xml']/@href")[0].endswith("feed.xml")
        assert page.xpath("//header//a[@href='https://www.mei.edu/subscribe']/text()") == ["Subscribe"]  # at the top
        assert page.xpath("//footer//a[@href='https://www.mei.edu/subscribe']/text()") == ["Subscribe"]
        assert page.xpath("//header//img/@src")[0] == LOGO
        assert page.xpath("//meta[@name='description']/@content") == ["Short briefs from MEI scholars, every week."]
    assert pages[1].xpath("//link[@rel='canonical']/@href") == [ARCHIVE_URL + "page/2.html"]
    assert f"background: {Config.model_fields['theme'].default_factory().header_background_color}" in (  # type: ignore[misc]
        archived / "index.html").read_text(encoding="utf-8")


def _colours(page, url: str, scheme: str, width: int) -> dict:
    """What Chromium shows of ``url``: each text's colour on its background, the page's background, and
    whether anything overflows ``width``."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    return page.evaluate("""() => {
      const opaque = (el) => {
        for (; el; el = el.parentElement) {
          const bg = getComputedStyle(el).backgroundColor;
          if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
      };
      const texts = [];
      for (const el of document.body.querySelectorAll('*')) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        const box = el.getBoundingClientRect();
        if (own && box.width > 0 && getComputedStyle(el).visibility !== 'hidden')
          texts.push([el.tagName, el.textContent.trim().slice(0, 30), getComputedStyle(el).color, opaque(el)]);
      }
      return {texts, sheet: opaque(document.querySelector('main')),
              overflow: document.documentElement.scrollWidth > window.innerWidth};
    }""")


def _rgb(css: str) -> tuple[int, int, int]:
    colour = parse_color(css)
    assert colour is not None, css
    return colour[:3]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_index_in_chromium_reads_in_both_palettes_and_fits_320px(archived: Path, browser, scheme: str) -> None:
    theme = Config(name="x", disclaimer="x").theme
    palette = theme.dark if scheme == "dark" else theme
    page = browser.new_page()
    try:
        for name in ("index.html", "page/3.html"):
            for width in (1000, 320):
                seen = _colours(page, (archived / name).as_uri(), scheme, width)
                assert not seen["overflow"], (name, width)
                assert _rgb(seen["sheet"]) == _rgb(palette.content_background_color)
                low = [(tag, text, colour, back, round(contrast_ratio(_rgb(colour), _rgb(back)), 2))
                       for tag, text, colour, back in seen["texts"]
                       if contrast_ratio(_rgb(colour), _rgb(back)) < 4.5]
                assert low == [], low
                assert len(seen["texts"]) > 50
    finally:
        page.close()


AXE = (Path(__file__).parent / "data" / "axe.min.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["index.html", "page/2.html", "mei-four-briefs.web.html"])
def test_axe_finds_no_wcag_a_or_aa_violation(archived: Path, browser, name: str) -> None:
    """axe-core (tests/data/axe.min.js, 4.14.1, MPL-2.0) in Chromium, WCAG 2.x A and AA rules, both palettes."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto((archived / name).as_uri())
            page.add_script_tag(content=AXE)
            result = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(
                v => [v.id, v.nodes.length, v.nodes.slice(0, 2).map(n => n.html.slice(0, 120))])""")
            assert result == [], (scheme, result)
        page.set_viewport_size({"width": 320, "height": 800})
        page.goto((archived / name).as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page.close()


def _head(out: Path, slug: str) -> tuple[dict[str, list[str]], dict, lxml.html.HtmlElement]:
    page = _page(out, f"{slug}.web.html")
    meta: dict[str, list[str]] = {}
    for element in page.xpath("//head/meta[@property or @name]"):
        meta.setdefault(element.get("property") or element.get("name"), []).append(element.get("content"))
    scripts = page.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    return meta, json.loads(scripts[0].text), page


def test_web_editions_carry_share_cards_json_ld_and_no_email_only_part(archived: Path) -> None:
    meta, article, page = _head(archived, "mei-four-briefs")
    assert page.xpath("//link[@rel='canonical']/@href") == [ARCHIVE_URL + "mei-four-briefs.web.html"]
    subject = "Taliban recognition, US-Iraq security talks, Tehran’s ISIS challenge"
    preheader = "Four briefs from MEI scholars: Afghanistan, Iraq, Iran and northwestern Syria."
    hero = "https://www.mei.edu/sites/default/files/2023-08/taliban-kabul-2023.jpg"
    assert meta["og:title"] == [subject] and meta["og:description"] == [preheader] and meta["og:image"] == [hero]
    assert meta["og:url"] == [ARCHIVE_URL + "mei-four-briefs.web.html"] and meta["og:type"] == ["article"]
    assert meta["article:published_time"] == ["2023-08-17"] and meta["og:locale"] == ["en_US"]
    assert meta["og:image:alt"] == ["Taliban fighters stand guard in Kabul"]
    assert meta["twitter:card"] == ["summary_large_image"] and meta["twitter:image"] == [hero]
    assert meta["description"] == [preheader]
    assert article["@type"] == "NewsArticle" and article["headline"] == subject
    assert article["datePublished"] == "2023-08-17" and article["image"] == [hero]
    assert [author["name"] for author in article["author"]] == ["Nishank Motwani", "Randa Slim", "Alex Vatanka",
                                                                "Emma Beals"]
    assert article["publisher"] == {"@type": "Organization", "name": "Middle East Institute",
                                    "url": "https://www.mei.edu", "logo": {"@type": "ImageObject", "url": LOGO}}
    assert article["mainEntityOfPage"]["@id"] == ARCHIVE_URL + "mei-four-briefs.web.html"
    html = (archived / "mei-four-briefs.web.html").read_text(encoding="utf-8")
    text = page.text_content()
    assert "Unsubscribe" not in text and "View in your browser" not in text and "*|" not in html
    assert "{{" not in html and "mj-preview" not in html


def test_a_picture_file_gives_its_size_and_a_merge_tag_platform_stays_out(project, cli, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1200, 630), (40, 90, 140)).save(project.issues / "hero.png")
    project.configure(platform="mailchimp", asset_url="https://cdn.example.org/n/")
    project.issue("x", MINIMAL_ISSUE + "hero: {image: hero.png, alt: A blue field}\npreheader: A small issue, seen.\n")
    assert cli("build", "issues/x.yaml")[0] == 0
    meta, article, page = _head(project.out, "x")
    assert meta["og:image"][0].startswith("https://cdn.example.org/n/assets/")
    assert meta["og:image:width"] == ["1200"] and meta["og:image:height"] == ["630"]
    assert "*|UNSUB|*" in (project.out / "x.html").read_text(encoding="utf-8")  # the email has the merge tag
    assert "*|" not in (project.out / "x.web.html").read_text(encoding="utf-8")  # its web edition none
    assert "Unsubscribe" not in page.text_content()
    entry = feedparser.parse((project.out / "feed.xml").read_bytes()).entries[0]
    assert entry.media_content[0]["url"] == meta["og:image"][0]
    assert (entry.media_content[0]["width"], entry.media_content[0]["height"]) == ("1200", "630")


def _nav(out: Path, slug: str) -> dict[str, str]:
    page = _page(out, f"{slug}.web.html")
    navs = page.xpath("//nav[@data-nl-nav]")
    assert len(navs) == 1
    return {link.get("rel") or "index": link.get("href") for link in navs[0].xpath(".//a")}


def test_web_editions_link_their_neighbours_and_later_builds_keep_them_right(project, cli) -> None:
    for slug, date in (("a", "2024-01-04"), ("c", "2024-01-18")):
        project.issue(slug, MINIMAL_ISSUE + f"date: {date}\n")
    assert cli("build", "issues/a.yaml")[0] == 0
    assert _nav(project.out, "a") == {"index": "index.html"}  # alone in the archive
    assert cli("build", "issues/c.yaml")[0] == 0  # a later issue: a's edition learns of it
    assert _nav(project.out, "a") == {"index": "index.html", "next": "c.web.html"}
    assert _nav(project.out, "c") == {"index": "index.html", "prev": "a.web.html"}
    project.issue("b", MINIMAL_ISSUE + "date: 2024-01-11\n")
    assert cli("build", "issues/b.yaml")[0] == 0  # one between: both neighbours rewritten
    assert _nav(project.out, "a") == {"index": "index.html", "next": "b.web.html"}
    assert _nav(project.out, "b") == {"index": "index.html", "prev": "a.web.html", "next": "c.web.html"}
    assert _nav(project.out, "c") == {"index": "index.html", "prev": "b.web.html"}
    assert "Previous issue: A small issue" in _page(project.out, "c.web.html").text_content()
    built_together = {p.name: p.read_bytes() for p in project.out.iterdir() if p.suffix == ".html"}
    shutil.rmtree(project.out)
    assert cli("build", "issues")[0] == 0  # the same files whatever the order of the builds
    assert {p.name: p.read_bytes() for p in project.out.iterdir() if p.suffix == ".html"} == built_together
    assert cli("build", "--check", "issues")[0] == 0
    (project.out / "c.web.html").unlink()  # taken out of the folder: it leaves its neighbours' links
    assert cli("build", "issues/a.yaml")[0] == 0
    assert _nav(project.out, "b") == {"index": "index.html", "prev": "a.web.html"}


def test_the_feed_is_atom_with_the_newest_fifty_in_full(archived: Path) -> None:
    parsed = feedparser.parse((archived / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "Taliban recognition, US-Iraq security talks, Tehran’s ISIS challenge"
    assert parsed.entries[1].title.startswith("Week 119:")
    newest = parsed.entries[0]
    assert newest.link == ARCHIVE_URL + "mei-four-briefs.web.html"
    assert [author.name for author in newest.authors] == ["Nishank Motwani", "Randa Slim", "Alex Vatanka", "Emma Beals"]
    content = newest.content[0]
    assert content.type == "text/html"
    for sentence in ("Two years after the Taliban seized back power, no state has recognized the regime",
                     "Follow on Twitter"):
        assert sentence in content.value
    body = lxml.html.fragment_fromstring(content.value, create_parent="div")
    links = body.xpath("//a/@href") + body.xpath("//img/@src")
    assert links and all(link.startswith(("https://", "http://", "mailto:")) for link in links), links
    assert ARCHIVE_URL + "mei-four-briefs.web.html#brief-1" in links
    assert not body.xpath("//nav | //table | //style") and "[if mso" not in content.value
    assert newest.media_content[0]["url"] == "https://www.mei.edu/sites/default/files/2023-08/taliban-kabul-2023.jpg"
    assert parsed.feed.subtitle == "Short briefs from MEI scholars, every week."


def test_the_feed_holds_as_many_as_the_config_says(project, cli) -> None:
    project.configure(archive={"feed_entries": 2})
    for day in range(1, 5):
        project.issue(f"i{day}", MINIMAL_ISSUE + f"date: 2024-02-0{day}\n")
    assert cli("build", "issues")[0] == 0
    parsed = feedparser.parse((project.out / "feed.xml").read_bytes())
    assert [entry.link.rsplit("/", 1)[1] for entry in parsed.entries] == ["i4.web.html", "i3.web.html"]
    assert all("A paragraph." in entry.content[0].value for entry in parsed.entries)
    entries = archive.entries(project.out, [])
    assert [bool(entry.content) for entry in entries] == [True, True, False, False]  # archive.json stays small
    (project.out / "i4.web.html").unlink()  # the newest leaves: the third gets its content from its edition
    assert cli("build", "issues/i1.yaml")[0] == 0
    parsed = feedparser.parse((project.out / "feed.xml").read_bytes())
    assert [entry.link.rsplit("/", 1)[1] for entry in parsed.entries] == ["i3.web.html", "i2.web.html"]
    assert all("A paragraph." in entry.content[0].value for entry in parsed.entries)


def test_the_sitemap_lists_every_page_and_edition(archived: Path) -> None:
    namespace = {"s": feed.SITEMAP}
    tree = etree.parse(str(archived / "sitemap.xml"))
    locations = tree.xpath("//s:url/s:loc/text()", namespaces=namespace)
    editions = sorted(p.name for p in archived.glob("*.web.html"))
    assert len(editions) == GENERATED + 1
    assert locations[:3] == [ARCHIVE_URL, ARCHIVE_URL + "page/2.html", ARCHIVE_URL + "page/3.html"]
    assert sorted(location.rsplit("/", 1)[1] for location in locations[3:]) == editions
    assert tree.xpath("//s:url[s:loc='%smei-four-briefs.web.html']/s:lastmod/text()" % ARCHIVE_URL,
                      namespaces=namespace) == ["2023-08-17"]
    assert (archived / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {ARCHIVE_URL}sitemap.xml\n")


def test_without_archive_url_the_archive_is_relative_and_has_no_sitemap(project, cli) -> None:
    config = yaml.safe_load((project.root / "newsletter.yaml").read_text(encoding="utf-8"))
    del config["archive_url"]
    (project.root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    project.issue("x", MINIMAL_ISSUE + "date: 2024-02-01\n")
    assert cli("build", "issues")[0] == 0
    assert not (project.out / "sitemap.xml").exists() and not (project.out / "robots.txt").exists()
    page = _page(project.out, "x.web.html")
    assert not page.xpath("//link[@rel='canonical']") and not page.xpath("//meta[@property='og:url']")
    parsed = feedparser.parse((project.out / "feed.xml").read_bytes())
    assert not parsed.bozo and parsed.entries[0].id == "urn:newsletter:x"


def test_an_issue_in_another_language_is_listed_in_it(project, cli) -> None:
    project.issue("en", MINIMAL_ISSUE + "date: 2024-03-01\n")
    project.issue("ar", MINIMAL_ISSUE.replace("A small issue", "عدد صغير") + "date: 2024-03-08\nlang: ar\n")
    assert cli("build", "issues")[0] == 0
    item = _page(project.out, "index.html").xpath("//ol[@class='issues']/li")[0]
    assert (item.get("lang"), item.get("dir")) == ("ar", "rtl")
    assert item.xpath(".//time")[0].text_content() == language.date(datetime.date(2024, 3, 8), Config(
        name="x", disclaimer="x"), "ar")
    nav = _page(project.out, "ar.web.html").xpath("//nav[@data-nl-nav]")[0].text_content()
    assert "العدد السابق" in nav  # its links in its language
    meta, _, _ = _head(project.out, "ar")
    assert meta["og:locale"] == ["ar_EG"]


def test_the_archive_template_can_be_replaced(project, cli) -> None:
    project.template("archive.html.j2", "{{ page.number }}/{{ page.count }}:{% for year in years %} {{ year.year }}"
                                        "{% for e in year.entries %} {{ e.subject }} {{ e.url }}{% endfor %}"
                                        "{% endfor %}\n")
    project.configure(archive={"page_size": 5})
    for day in range(1, 8):
        project.issue(f"d{day}", MINIMAL_ISSUE.replace("A small issue", f"Issue {day}") + f"date: 2024-02-0{day}\n")
    assert cli("build", "issues")[0] == 0
    assert (project.out / "page" / "2.html").read_text(encoding="utf-8") == (
        "2/2: 2024 Issue 2 ../d2.web.html Issue 1 ../d1.web.html")  # trim_blocks takes the newline after a tag


def test_og_locales_and_english_lists_agree_with_babel() -> None:
    from babel import Locale
    from babel.core import get_global
    from babel.lists import format_list

    likely = get_global("likely_subtags")
    for lang, territory in webpage.LIKELY_TERRITORIES.items():
        assert Locale.parse(str(likely[lang])).territory == territory, lang
    assert webpage.og_locale("pt") == "pt_BR" and webpage.og_locale("en-GB") == "en_GB"
    for count in range(2, 6):
        names = [f"Name {n}" for n in range(count)]
        assert language._format_list(tuple(names), "en") == format_list(names, locale="en")


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(name=_TEXT, lang=st.sampled_from(["en", "fr", "ar"]),
       archive_url=st.sampled_from([None, "https://e.com/n/", "https://e.com/n", "https://x.org/a%20b/"]),
       items=st.lists(st.tuples(st.one_of(st.just(""), st.dates().map(datetime.date.isoformat)), _TEXT,
                                st.one_of(st.just(""), _TEXT), st.lists(_TEXT, max_size=3)), max_size=6))
def test_any_feed_is_atom_that_readers_take_whole(name, lang, archive_url, items) -> None:
    """Whatever the models let through, feedparser reads the feed without complaint and finds every title,
    summary and author as written."""
    try:
        config = Config(name=name.strip(), disclaimer="x", lang=lang, archive_url=archive_url)
        for _, subject, description, authors in items:
            Issue(subject=subject, preheader=description or None, briefs=[{"title": "t", "body": "b",
                  "authors": [{"name": author} for author in authors] or [{"name": "n"}]}])
    except ValidationError:
        reject()
    listed = sorted((archive.Entry(date, f"issue-{n}", " ".join(subject.split()), " ".join(description.split()),
                                   tuple(" ".join(author.split()) for author in authors), content="<p>x &amp; y</p>")
                     for n, (date, subject, description, authors) in enumerate(items)),
                    key=lambda e: e.order, reverse=True)
    written = feed.feed_xml(config, listed).encode("utf-8")
    parsed = feedparser.parse(written)
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == len(listed)
    # The texts, read exactly (feedparser "repairs" what looks like double-encoded UTF-8: "Â¡" comes back "¡").
    atom = {"a": feed.ATOM}
    tree = etree.fromstring(written)
    assert tree.findtext("a:title", namespaces=atom) == config.name
    for entry, item in zip(tree.findall("a:entry", namespaces=atom), listed, strict=True):
        assert entry.findtext("a:title", namespaces=atom) == item.subject
        assert [author.findtext("a:name", namespaces=atom) for author in entry.findall("a:author", namespaces=atom)] \
            == list(item.authors)
        assert entry.findtext("a:content", namespaces=atom) == "<p>x &amp; y</p>"


def test_an_issue_whose_file_is_gone_is_named_while_the_archive_keeps_it(project, cli) -> None:
    for slug, date in (("a", "2024-01-04"), ("b", "2024-01-11")):
        project.issue(slug, MINIMAL_ISSUE + f"date: {date}\n")
    assert cli("build", "issues")[0] == 0
    (project.issues / "a.yaml").unlink()
    code, out, err = cli("build", "issues")
    assert code == 0
    assert ("issues/a.yaml:1:1: warning: this issue file is gone, but dist/a.web.html keeps it in the archive (the "
            "index, the feed and its neighbours' links): delete dist/a.web.html to take it out") in err
    (project.out / "a.web.html").unlink()
    code, out, err = cli("build", "issues")
    assert "is gone" not in err and _nav(project.out, "b") == {"index": "index.html"}


# --- Found by a review of this round ---------------------------------------------------------------------------------

def _hero_issue(project, slug: str, date: str, colour: tuple[int, int, int]) -> None:
    Image.new("RGB", (40, 20), colour).save(project.issues / f"{slug}.png")
    project.issue(slug, f'subject: "{slug}"\nhero: {{image: {slug}.png, alt: "A"}}\ndate: {date}\n'
                  + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])


def test_a_damaged_archive_json_removes_no_picture(project, cli) -> None:
    project.configure(asset_url="https://cdn.example.org/n/")
    for number, slug in enumerate(("a", "b", "c")):
        _hero_issue(project, slug, f"2024-01-0{number + 1}", (number, 2, 3))
    assert cli("build", "issues")[0] == 0
    pictures = sorted(p.name for p in (project.out / "assets").iterdir())
    data = (project.out / "archive.json").read_text(encoding="utf-8")
    for damage in (data[:300], data.replace('"2024-01-01"', '"2024-02-30"'), data.replace('"slug": "a"', '"slug": "../a"')):
        (project.out / "archive.json").write_text(damage, encoding="utf-8")
        code, out, err = cli("build", "issues/c.yaml")
        assert code == 0 and "Traceback" not in err
        assert sorted(p.name for p in (project.out / "assets").iterdir()) == pictures
        assert {e.slug for e in archive.entries(project.out, [])} == {"a", "b", "c"}  # from the web editions


def test_a_picture_written_since_the_build_began_is_not_taken_for_stale(project, cli) -> None:
    import os
    import time

    project.configure(asset_url="https://cdn.example.org/n/")
    _hero_issue(project, "a", "2024-01-01", (1, 2, 3))
    assert cli("build", "issues")[0] == 0
    other = project.out / "assets" / "another-0123456789ab.png"  # another build's, not recorded yet
    other.write_bytes(b"x")
    os.utime(other, (time.time() + 60, time.time() + 60))
    old = project.out / "assets" / "old-ba9876543210.png"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 60, time.time() - 60))
    assert cli("build", "issues")[0] == 0
    assert other.exists() and not old.exists()


def test_a_neighbours_new_subject_reaches_the_links_to_it(project, cli) -> None:
    for slug, date in (("a", "2024-01-04"), ("b", "2024-01-11")):
        project.issue(slug, MINIMAL_ISSUE + f"date: {date}\n")
    assert cli("build", "issues")[0] == 0
    project.issue("b", MINIMAL_ISSUE.replace("A small issue", "A renamed issue") + "date: 2024-01-11\n")
    assert cli("build", "issues/b.yaml")[0] == 0
    assert "Next issue: A renamed issue" in _page(project.out, "a.web.html").text_content()
    assert cli("build", "--check", "issues")[0] == 0


def test_pages_past_the_last_are_removed(project, cli) -> None:
    project.configure(archive={"page_size": 5})
    for day in range(1, 8):
        project.issue(f"d{day}", MINIMAL_ISSUE + f"date: 2024-02-0{day}\n")
    assert cli("build", "issues")[0] == 0 and (project.out / "page" / "2.html").is_file()
    project.configure(archive={"page_size": 50})
    code, out, _ = cli("build", "--check", "issues")
    assert code == 1 and "dist/page/2.html: would be removed" in out
    assert cli("build", "issues")[0] == 0
    assert not (project.out / "page" / "2.html").exists()
    assert cli("build", "--check", "issues")[0] == 0


def test_a_broken_archive_template_still_updates_the_web_edition(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    assert cli("build", "issues/x.yaml")[0] == 0
    project.template("archive.html.j2", "{% for %}\n")
    project.issue("x", MINIMAL_ISSUE.replace("A paragraph.", "A new paragraph."))
    code, out, err = cli("build", "issues/x.yaml")
    assert code == 1 and "archive.html.j2" in err
    assert "A new paragraph." in (project.out / "x.web.html").read_text(encoding="utf-8")


def test_og_locale_of_a_script_is_its_likely_territory() -> None:
    assert webpage.og_locale("zh-Hant") == "zh_TW" and webpage.og_locale("zh") == "zh_CN"
