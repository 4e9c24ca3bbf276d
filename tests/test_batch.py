"""Batch builds: a folder of issues, in parallel, the same bytes whatever --jobs."""

from __future__ import annotations

import pickle

from conftest import MINIMAL_ISSUE
from newsletter.errors import InputError, Problem


def _make_issues(project, count: int) -> None:
    example = project.example().read_text(encoding="utf-8")
    for number in range(count):
        project.issue(f"issue-{number:03}", example.replace("Tehran’s ISIS challenge", f"Tehran, part {number}"))
    project.issue("zz-bad", "subject: [\n")


def _tree(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_bytes_whatever_jobs(project, cli) -> None:
    _make_issues(project, 12)
    code1, out1, err1 = cli("build", "issues", "--out", "one", "--jobs", "1")
    code2, out2, err2 = cli("build", "issues", "--out", "two", "--jobs", "2")
    assert code1 == code2 == 1  # zz-bad fails; the others still build
    one, two = _tree(project.root / "one"), _tree(project.root / "two")
    assert len(one) == 13 * 6 + 5 and one == two  # html, txt, mjml, web.html, eml, checks.json; the archive's 5
    assert "issues/zz-bad.yaml:2:1: YAML syntax error" in err1 and err1 == err2
    assert out1.startswith("built 13 issues into one, 1 failed; checks: 0 errors, ")
    assert out2 == out1.replace("into one", "into two")


def test_results_keep_the_order_of_the_issues(project) -> None:
    import newsletter

    _make_issues(project, 6)
    seen = []
    report = newsletter.build(["issues"], out="dist", jobs=2, progress=lambda result: seen.append(result.source.name))
    names = [result.source.name for result in report.results]
    assert names == sorted(names) and sorted(seen) == names
    assert [result.error is not None for result in report.results] == [False] * 7 + [True]


def test_input_error_survives_pickling() -> None:
    error = InputError([Problem("x.yaml", 2, 3, "subject", "must not be empty")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems and str(copy) == str(error)


def test_single_issue_output_is_detailed(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    code, out, _ = cli("build", "issues/x.yaml", "--jobs", "4")
    assert code == 0
    assert out.startswith("wrote dist/x.html, dist/x.txt, dist/x.mjml, dist/x.web.html, dist/x.eml, "
                          "dist/x.checks.json\n"
                          "  checks: 0 errors, ")
