"""Pre-send checks: for each rule, a case that triggers it and one that does not."""

from __future__ import annotations

import json
import re

import pytest

from conftest import REPO, MINIMAL_ISSUE
from newsletter import checks, colors

GOLDEN_HTML = (REPO / "tests" / "golden" / "mei-four-briefs.html").read_text(encoding="utf-8")
GOLDEN_TEXT = (REPO / "tests" / "golden" / "mei-four-briefs.txt").read_text(encoding="utf-8")
END = "</div></body>"  # the close of the email's last block, as MRML writes it
assert GOLDEN_HTML.count(END) == 1
CLEAN_HTML = GOLDEN_HTML.replace(END, '<p><a href="*|UNSUB|*">Unsubscribe</a></p>' + END)


def rules(html: str = CLEAN_HTML, text: str | None = GOLDEN_TEXT) -> dict[str, list[checks.Finding]]:
    found: dict[str, list[checks.Finding]] = {}
    for finding in checks.check_email(html, text, "x.html"):
        found.setdefault(finding.rule, []).append(finding)
    return found


def severities(rule: str, html: str = CLEAN_HTML, text: str | None = GOLDEN_TEXT) -> list[str]:
    return [finding.severity for finding in rules(html, text).get(rule, [])]


def test_clean_email_has_no_findings() -> None:
    assert rules() == {}


UNSUBSCRIBE_WARNING = ("unsubscribe", "no unsubscribe link: add your platform's merge tag (or a URL) to the footer")


