"""The pytest plugin (installed with newsletter, entry point ``pytest11``): snapshot-test an issue from a test.

    def test_next_issue(newsletter_snapshot):
        newsletter_snapshot("issues/2024-05-10.yaml", screenshots=True)

compares the issue's HTML and plain text with ``snapshots/X.html`` and ``snapshots/X.txt`` beside the test
file (a unified diff when they differ, as ``build --check`` prints) and, with ``screenshots=True``, what a
reader sees with the PNGs there (``newsletter snapshot``). ``pytest --newsletter-update`` writes them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--newsletter-update", action="store_true",
                     help="newsletter_snapshot: write the stored HTML, text and pictures instead of comparing.")


@pytest.fixture
def newsletter_snapshot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A function that snapshot-tests one issue: ``newsletter_snapshot(issue, snapshots="snapshots",
    screenshots=False, widths=(600, 375), schemes=("light",), config_path=None)`` (the widths and schemes of
    ``newsletter snapshot``). Relative paths are the test file's folder's, so the test passes from wherever
    pytest runs; an issue not found there is looked for from the working folder."""
    update = bool(request.config.getoption("--newsletter-update"))
    here = Path(request.path).parent

    def check(issue: str | Path, snapshots: str | Path = "snapshots", *, screenshots: bool = False,
              widths: tuple[int, ...] = (600, 375), schemes: tuple[str, ...] = ("light",),
              config_path: str | Path | None = None) -> None:
        import newsletter
        from newsletter import write
        from newsletter.errors import NewsletterError

        source = here / issue if (here / issue).exists() or not Path(issue).exists() else Path(issue)
        folder = Path(snapshots) if Path(snapshots).is_absolute() else here / snapshots
        if config_path is not None and not Path(config_path).is_absolute() and (here / config_path).exists():
            config_path = here / config_path
        try:
            email = newsletter.render_issue(source, config_path=config_path, editions=False)
        except NewsletterError as exc:  # the writer's mistake, said as the CLI says it: no traceback into newsletter
            pytest.fail(exc.cli_message(), pytrace=False)
        files = {folder / f"{email.name}.txt": email.text, folder / f"{email.name}.html": email.html}
        problems = []
        if update:
            write.write_files(files)
        else:
            missing = [str(path) for path in files if not path.is_file()]
            if missing:
                problems.append(f"no snapshot yet: {', '.join(missing)}; run pytest --newsletter-update")
            for path, produced in files.items():
                if path.is_file() and path.read_text(encoding="utf-8") != produced:
                    problems.append(_diff(path, path.read_text(encoding="utf-8"), produced))
        if screenshots:
            # In a process of its own: Playwright's sync API cannot start inside a test session that already
            # runs it (pytest-playwright, or a browser fixture of the project's own).
            command = [sys.executable, "-m", "newsletter", "snapshot", str(source), "--dir", str(folder),
                       "--widths", ",".join(map(str, widths)), "--schemes", ",".join(schemes)]
            if config_path:
                command += ["--config", str(config_path)]
            result = subprocess.run(command + (["--update"] if update else []), capture_output=True, text=True)
            if result.returncode != 0:
                problems.append(result.stderr.strip())
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)

    return check


def _diff(path: Path, stored: str, produced: str) -> str:
    """A unified diff of ``stored`` and ``produced``; HTML a tag a line, since MRML writes it on one."""
    import difflib
    import re

    if path.suffix == ".html":
        stored, produced = (re.sub(r"(?<!\n)<", "\n<", text) for text in (stored, produced))
    lines = difflib.unified_diff(stored.splitlines(keepends=True), produced.splitlines(keepends=True),
                                 f"{path} (stored)", f"{path} (now)", n=2)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
