"""Visual snapshot tests: `newsletter snapshot`, and the pytest plugin's fixture in a project's own tests.

The commands run in processes of their own: Playwright's sync API cannot start inside this session's
browser fixture.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import MINIMAL_ISSUE, REPO
from newsletter import snapshot

SAMPLE = Path(__file__).parent / "sample_project"


def _newsletter(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_snapshot_passes_then_catches_one_changed_word(project) -> None:
    project.issue("x", MINIMAL_ISSUE)
    missing = _newsletter(project.root, "snapshot", "issues/x.yaml", "--widths", "375")
    assert missing.returncode == 1
    assert ("tests/snapshots/x-375-light.png: no snapshot yet: run newsletter snapshot issues/x.yaml --update "
            "--widths 375 to write it") in missing.stderr
    written = _newsletter(project.root, "snapshot", "issues/x.yaml", "--widths", "375,600", "--schemes",
                          "light,dark", "--update")
    assert written.returncode == 0, written.stderr
    stored = sorted(p.name for p in (project.root / "tests" / "snapshots").iterdir())
    assert stored == ["x-375-dark.png", "x-375-light.png", "x-600-dark.png", "x-600-light.png"]
    same = _newsletter(project.root, "snapshot", "issues/x.yaml", "--widths", "375,600", "--schemes", "light,dark")
    assert same.returncode == 0, same.stderr
    assert same.stdout.count(": same") == 4

    path = project.issues / "x.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("One brief", "One note"), encoding="utf-8")
    changed = _newsletter(project.root, "snapshot", "issues/x.yaml", "--widths", "375")
    assert changed.returncode == 1
    folder = project.root / "tests" / "snapshots"
    assert (f"tests/snapshots/x-375-light.png: changed" in changed.stderr
            and "see tests/snapshots/x-375-light.new.png, tests/snapshots/x-375-light.diff.png" in changed.stderr)
    with Image.open(folder / "x-375-light.diff.png") as diff:
        rgb = diff.convert("RGB")
        reds = sum(rgb.getpixel((x, y)) == (230, 0, 0) for x in range(rgb.width) for y in range(0, rgb.height, 2))
    assert reds > 20  # the changed word, marked
    with Image.open(folder / "x-375-light.new.png") as new, Image.open(folder / "x-375-light.png") as old:
        assert new.size == old.size and new.tobytes() != old.tobytes()
    # Put back, it matches again, and the pictures of the failure are gone.
    path.write_text(path.read_text(encoding="utf-8").replace("One note", "One brief"), encoding="utf-8")
    again = _newsletter(project.root, "snapshot", "issues/x.yaml", "--widths", "375")
    assert again.returncode == 0 and not (folder / "x-375-light.diff.png").exists()


def test_two_runs_of_an_unchanged_issue_give_identical_pngs(project) -> None:
    project.example()
    for folder in ("one", "two"):
        result = _newsletter(project.root, "snapshot", "issues/mei-four-briefs.yaml", "--dir", folder, "--update",
                             "--widths", "600", "--schemes", "light,dark")
        assert result.returncode == 0, result.stderr
    one = {p.name: p.read_bytes() for p in (project.root / "one").iterdir()}
    assert len(one) == 2 and one == {p.name: p.read_bytes() for p in (project.root / "two").iterdir()}


def test_the_tolerance_is_settable_and_stated(project) -> None:
    help_text = _newsletter(project.root, "snapshot", "--help").stdout
    assert "--threshold" in help_text and "[default:" in help_text and "16;" in help_text
    assert "--max-diff" in help_text and " ".join(help_text.split()).count("[default: 0.0;") == 1
    before = Image.new("RGB", (100, 100), (255, 255, 255))
    after = before.copy()
    after.paste((250, 250, 250), (0, 0, 10, 10))  # 1 % of the pixels, each 5 levels off
    assert snapshot.difference(before, after, 16)[0] == 0
    assert snapshot.difference(before, after, 4)[0] == pytest.approx(0.01)
    bigger = Image.new("RGB", (100, 110), (255, 255, 255))
    assert snapshot.difference(before, bigger, 16)[0] == pytest.approx(1000 / 11000)  # the new part counts


def test_wrong_options_are_refused(project) -> None:
    project.issue("x", MINIMAL_ISSUE)
    result = _newsletter(project.root, "snapshot", "issues/x.yaml", "--schemes", "sepia")
    assert result.returncode == 1 and "--scheme takes light, dark or both" in result.stderr
    result = _newsletter(project.root, "snapshot", "issues/x.yaml", "--max-diff", "2")
    assert result.returncode == 2 and "--max-diff" in result.stderr


# --- the pytest plugin -------------------------------------------------------------------------------------

def test_the_plugin_is_installed_with_the_package() -> None:
    from importlib.metadata import entry_points

    assert [e.value for e in entry_points(group="pytest11") if e.name == "newsletter"] == ["newsletter.pytest_plugin"]


def test_the_sample_projects_own_test_fails_on_a_changed_word_with_a_diff(tmp_path) -> None:
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE, copy)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_sample_project.py"]
    passing = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    issue = copy / "issues" / "2024-05-10.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("fourth quarter", "fifth quarter"), encoding="utf-8")
    failing = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300)
    assert failing.returncode == 1
    assert "-      - \"Shipping volumes rose" not in failing.stdout  # the diff is of the output, not the YAML
    assert "-  • Shipping volumes rose for the fourth quarter running." in failing.stdout  # the text's diff
    assert "+  • Shipping volumes rose for the fifth quarter running." in failing.stdout
    # the HTML's too, a tag a line (MRML writes it on one)
    assert '-<li style="margin:0 0 10px 0">Shipping volumes rose for the fourth quarter running.' in failing.stdout
    assert "2024-05-10-375-light.png: changed" in failing.stdout
    assert (copy / "snapshots" / "2024-05-10-375-light.diff.png").is_file()
    updated = subprocess.run(command + ["--newsletter-update"], cwd=copy, capture_output=True, text=True, timeout=300)
    assert updated.returncode == 0
    assert "fifth quarter" in (copy / "snapshots" / "2024-05-10.txt").read_text(encoding="utf-8")
    assert subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300).returncode == 0
