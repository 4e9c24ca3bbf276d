"""Checks that speak of what the writer wrote (issue 21): source locations first, the same answer from a build
and from `newsletter check`, fixes, the accessibility rules, client support from caniemail, and the Gmail
budget by block."""

from __future__ import annotations

import json
import re

import pytest

import newsletter
from conftest import MINIMAL_ISSUE, REPO
from newsletter import checks, colors
from newsletter.render import builtin_templates


def _findings(cli, *paths: str) -> list[dict]:
    code, out, err = cli("check", "--format", "json", *paths)
    assert code in (0, 1), err
    return json.loads(out)["findings"]


# --- Every finding names the source first -------------------------------------------------------------------

def test_a_too_light_link_colour_names_the_config_line_in_build_and_check(project, cli) -> None:
    project.example()
    config = project.root / "newsletter.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('link_color: "#0b5394"', 'link_color: "#9fd3e0"'), encoding="utf-8")
    line = next(number for number, row in enumerate(text.split("\n"), 1) if "link_color" in row)
    column = text.split("\n")[line - 1].index('"#') + 1
    code, out, _ = cli("build", "issues/mei-four-briefs.yaml")
    assert code == 1  # a contrast error fails the build
    report = newsletter.build(["issues/mei-four-briefs.yaml"], out="dist")
    built = [f for f in report.results[0].findings if f.rule == "contrast"]
    checked = [f for f in _findings(cli, "dist/") if f["rule"] == "contrast"]
    assert built and len(built) == len(checked)
    for finding in built:
        assert str(finding).startswith(f"newsletter.yaml:{line}:{column}: error [contrast] theme.link_color: text "
                                       "#9fd3e0 on #ffffff")
        assert finding.html.file == "dist/mei-four-briefs.html" and finding.html.column > 0
        fixed = re.fullmatch(r'theme\.link_color: "(#[0-9a-f]{6})" \(([0-9.]+):1\)', finding.fix)
        assert fixed, finding.fix
        # The suggestion measures what it says, and passes.
        rgb = colors.parse_color(fixed.group(1))[:3]
        assert colors.contrast_ratio(rgb, (255, 255, 255)) >= 4.5
        hue = lambda c: __import__("colorsys").rgb_to_hls(*(v / 255 for v in c))[0]  # noqa: E731
        assert hue(rgb) == pytest.approx(hue((0x9f, 0xd3, 0xe0)), abs=0.02)  # the same hue
    assert {(f["file"], f["line"], f["column"], f["field"]) for f in checked} == {
        ("newsletter.yaml", line, column, "theme.link_color")}
    assert [f["fix"] for f in checked] == [f.fix for f in built]


def test_a_finding_in_a_brief_body_names_the_line_of_the_link(project, cli) -> None:
    project.issue("x", """\
        subject: "Links"
        preheader: "A preheader long enough to fill the inbox preview line of most clients."
        briefs:
          - title: "One brief"
            authors: [randa-slim]
            body: |
              A first paragraph.

              A second one, with [an old link](http://example.org/old) in it.
          - title: "Two"
            authors: [randa-slim]
            body: "Text."
        """)
    code, out, _ = cli("build", "issues/x.yaml")
    assert code == 0
    checked = [f for f in _findings(cli, "dist/x.html") if f["rule"] == "link-scheme"]
    assert len(checked) == 1
    finding = checked[0]
    assert (finding["file"], finding["line"], finding["column"], finding["field"]) == (
        "issues/x.yaml", 9, 40, "briefs[0].body")
    assert finding["block"] == "brief 1, ‘One brief’"
    assert finding["fix"] == "write 'https://example.org/old' if the site has it"
    assert finding["html"]["file"] == "dist/x.html" and finding["html"]["excerpt"].startswith('<a href="http://')


def test_findings_name_the_template_where_the_fault_is_there(project, cli) -> None:
    project.template("head.mjml.j2", '{% include "builtin/head.mjml.j2" %}\n    <mj-style inline="inline">\n'
                     '      .nl-text p { color: yellow; }\n    </mj-style>\n')
    project.issue("x", MINIMAL_ISSUE)
    cli("build", "issues/x.yaml")
    contrast = [f for f in _findings(cli, "dist/") if f["rule"] == "contrast"]
    assert contrast and contrast[0]["source"] == {"file": "templates/head.mjml.j2", "line": 3, "column": 27,
                                                  "field": ""}
    assert contrast[0]["fix"].startswith("the text colour #")


