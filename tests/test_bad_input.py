"""Bad input: every case under cases/errors/ fails with exactly the messages in its .expected file.

Each message names file:line:column and the field; all problems of a file come together; nothing is written.
Run ``pytest --update-goldens`` to rewrite the .expected files after an intended change, and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL_ISSUE

CASES = Path(__file__).parent / "cases" / "errors"


CASE_NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))


def test_the_cases_are_there_each_with_its_messages() -> None:
    assert len(CASE_NAMES) > 10  # an empty glob would make the parametrized test below a silent skip
    assert CASE_NAMES == sorted(p.stem for p in CASES.glob("*.expected"))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_error_case(project, cli, case: str, update_goldens: bool) -> None:
    shutil.copy(CASES / f"{case}.yaml", project.issues / f"{case}.yaml")
    code, out, err = cli("build", f"issues/{case}.yaml")
    expected = CASES / f"{case}.expected"
    if update_goldens:
        expected.write_text(err, encoding="utf-8")
        pytest.skip(f"{expected.name} rewritten, not compared: review the diff")
    assert code == 1
    assert err == expected.read_text(encoding="utf-8")
    assert "Traceback" not in err
    assert not project.out.exists()  # nothing written, not even the folder


def test_every_case_names_file_line_and_column() -> None:
    for expected in CASES.glob("*.expected"):
        problems = expected.read_text(encoding="utf-8").splitlines()[:-1]
        assert problems, expected
        for line in problems:
            assert line.startswith(f"issues/{expected.stem}.yaml:"), line
            file, row, column, rest = line.split(":", 3)
            assert row.isdigit() and column.isdigit() and rest.strip(), line


def test_the_issue_format_example_message(project, cli) -> None:
    """The message the issue format promises, word for word up to its explanation."""
    shutil.copy(CASES / "bad-twitter.yaml", project.issues / "x.yaml")
    code, _, err = cli("build", "issues/x.yaml")
    assert err.startswith("issues/x.yaml:8:39: briefs[1].authors[0].twitter: not a valid Twitter handle")


def test_file_that_is_not_utf8_is_refused_by_name(project, cli) -> None:
    path = project.issues / "latin1.yaml"
    path.write_bytes('subject: "caf\xe9"\nbriefs: []\n'.encode("latin-1"))
    code, _, err = cli("build", path)
    assert code == 1
    assert err.splitlines()[0] == "issues/latin1.yaml:1:14: file is not valid UTF-8 text"


def test_utf16_file_is_refused_not_guessed(project, cli) -> None:
    path = project.issues / "utf16.yaml"
    path.write_bytes(MINIMAL_ISSUE.encode("utf-16"))
    code, _, err = cli("build", path)
    assert code == 1
    assert "issues/utf16.yaml:1:1: file is not valid UTF-8 text" in err


def test_utf8_byte_order_mark_is_accepted(project, cli) -> None:
    path = project.issues / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL_ISSUE.encode())
    code, _, err = cli("build", path)
    assert code == 0, err


def test_missing_file(project, cli) -> None:
    code, _, err = cli("build", "issues/nope.yaml")
    assert code == 1
    assert err.splitlines()[0] == "issues/nope.yaml:1:1: file not found"


def test_alias_bomb_fails_fast(project, cli) -> None:
    import time

    shutil.copy(CASES / "alias-bomb.yaml", project.issues / "bomb.yaml")
    started = time.perf_counter()
    code, _, err = cli("build", "issues/bomb.yaml")
    assert code == 1 and "expands to more than" in err
    assert time.perf_counter() - started < 5


def test_self_referencing_alias(project, cli) -> None:
    project.issue("loop", 'subject: &s [*s]\nbriefs: []\n')
    code, _, err = cli("build", "issues/loop.yaml")
    assert code == 1
    assert err.startswith("issues/loop.yaml:1:10: subject[0]")
    assert "document expands to nesting deeper than 64 (aliases?)" in err


def test_bad_issue_does_not_stop_the_others(project, cli) -> None:
    project.issue("good", MINIMAL_ISSUE)
    project.issue("bad", "subject: 1\n")
    code, out, err = cli("build", "issues/")
    assert code == 1
    assert out.startswith("built 1 issue into dist, 1 failed; checks: 0 errors, ")
    assert "issues/bad.yaml:1:10: subject:" in err
    assert sorted(p.name for p in project.out.iterdir()) == [
        "archive.json", "feed.xml", "good.checks.json", "good.eml", "good.html", "good.mjml", "good.txt",
        "good.web.html", "index.html", "robots.txt", "sitemap.xml"]


def test_registry_errors_name_the_registry(project, cli) -> None:
    (project.root / "authors.yaml").write_text("randa-slim:\n  name: Randa Slim\n  twiter: '@rmslim'\n")
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert err.startswith("authors.yaml:3:3: randa-slim.twiter: unknown field; did you mean 'twitter'?")


def test_config_errors_name_the_config(project, cli) -> None:
    config = project.root / "newsletter.yaml"
    config.write_text(config.read_text() + "theme:\n  link_color: 'red; background: url(x)'\n", encoding="utf-8")
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "newsletter.yaml:" in err and "duplicate key" in err  # theme is already in the shipped config


def test_bad_colour_in_config(project, cli) -> None:
    (project.root / "newsletter.yaml").write_text(
        'name: X\ndisclaimer: D\ntheme:\n  link_color: "red; background: url(x)"\n', encoding="utf-8")
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert err.splitlines()[0] == ("newsletter.yaml:4:15: theme.link_color: must be a CSS colour: #1a5276, #fff, "
                                   "rgb(26, 82, 118), rgba(26, 82, 118, 0.5), hsl(205, 64%, 28%) or a name such as navy")


def test_no_config_found_builds_with_the_defaults(tmp_path, monkeypatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(MINIMAL_ISSUE.replace("[randa-slim]", "[{name: Randa Slim}]"))
    note = ("note: no newsletter.yaml in . or above: using the built-in defaults (`newsletter init DIR` starts a "
            "project of your own)\n")
    for command in ("build", "validate"):
        code, out, err = cli(command, "x.yaml")
        assert code == 0, err
        assert err.startswith(note) and err.count("note:") == 1
    assert "Newsletter" in (tmp_path / "dist" / "x.txt").read_text(encoding="utf-8")
    (tmp_path / "y.yaml").write_text(MINIMAL_ISSUE)  # an author id, and no registry: the error says so
    code, _, err = cli("build", "y.yaml")
    assert code == 1 and "author id 'randa-slim' needs an authors registry" in err


def test_author_id_without_registry(project, cli) -> None:
    (project.root / "authors.yaml").unlink()
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert err.splitlines()[0] == (
        "issues/x.yaml:4:15: briefs[0].authors[0]: author id 'randa-slim' needs an authors registry, "
        "and there is no authors.yaml")


def test_no_traceback_from_the_real_command(project) -> None:
    import subprocess
    import sys

    project.issue("x", "subject: [unclosed\n")
    result = subprocess.run([sys.executable, "-m", "newsletter", "build", "issues/x.yaml"],
                            capture_output=True, text=True, cwd=project.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("issues/x.yaml:2:1: YAML syntax error:")


def test_broken_config_is_reported_once_for_all_issues(project, cli) -> None:
    (project.root / "newsletter.yaml").write_text("name: X\n", encoding="utf-8")
    project.issue("a", MINIMAL_ISSUE)
    project.issue("b", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/")
    assert code == 1
    assert err == ("newsletter.yaml:1:1: disclaimer: required field is missing\n"
                   "Error: 1 problem in newsletter.yaml; nothing written for issues/a.yaml, issues/b.yaml\n")
