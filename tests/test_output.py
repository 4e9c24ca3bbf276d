"""Writing: byte-identical output whatever the hash seed, atomic files, and ``build --check``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_ISSUE, REPO
from newsletter import write
from newsletter.errors import OutputError


def _build_in_subprocess(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "newsletter", "build", "issues/mei-four-briefs.yaml", "--out", str(out)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    first = _build_in_subprocess(tmp_path / "a", "1")
    second = _build_in_subprocess(tmp_path / "b", "4242")
    assert list(first) == ["archive.json", "feed.xml", "index.html", "mei-four-briefs.checks.json",
                           "mei-four-briefs.eml", "mei-four-briefs.html", "mei-four-briefs.mjml", "mei-four-briefs.txt",
                           "mei-four-briefs.web.html", "robots.txt", "sitemap.xml"]
    assert first == second


def test_files_are_utf8_with_unix_newlines(project, cli) -> None:
    project.example()
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    assert sorted(p.suffix for p in project.out.iterdir()) == [".eml", ".html", ".html", ".html", ".json",
                                                                 ".json", ".mjml", ".txt", ".txt", ".xml", ".xml"]
    for path in project.out.iterdir():
        data = path.read_bytes()
        assert (b"\r\n" in data) == (path.suffix == ".eml")  # a MIME message has CRLF lines, as RFC 5322 says
        data.decode("utf-8")
        assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_failed_write_changes_nothing_and_leaves_no_temporary(project, cli, monkeypatch) -> None:
    project.issue("x", MINIMAL_ISSUE)
    assert cli("build", "issues/x.yaml")[0] == 0
    before = {p.name: p.read_bytes() for p in project.out.iterdir()}
    project.issue("x", MINIMAL_ISSUE.replace("A paragraph.", "A changed paragraph."))

    real_fdopen = os.fdopen
    calls = []

    def failing_fdopen(fd, *args, **kwargs):
        calls.append(fd)
        if len(calls) == 2:  # the second file of the issue: the first is already on disk, staged
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(write.os, "fdopen", failing_fdopen)
    code, out, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "Error: cannot write" in err and "No space left on device" in err
    after = {p.name: p.read_bytes() for p in project.out.iterdir()}
    assert after == before  # old versions intact, no temporary file left behind


def test_unwritable_output_folder_is_a_clear_error(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    (project.root / "blocked").write_text("a file where the folder should be")
    code, out, err = cli("build", "issues/x.yaml", "--out", "blocked/dist")
    assert code == 1
    assert err.startswith("Error: cannot write blocked/dist")
    assert "Traceback" not in err


def test_write_files_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "a.html"
    target.write_text("old")
    write.write_files({target: "new", tmp_path / "b.txt": "b"})
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.txt"]


def test_write_files_raises_output_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write.write_files({tmp_path / "file" / "a.html": "x"})


def test_check_passes_when_up_to_date(project, cli) -> None:
    project.example()
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    code, out, err = cli("build", "--check", "issues/mei-four-briefs.yaml")
    assert code == 0
    assert out == ""
    assert "1 issue up to date in dist" in err


def test_check_fails_with_a_unified_diff_and_writes_nothing(project, cli) -> None:
    path = project.example()
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    before = {p.name: p.read_bytes() for p in project.out.iterdir()}
    path.write_text(path.read_text(encoding="utf-8").replace("Tehran’s ISIS challenge\"", "Tehran’s new ISIS challenge\""),
                    encoding="utf-8")
    code, out, err = cli("build", "--check", "issues/mei-four-briefs.yaml")
    assert code == 1
    assert "--- dist/mei-four-briefs.txt\n+++ dist/mei-four-briefs.txt (would be written)\n" in out
    assert "-  3. Tehran’s ISIS challenge\n+  3. Tehran’s new ISIS challenge\n" in out
    assert "--- dist/mei-four-briefs.html" in out and "--- dist/mei-four-briefs.mjml" in out
    assert "1 issue would change in dist" in err
    assert {p.name: p.read_bytes() for p in project.out.iterdir()} == before


def test_check_reports_missing_files(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    code, out, _ = cli("build", "--check", "issues/x.yaml")
    assert code == 1
    assert "--- dist/x.html (missing)" in out
    assert not project.out.exists()


def test_two_issues_with_the_same_name_are_refused(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    other = project.root / "other"
    other.mkdir()
    (other / "x.yml").write_text(MINIMAL_ISSUE)
    code, out, err = cli("build", "issues/x.yaml", "other/x.yml")
    assert code == 1
    assert "other/x.yml:1:1: has the same name as issues/x.yaml" in err


def test_library_call_matches_the_cli(project, cli) -> None:
    import newsletter

    project.example()
    report = newsletter.build(["issues/mei-four-briefs.yaml"], out="lib")
    assert report.ok
    assert cli("build", "issues/mei-four-briefs.yaml", "--out", "cli")[0] == 0
    library_files = {p.name: p.read_bytes() for p in (project.root / "lib").iterdir()}
    assert len(library_files) == 11  # the issue's 6, index.html, feed.xml, archive.json, sitemap.xml, robots.txt
    assert library_files == {p.name: p.read_bytes() for p in (project.root / "cli").iterdir()}
    email = newsletter.render_issue("issues/mei-four-briefs.yaml")
    assert (project.root / "lib" / "mei-four-briefs.html").read_text(encoding="utf-8") == email.html
    assert (REPO / "tests" / "golden" / "mei-four-briefs.txt").read_text(encoding="utf-8") == email.text


def test_check_diff_of_a_one_line_html_shows_the_changed_tags_only(project, cli) -> None:
    """MRML writes the body as one line of about 50 KB: the diff breaks both sides between tags, so a changed
    title shows as its own few lines instead of the whole email twice."""
    path = project.example()
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    path.write_text(path.read_text(encoding="utf-8").replace("Tehran’s ISIS challenge\"", "Tehran’s new ISIS challenge\""),
                    encoding="utf-8")
    code, out, _ = cli("build", "--check", "issues/mei-four-briefs.yaml")
    assert code == 1
    html_diff = out.split("--- dist/mei-four-briefs.html\n", 1)[1].split("\n--- ", 1)[0]
    assert html_diff.startswith("+++ dist/mei-four-briefs.html (would be written; lines broken between tags for "
                                "this diff)\n")
    changed = [line for line in html_diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert any("Tehran’s new ISIS challenge" in line for line in changed if line.startswith("+"))
    assert any("Tehran’s ISIS challenge" in line for line in changed if line.startswith("-"))
    assert max(len(line) for line in changed) < 1000 and len(html_diff) < 8000, len(html_diff)
    eml_diff = out.split("--- dist/mei-four-briefs.eml\n", 1)[1].split("\n--- dist/", 1)[0]
    assert eml_diff.startswith("+++ dist/mei-four-briefs.eml (would be written; the parts decoded; lines broken")
    assert "-  3. Tehran’s ISIS challenge\n+  3. Tehran’s new ISIS challenge\n" in eml_diff  # not =E2=80=99
    assert "-Subject: Taliban recognition, US-Iraq security talks, Tehran’s ISIS challenge\n" in eml_diff
    assert len(eml_diff) < 8000, len(eml_diff)


def test_check_fails_on_bytes_the_shown_diff_cannot_see_and_survives_a_broken_eml(project, cli) -> None:
    """The diff shows a decoded .eml and long lines broken: a file differing only in line endings would show
    an empty diff, and --check pass. And an .eml on disk the standard library cannot read is diffed as it is."""
    project.example()
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    eml = project.out / "mei-four-briefs.eml"
    original = eml.read_bytes()
    eml.write_bytes(original.replace(b"\r\n", b"\n"))
    code, out, err = cli("build", "--check", "issues/mei-four-briefs.yaml")
    assert code == 1 and "1 issue would change in dist" in err
    assert "--- dist/mei-four-briefs.eml\n+++ dist/mei-four-briefs.eml (would be written)\n@@ the bytes differ " \
           "only in line endings, encoding or line breaks: a build writes it anew @@\n" in out
    eml.write_bytes(original.replace(b'charset="utf-8"', b'charset="x-bogus"', 1))
    code, out, err = cli("build", "--check", "issues/mei-four-briefs.yaml")
    assert code == 1 and "Traceback" not in err
    assert '-Content-Type: text/plain; charset="x-bogus"\n+Content-Type: text/plain; charset="utf-8"\n' in out
    broken = original.replace(b"Message-ID: <", "Message-ID: <<\u2039".encode(), 1)
    eml.write_bytes(broken)  # the standard library's header parser raises IndexError on it
    code, out, err = cli("build", "--check", "issues/mei-four-briefs.yaml")
    assert code == 1 and "Traceback" not in err
    assert "-Message-ID: <<\u2039" in out and "the parts decoded" not in out  # the lines as they are on disk