# --- One answer everywhere ----------------------------------------------------------------------------------

def test_build_and_check_give_the_same_findings_for_a_template_that_drops_the_titles(project, cli) -> None:
    brief = (builtin_templates() / "blocks" / "brief.mjml.j2").read_text(encoding="utf-8")
    without = re.sub(r'<h2 id="{{ block.anchor }}".*?</h2>', "", brief, count=1)
    assert without != brief
    project.template("blocks/brief.mjml.j2", without)
    project.template("contents.mjml.j2", "")
    project.example()
    code, out, _ = cli("build", "issues/mei-four-briefs.yaml")
    assert code == 1
    report = newsletter.build(["issues/mei-four-briefs.yaml"], out="dist")
    built = [str(finding) for finding in report.results[0].findings]
    code, checked, _ = cli("check", "dist/")
    assert code == 1
    assert checked == "".join(f"{finding}\n" for finding in built)
    titles = [f for f in report.results[0].findings if f.rule == "text-parity"]
    assert all("is in the plain text but not in the HTML" in f.message for f in titles)
    # Each names the title's own line in the issue, and its brief. (The third title's words are in its body
    # too: "what is clear is Tehran’s ISIS challenge is far from over".)
    assert [f.source.field for f in titles] == ["briefs[0].title", "briefs[1].title", "briefs[3].title"]
    assert titles[2].block == "brief 4, ‘Apprehension in northwestern Syria over new cross-border aid access deal’"


def test_check_on_html_newsletter_did_not_build_says_what_it_could_not_run(project, cli) -> None:
    html = (REPO / "tests" / "golden" / "mei-four-briefs.html").read_text(encoding="utf-8")
    (project.root / "other.html").write_text(html.replace('lang="en" dir="ltr" xmlns', 'xmlns', 1), encoding="utf-8")
    (project.root / "other.txt").write_text("Just a text.\n", encoding="utf-8")
    code, out, err = cli("check", "other.html")
    assert code == 1
    assert "other.html:1:16: error [lang] <html> has no lang attribute" in out
    assert "note: no other.checks.json beside it (newsletter build writes one): the findings name the HTML " \
           "only, and text-parity compares its links only" in err
    assert "note: text-parity: compared the HTML's links only" in err
    assert "[text-parity] link 'https://www.mei.edu/profile/randa-slim' is in the HTML but not in the plain text" \
        in out
    (project.root / "other.txt").unlink()
    code, out, err = cli("check", "other.html")
    assert "warning [text-parity] no plain-text part to compare with" in out


