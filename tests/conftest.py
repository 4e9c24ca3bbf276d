"""Shared fixtures: a throw-away project per test, the CLI runner, and the --update-goldens flag."""

from __future__ import annotations

import contextlib
import shutil
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite the golden files under tests/ from the current output instead of comparing.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


class Project:
    """A project folder in tmp_path: MEI's config and authors, an ``issues/`` folder, helpers to add issues."""

    def __init__(self, root: Path):
        self.root = root
        self.issues = root / "issues"
        self.issues.mkdir(parents=True)
        shutil.copy(REPO / "newsletter.yaml", root / "newsletter.yaml")
        shutil.copy(REPO / "authors.yaml", root / "authors.yaml")
        self.out = root / "dist"

    def issue(self, name: str, yaml_text: str) -> Path:
        path = self.issues / f"{name}.yaml"
        path.write_text(textwrap.dedent(yaml_text).lstrip("\n"), encoding="utf-8")
        return path

    def configure(self, **settings: object) -> None:
        """Set top-level keys of the project's newsletter.yaml."""
        import yaml

        path = self.root / "newsletter.yaml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        config.update(settings)
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def template(self, name: str, text: str) -> None:
        """A user template that overrides the built-in one of the same name (folder ``templates/``)."""
        folder = self.root / "templates"
        configured = folder.is_dir()
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
        if not configured:
            # Once: rewriting newsletter.yaml at every template saved let a watching preview catch it empty,
            # half written (a flaky failure of the preview's template test).
            self.configure(templates="templates")

    def example(self) -> Path:
        path = self.issues / "mei-four-briefs.yaml"
        shutil.copy(REPO / "issues" / "mei-four-briefs.yaml", path)
        return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


@pytest.fixture
def cli():
    """Run the CLI in-process, the way a user would: returns (exit code, stdout, stderr)."""
    from newsletter.cli import main

    def run(*args: str):
        result = CliRunner().invoke(main, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


MINIMAL_ISSUE = """
subject: "A small issue"
briefs:
  - title: "One brief"
    authors: [randa-slim]
    body: |
      A paragraph.
"""


CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@contextlib.contextmanager
def preview_server(issues: Path, **options: object):
    """``newsletter preview`` of ``issues`` on a free port, serving in a thread, for a with-block."""
    from newsletter.preview.server import serve

    server = serve(issues, port=0, **options)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.previewer.watcher.stop()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright; never a browser that a tool downloads."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: run scripts/test, which installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