def summary(findings: list) -> str:
    """What the CLI says of ``findings``, counted from them: a new rule changes the findings, not this test."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}"


def test_example_issue_passes_with_no_errors() -> None:
    findings = checks.check_email(GOLDEN_HTML, GOLDEN_TEXT)
    assert [f for f in findings if f.severity == "error"] == []
    assert UNSUBSCRIBE_WARNING in {(f.rule, f.message) for f in findings}  # the platform adds the link


def test_gmail_clip() -> None:
    def padded(size: int) -> str:
        return CLEAN_HTML.replace("</body>", "<!--" + "x" * (size - len(CLEAN_HTML.encode()) - 7) + "--></body>")

    assert len(padded(81_921).encode()) == 81_921
    assert severities("gmail-clip", padded(81_920)) == []  # 80 % of the clip
    assert severities("gmail-clip", padded(81_921)) == ["warning"]
    assert severities("gmail-clip", padded(102_400)) == ["warning"]
    assert severities("gmail-clip", padded(102_401)) == ["error"]
    assert severities("gmail-clip") == []


def test_img_alt() -> None:
    no_alt = CLEAN_HTML.replace('alt="Taliban fighters stand guard in Kabul" ', "")
    assert severities("img-alt", no_alt) == ["error"]
    empty = CLEAN_HTML.replace('alt="Taliban fighters stand guard in Kabul"', 'alt=""')
    assert severities("img-alt", empty) == ["warning"]
    spacer = empty.replace('alt=""', 'alt="" role="presentation"')
    assert severities("img-alt", spacer) == []


def test_img_alt_reports_the_line() -> None:
    # The image on a line of its own, far from the last: reporting the document's last line would not do.
    no_alt = CLEAN_HTML.replace('alt="Taliban fighters stand guard in Kabul" ', "")
    start = no_alt.index("<img")
    end = no_alt.index(">", start) + 1
    no_alt = no_alt[:start] + "\n\n" + no_alt[start:end] + "\n\n" + no_alt[end:]
    line = next(i for i, text in enumerate(no_alt.splitlines(), 1) if "<img" in text)
    assert line < len(no_alt.splitlines())  # not the last line, where the rest of the body is
    assert rules(no_alt)["img-alt"][0].line == line


@pytest.mark.parametrize(("href", "expected"), [
    ("javascript:alert(1)", ["error"]),
    ("ftp://e.com/x", ["error"]),
    ("http://e.com/x", ["warning"]),
    ("https://e.com/x", []),
    ("mailto:a@b.org", []),
    ("{{ MessageURL }}", []),
    ("*|ARCHIVE|*", []),
    ("%tag_unsubscribe_url%", []),
])
def test_link_scheme(href: str, expected: list[str]) -> None:
    html = CLEAN_HTML.replace('href="https://www.mei.edu"', f'href="{href}"', 1)
    assert severities("link-scheme", html) == expected


@pytest.mark.parametrize(("href", "expected"), [("", ["error"]), ("#", ["error"]), ("https://e.com", [])])
def test_link_empty(href: str, expected: list[str]) -> None:
    html = CLEAN_HTML.replace('href="https://www.mei.edu"', f'href="{href}"', 1)
    assert severities("link-empty", html) == expected


def test_anchor_target() -> None:
    assert severities("anchor-target", CLEAN_HTML.replace('id="brief-3"', 'id="brief-x"')) == ["error"]
    assert severities("anchor-target") == []


@pytest.mark.parametrize(("link", "expected"), [
    ('<a href="https://e.com/u?id=1">Opt out</a>', ["warning"]),  # neither its words nor its target say so
    ('<a href="https://e.com/u?id=1">Unsubscribe here</a>', []),  # its words
    ('<a href="https://e.com/opt-out">here</a>', []),  # its target
    ('<a href="[unsubscribe]">here</a>', []),  # Campaign Monitor's tag
    ('<a href="%unsubscribe_url%">here</a>', []),  # Mailgun's
])
def test_unsubscribe(link: str, expected: list[str]) -> None:
    assert severities("unsubscribe", GOLDEN_HTML) == ["warning"]
    assert severities("unsubscribe", GOLDEN_HTML.replace(END, link + END)) == expected


def test_subject_length() -> None:
    long_subject = re.sub(r"<title>.*?</title>", "<title>" + "A" * 79 + "</title>", CLEAN_HTML)
    assert severities("subject-length", long_subject) == ["warning"]
    fine = re.sub(r"<title>.*?</title>", "<title>" + "A" * 78 + "</title>", CLEAN_HTML)
    assert severities("subject-length", fine) == []


def test_preheader() -> None:
    short = CLEAN_HTML.replace("Four briefs from MEI scholars: Afghanistan, Iraq, Iran and northwestern Syria.",
                               "Four briefs")
    assert severities("preheader", short) == ["warning"]
    missing = re.sub(r'<div lang="en" dir="ltr" style="display:none;[^>]*>.*?</div>', "", CLEAN_HTML, count=1)
    assert missing != CLEAN_HTML
    assert severities("preheader", missing) == ["warning"]
    assert severities("preheader") == []


EXAMPLE = None


def _example():  # type: ignore[no-untyped-def]
    global EXAMPLE
    if EXAMPLE is None:
        import newsletter

        EXAMPLE = newsletter.render_issue(REPO / "issues" / "mei-four-briefs.yaml")
    return EXAMPLE


def parity(html: str | None = None, text: str | None = None) -> list[str]:
    email = _example()
    found = checks.check_email(html or email.html, text or email.text, "x.html", list(email.expected))
    return [f.message for f in found if f.rule == "text-parity"]


def test_text_parity_from_the_model() -> None:
    email = _example()
    assert ("title", "Tehran’s ISIS challenge") in email.expected and ("author", "Emma Beals") in email.expected
    assert parity() == []
    assert parity(text=email.text.replace("Tehran’s ISIS challenge", "Tehran")) == [
        "title 'Tehran’s ISIS challenge' is in the HTML but not in the plain text"]
    assert parity(text=email.text.replace("<https://twitter.com/rmslim>", "")) == [
        "link 'https://twitter.com/rmslim' is in the HTML but not in the plain text"]
    assert parity(text=email.text.replace("Emma Beals", "E. Beals")) == [
        "author 'Emma Beals' is in the HTML but not in the plain text"]
    # The other way: a template that leaves a title out of the HTML (its heading and its Contents entry).
    title = "Apprehension in northwestern Syria over new cross-border aid access deal"
    assert parity(html=email.html.replace(f">{title}<", "><")) == [
        f"title '{title}' is in the plain text but not in the HTML"]


def test_text_parity_of_files_alone_compares_the_links() -> None:
    no_link = GOLDEN_TEXT.replace("<https://twitter.com/rmslim>", "")
    assert [f.message for f in rules(text=no_link)["text-parity"]] == [
        "link 'https://twitter.com/rmslim' is in the HTML but not in the plain text"]
    assert severities("text-parity", text=None) == ["warning"]
    assert severities("text-parity") == []


def test_rules_can_be_left_out() -> None:
    assert severities("lang", CLEAN_HTML.replace('<html lang="en"', "<html", 1)) == ["error"]
    found = checks.check_email(CLEAN_HTML.replace('<html lang="en"', "<html", 1), GOLDEN_TEXT, ignore=("lang",))
    assert [f for f in found if f.rule == "lang"] == []


def test_every_rule_is_registered_once_with_its_documentation() -> None:
    from newsletter import reference

    assert len(checks.RULES) >= 12
    for rule in checks.RULES.values():
        assert rule.severity in ("error", "warning") and rule.description
        assert f"| `{rule.id}` | {rule.severities} | {rule.description} |" in reference.rules_table()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert reference.rules_table() in readme, "run `newsletter docs` to make the README's table anew"


def test_a_rule_added_to_the_registry_runs(monkeypatch) -> None:
    @checks.rule("test-no-kabul", "warning", "the word Kabul")
    def no_kabul(email, add):  # type: ignore[no-untyped-def]
        if "Kabul" in email.html:
            add("Kabul is mentioned")

    try:
        assert severities("test-no-kabul") == ["warning"]
    finally:
        del checks.RULES["test-no-kabul"]


def test_unknown_rules_are_errors(project, cli) -> None:
    project.configure(checks={"ignore": ["contrats"]})
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "newsletter.yaml:4:5: checks.ignore[0]: unknown check rule 'contrats'; did you mean 'contrast'?" in err
    project.configure(checks={"ignore": ["contrast"]})
    code, _, err = cli("check", "--ignore", "unsubscrib", "issues")
    assert code == 1 and "--ignore: unknown check rule 'unsubscrib'; did you mean 'unsubscribe'?" in err


def test_ignore_in_the_config_and_on_the_command_line(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    assert cli("build", "issues/x.yaml")[0] == 0
    _, out, _ = cli("check", "dist")
    assert "[preheader]" in out and "[unsubscribe]" in out
    _, out, _ = cli("check", "dist", "--ignore", "preheader")
    assert "[preheader]" not in out and "[unsubscribe]" in out
    project.configure(checks={"ignore": ["unsubscribe"]})
    _, out, _ = cli("check", "dist", "--ignore", "preheader")
    assert "[preheader]" not in out and "[unsubscribe]" not in out
    code, out, _ = cli("build", "issues/x.yaml")
    assert "warning" in out  # the preheader's, still: the config leaves out only unsubscribe
    _, report, _ = cli("check", "--format", "json", "dist")
    assert {f["rule"] for f in json.loads(report)["findings"]} == {"preheader"}


def test_contrast() -> None:
    low = CLEAN_HTML.replace("color:#555555", "color:#aaaaaa")
    assert low != CLEAN_HTML
    findings = rules(low)["contrast"]
    assert findings[0].severity == "error"
    assert "#aaaaaa on #ffffff has contrast 2.32:1, under 4.5:1" in findings[0].message
    assert severities("contrast") == []


def test_contrast_ratio_matches_wcag() -> None:
    assert colors.contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert colors.contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def test_dark_mode() -> None:
    without = re.sub(r'<meta name="(color-scheme|supported-color-schemes)"[^>]*>', "", CLEAN_HTML)
    assert severities("dark-mode", without) == ["warning"]
    assert severities("dark-mode") == []


def test_lang() -> None:
    assert severities("lang", CLEAN_HTML.replace('<html lang="en"', "<html", 1)) == ["error"]
    assert severities("lang") == []


def test_check_command_text_and_exit_codes(project, cli) -> None:
    project.example()
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    code, out, err = cli("check", "dist")
    findings = checks.check_files(project.out / "mei-four-briefs.html", project.out / "mei-four-briefs.txt")
    assert code == 0 and [f for f in findings if f.severity == "error"] == []
    # The unsubscribe link is the platform's: the finding names where the config would say which one.
    assert out.splitlines()[0].startswith("newsletter.yaml:1:1: warning [unsubscribe] platform: no unsubscribe "
                                          "link: add your platform's merge tag (or a URL) to the footer; fix: set "
                                          "platform: in newsletter.yaml to your mailing platform")
    assert out == "".join(f"{f}\n" for f in findings)
    assert err == f"{summary(findings)} in 1 email\n"
    assert cli("check", "--strict", "dist/mei-four-briefs.html")[0] == 1


def test_check_command_json_and_errors(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    assert cli("build", "issues/x.yaml")[0] == 0
    html = project.out / "x.html"
    html.write_text(html.read_text(encoding="utf-8").replace('lang="en"', "", 1), encoding="utf-8")
    code, out, _ = cli("check", "--format", "json", "dist/x.txt")
    assert code == 1
    report = json.loads(out)
    found = {(f["rule"], f["severity"]) for f in report["findings"]}
    assert {("lang", "error"), ("unsubscribe", "warning"), ("preheader", "warning")} <= found
    errors = sum(f["severity"] == "error" for f in report["findings"])
    assert report["summary"] == {"emails": 1, "errors": errors, "warnings": len(report["findings"]) - errors}
    keys = {"file", "line", "column", "field", "rule", "severity", "message", "fix", "block", "source", "html"}
    assert all(set(f) == keys for f in report["findings"])
    assert all(set(f["html"]) == {"file", "line", "column", "field", "excerpt"} for f in report["findings"])


def test_check_missing_file(project, cli) -> None:
    code, _, err = cli("check", "dist/nope.html")
    assert code == 1 and "dist/nope.html:1:1: file not found" in err


def test_build_runs_the_checks_and_fails_only_on_errors(project, cli) -> None:
    project.example()
    code, out, _ = cli("build", "issues/mei-four-briefs.yaml")
    findings = checks.check_files(project.out / "mei-four-briefs.html", project.out / "mei-four-briefs.txt")
    assert code == 0 and summary(findings).startswith("0 errors")
    assert f"  checks: {summary(findings)}; details: newsletter check dist/mei-four-briefs.html" in out
    config = project.root / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('link_color: "#0b5394"', 'link_color: "#9fc5e8"'),
                      encoding="utf-8")
    code, out, _ = cli("build", "issues/mei-four-briefs.yaml")
    assert code == 1
    _, report, _ = cli("check", "--format", "json", "dist/mei-four-briefs.html")
    contrast = [f["message"] for f in json.loads(report)["findings"] if f["rule"] == "contrast"]
    assert contrast and all(m.startswith("text #9fc5e8 on #ffffff has contrast") for m in contrast)
    findings = checks.check_files(project.out / "mei-four-briefs.html", project.out / "mei-four-briefs.txt")
    assert f"  checks: {summary(findings)}; details" in out


def test_validate_command(project, cli) -> None:
    project.example()
    project.issue("bad", "subject: x\nbriefs:\n  - title: t\n    authors: [nobody]\n    body: b\n")
    code, _, err = cli("validate", "issues/")
    assert code == 1
    assert err.splitlines()[0].startswith("issues/bad.yaml:4:15: briefs[0].authors[0]: unknown author id 'nobody'")
    assert err.splitlines()[-1] == "1 issue valid, 1 with errors"
    assert not project.out.exists()
    assert cli("validate", "issues/mei-four-briefs.yaml")[0] == 0


def test_pre_commit_hook_runs_validate() -> None:
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "newsletter-validate" and hooks[0]["entry"] == "newsletter validate"
    assert re.match(hooks[0]["files"], "issues/mei-four-briefs.yaml")


def test_check_an_empty_file(project, cli) -> None:
    (project.root / "empty.html").write_text("")
    code, _, err = cli("check", "empty.html")
    assert code == 1 and err.startswith("Error: empty.html:1:1: empty: not an HTML document")


def test_check_a_folder_without_emails(project, cli) -> None:
    code, _, err = cli("check", "issues")
    assert code == 1 and err == "Error: no emails (*.html) found in issues\n"