def test_facts_of_another_build_are_not_used(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    cli("build", "issues/x.yaml")
    html = project.out / "x.html"
    html.write_text(html.read_text(encoding="utf-8").replace("One brief", "One edited brief"), encoding="utf-8")
    code, out, err = cli("check", "dist/x.html")
    assert "x.checks.json is of another build" in err


def test_the_facts_beside_an_email_are_the_same_bytes_from_any_folder(project, cli, tmp_path) -> None:
    project.issue("x", MINIMAL_ISSUE)
    assert cli("build", "issues/x.yaml", "--out", "one")[0] == 0
    import os

    os.chdir(project.issues)
    assert cli("build", "x.yaml", "--out", "../two")[0] == 0
    one, two = (project.root / name / "x.checks.json" for name in ("one", "two"))
    assert one.read_bytes() == two.read_bytes()
    assert str(project.root) not in one.read_text(encoding="utf-8")  # no absolute path in it


# --- Accessibility rules ------------------------------------------------------------------------------------

def _footer_with(html: str) -> str:
    return ('{% include "builtin/footer.mjml.j2" %}\n    <mj-section><mj-column><mj-text css-class="nl-text">' + html
            + "</mj-text></mj-column></mj-section>\n")


def _email_template(old: str, new: str) -> str:
    text = (builtin_templates() / "email.mjml.j2").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def _header_without_h1() -> str:
    text = (builtin_templates() / "header.mjml.j2").read_text(encoding="utf-8")
    changed = text.replace('<h1 style="{{ style.heading_name }}">', '<p style="{{ style.heading_name }}">').replace(
        "{{ config.name }}{% endif %}</h1>", "{{ config.name }}{% endif %}</p>")
    assert changed != text
    return changed


BREAKS = {
    "lang": ("email.mjml.j2", _email_template('<mjml lang="{{ lang }}" dir="{{ dir }}">', '<mjml dir="{{ dir }}">')),
    "dir": ("email.mjml.j2", _email_template('<mjml lang="{{ lang }}" dir="{{ dir }}">', '<mjml lang="{{ lang }}">')),
    "layout-table-role": ("footer.mjml.j2", _footer_with("<table><tr><td>Laid out</td></tr></table>")),
    "title": ("email.mjml.j2", _email_template("<mj-title>{{ issue.subject }}</mj-title>", "")),
    "h1": ("header.mjml.j2", _header_without_h1()),
    "heading-order": ("footer.mjml.j2", _footer_with("<h4>Small print</h4>")),
    "img-alt": ("footer.mjml.j2", _footer_with('<img src="https://example.org/seal.png" width="10" height="10">')),
    "link-text": ("footer.mjml.j2", _footer_with('<a href="#brief-1"></a>')),
    "link-generic": ("footer.mjml.j2", _footer_with('<p><a href="#brief-1" style="text-decoration: underline">'
                                                    "click here</a></p>")),
    "link-distinct": ("footer.mjml.j2", _footer_with('<p>Read <a href="#brief-1" style="color: #0b5394; '
                                                     'text-decoration: none">the brief</a> first.</p>')),
    "viewport-zoom": ("head.mjml.j2", '{% include "builtin/head.mjml.j2" %}\n    <mj-raw><meta name="viewport" '
                                      'content="width=device-width, user-scalable=no"></mj-raw>\n'),
    "duplicate-id": ("footer.mjml.j2", _footer_with('<p id="brief-1">Again</p>')),
}


def _rules_found(project, cli) -> set[str]:
    code, _, err = cli("build", "issues/x.yaml")
    assert code in (0, 1), err
    return {f["rule"] for f in _findings(cli, "dist/x.html")}


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_a_template_that_breaks_an_accessibility_rule_trips_it_and_only_it(project, cli, rule: str) -> None:
    project.issue("x", MINIMAL_ISSUE)
    baseline = _rules_found(project, cli)
    assert baseline == {"preheader", "unsubscribe"}  # the minimal issue has neither
    name, text = BREAKS[rule]
    project.template(name, text)
    assert _rules_found(project, cli) - baseline == {rule}
    assert checks.RULES[rule].description


def test_the_body_children_rule_on_html_of_ones_own() -> None:
    """MRML always writes lang and dir on its wrapper, and the build adds them to the preheader beside it: no
    MJML template can leave them out. HTML made elsewhere can."""
    html = (REPO / "tests" / "golden" / "mei-four-briefs.html").read_text(encoding="utf-8")
    broken = html.replace('<div lang="en" dir="ltr" style="display:none', '<div style="display:none', 1)
    found = {f.rule for f in checks.check_email(broken, None)} - {f.rule for f in checks.check_email(html, None)}
    assert found == {"wrapper-lang-dir"}


ISSUES = [REPO / "issues" / "mei-four-briefs.yaml", REPO / "issues" / "mei-every-block.yaml",
          *sorted((REPO / "tests" / "cases" / "languages").glob("*.yaml"))]
ACCESSIBILITY = ("lang", "dir", "wrapper-lang-dir", "layout-table-role", "title", "h1", "heading-order", "img-alt",
                 "link-text", "link-generic", "link-distinct", "viewport-zoom", "duplicate-id", "contrast", "compat")


@pytest.mark.parametrize("dark_mode", ["auto", "off"])
@pytest.mark.parametrize("path", ISSUES, ids=lambda p: p.stem)
def test_the_built_in_templates_pass_every_rule(path, dark_mode: str, monkeypatch) -> None:
    from newsletter import project as projects

    project = projects.find_project(path)
    if dark_mode == "off":
        project = projects.Project(project.config.model_copy(update={"dark_mode": "off"}), project.config_path,
                                 project.authors, project.authors_path, project.templates_dir,
                                 document=project.document, authors_document=project.authors_document,
                                 registry=project.registry)
    email = newsletter.render_issue(path, project)
    found = [f for f in checks.check_email(email.html, email.text, "x.html", facts=email.facts)
             if f.rule in ACCESSIBILITY]
    assert found == []


def test_the_rule_table_quotes_the_reports_failure_rates() -> None:
    from newsletter import reference

    table = reference.rules_table()
    for rule, rate in (("layout-table-role", "86.24 %"), ("img-alt", "51.42 %"), ("h1", "76.78 %"),
                       ("link-text", "72.04 %"), ("link-generic", "17.62 %"), ("contrast", "59.37 %"),
                       ("title", "41.35 %"), ("lang", "67.01 %"), ("link-distinct", "16.91 %")):
        assert re.search(rf"^\| `{rule}` \|.*\| {re.escape(rate)}", table, re.M), rule
    assert table in (REPO / "README.md").read_text(encoding="utf-8")


# --- Client support from caniemail --------------------------------------------------------------------------

def test_flex_in_a_template_is_reported_for_outlook_and_the_built_in_templates_are_not(project, cli) -> None:
    project.configure(checks={"clients": ["outlook-windows"]})
    project.issue("x", MINIMAL_ISSUE)
    assert "compat" not in _rules_found(project, cli)
    project.template("footer.mjml.j2", _footer_with('<div style="display: flex">Side by side</div>'))
    cli("build", "issues/x.yaml")
    compat = [f for f in _findings(cli, "dist/x.html") if f["rule"] == "compat"]
    assert len(compat) == 1
    assert compat[0]["message"].startswith("display:flex is not supported by Outlook (Windows) (caniemail: "
                                           "https://www.caniemail.com/features/css-display-flex/")
    assert compat[0]["source"]["file"] == "templates/footer.mjml.j2"
    assert compat[0]["html"]["excerpt"] == '<div style="display: flex">'


def test_the_default_clients_and_the_vendored_data() -> None:
    from newsletter.checks import compat
    from newsletter.models import DEFAULT_CLIENTS

    chosen, problems = compat.resolve_clients(DEFAULT_CLIENTS)
    assert problems == [] and "outlook.windows" in chosen and "outlook.outlook-com" in chosen
    assert compat.data().updated >= "2026-05-13" and len(compat.data().features) > 250
    licence = (compat.DATA.parent / "CANIEMAIL-LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")


def test_an_unknown_client_is_refused_at_its_line(project, cli) -> None:
    project.configure(checks={"clients": ["gmail", "outlok-windows"]})
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert re.search(r"newsletter.yaml:\d+:\d+: checks.clients\[1\]: unknown email client 'outlok-windows'; did you "
                     r"mean 'outlook-windows'\?", err), err


# --- A Gmail budget by block --------------------------------------------------------------------------------

def test_an_issue_near_the_clip_names_its_largest_blocks(project, cli) -> None:
    paragraph = "A sentence of the brief that goes on for a while, as briefs do. " * 12
    briefs = "".join(f'  - title: "Brief {n}"\n    authors: [randa-slim]\n    body: |\n'
                     + "".join(f"      {paragraph}\n\n" for _ in range(n + 2)) for n in range(9))
    project.issue("big", 'subject: "Big"\npreheader: "A preheader long enough for the inbox preview line."\n'
                         "briefs:\n" + briefs)
    code, out, _ = cli("build", "issues/big.yaml")
    size = (project.out / "big.html").stat().st_size
    assert 81_920 < size <= 102_400, size
    found = [f for f in _findings(cli, "dist/big.html") if f["rule"] == "gmail-clip"]
    assert len(found) == 1 and found[0]["severity"] == "warning"
    message = found[0]["message"]
    assert message.startswith(f"HTML is {size:,} bytes, {size / 102_400:.0%} of Gmail's 102,400-byte clip")
    # Largest first: the last brief has the most paragraphs; it is named with its line in the issue.
    largest = message.split("Largest first: ", 1)[1]
    assert largest.startswith("brief 9, ‘Brief 8’ ")
    assert found[0]["source"]["field"] == "briefs[8]" and found[0]["file"] == "issues/big.yaml"
    assert re.search(r"Parts: head, without its styles [0-9,]+ bytes; styles [0-9,]+ bytes; header \(with the hero "
                     r"and the Contents\) [0-9,]+ bytes; footer [0-9,]+ bytes\.", message), message
    assert "teaser that links to the web edition" in found[0]["fix"]
