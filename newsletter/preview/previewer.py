"""What the preview shows: each issue built in memory, rebuilt when a file it depends on is saved.

The server asks :class:`Previewer` for an issue's latest build and waits on it for the next one; a watcher
thread tells it which files changed. A change to the config, the authors registry or a template rebuilds
every issue someone is looking at; a change to one issue file rebuilds that issue.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import config, pipeline
from ..errors import InputError, NewsletterError, Problem
from ..project import Project, default_project, load_project
from ..render import builtin_templates
from .watch import Watcher


@dataclass(frozen=True)
class Build:
    """One build of an issue: the email, or the errors that stopped it."""

    name: str
    version: int
    email: pipeline.Email | None
    errors: tuple[str, ...] = ()
    seconds: float = 0.0
    findings: tuple[dict, ...] = ()  # what `newsletter check` finds in this build  # type: ignore[type-arg]
    project: Project | None = None  # what it was built with (a test send needs the sender)

    @property
    def ok(self) -> bool:
        return self.email is not None

    def state(self) -> dict[str, object]:
        email = self.email
        return {
            "name": self.name,
            "version": self.version,
            "ok": self.ok,
            "errors": list(self.errors),
            "subject": email.issue.subject if email else None,
            "date": email.issue.date.isoformat() if email and email.issue.date else None,
            "html_bytes": len(email.html.encode("utf-8")) if email else 0,
            "build_ms": round(self.seconds * 1000, 1),
            "findings": list(self.findings),
        }


def _findings(email: pipeline.Email, project: Project) -> tuple[dict, ...]:  # type: ignore[type-arg]
    """The pre-send checks of ``email`` as the Checks panel lists them; the issue's own warnings (a folded
    body, a placeholder left) first, as rule `input`."""
    from .. import checks

    found: list[dict[str, object]] = [{"file": warning.file, "line": warning.line, "column": warning.column, "field": warning.field,
              "rule": "input", "severity": "warning", "message": warning.message, "fix": "", "block": "",
              "source": {"file": warning.file, "line": warning.line, "column": warning.column,
                         "field": warning.field}, "html": None} for warning in email.warnings]
    found += [finding.as_dict() for finding in checks.check_email(
        email.html, email.text, f"{email.name}.html", facts=email.facts, rules=project.registry.rules,
        platforms=project.registry.platforms)]
    return tuple(found)


def _messages(error: NewsletterError) -> tuple[str, ...]:
    if isinstance(error, InputError):
        return tuple(str(problem) for problem in error.problems)
    return tuple(str(error).splitlines())


@dataclass
class Previewer:
    issues_dir: Path
    config_path: Path | None = None
    builds: dict[str, Build] = field(default_factory=dict)
    watched_by: dict[str, int] = field(default_factory=dict)  # issue name -> open pages
    version: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.new_build = threading.Condition(self.lock)
        self.project: Project | NewsletterError | None = None
        self.watcher = Watcher(self.watched_files, self.files_changed)

    # --- what there is -----------------------------------------------------------------------------

    def names(self) -> list[str]:
        """The issues in the folder, by file name."""
        return [path.stem for path in pipeline.issue_paths([self.issues_dir])]

    def path_of(self, name: str) -> Path | None:
        return next((p for p in pipeline.issue_paths([self.issues_dir]) if p.stem == name), None)

    def config_file(self) -> Path | None:
        if self.config_path:
            return self.config_path
        try:
            return config.find_config(self.issues_dir / "any.yaml")
        except NewsletterError:
            return None

    def watched_files(self) -> list[Path]:
        files = pipeline.issue_paths([self.issues_dir])
        config_path = self.config_file()
        if config_path:
            files.append(config_path)
            files.append(config_path.parent / config.AUTHORS_NAME)
        project = self.project
        if isinstance(project, Project):
            files.append(project.authors_path)
            files.extend(Path(plugin) for plugin in project.registry.plugin_files)
            if project.templates_dir:
                files.extend(project.templates_dir.rglob("*"))
        files.extend(builtin_templates().rglob("*.j2"))
        with self.lock:  # the pictures given as files that the builds show
            files.extend(Path(asset.source) for build in self.builds.values() if build.email
                         for asset in build.email.assets.values())
        return files

    # --- building ----------------------------------------------------------------------------------

    def _project(self) -> Project:
        if self.project is None:
            config_path = self.config_file()
            try:
                if config_path is None:
                    self.project = default_project(self.issues_dir / "any.yaml")
                else:
                    self.project = load_project(config_path)
            except NewsletterError as exc:
                self.project = exc
        if isinstance(self.project, NewsletterError):
            raise self.project
        return self.project

    def _build(self, name: str) -> Build:
        started = time.perf_counter()
        path = self.path_of(name)
        self.version += 1
        try:
            if path is None:
                raise InputError([Problem(config.display_path(self.issues_dir / f"{name}.yaml"), 1, 1, "",
                                          "file not found: the issue was deleted or renamed")])
            project = self._project()
            email = pipeline.render_issue(path, project, editions=False)  # the page shows the email
            build = Build(name, self.version, email, seconds=time.perf_counter() - started,
                          findings=_findings(email, project), project=project)
        except NewsletterError as exc:
            build = Build(name, self.version, None, _messages(exc), time.perf_counter() - started)
        self.builds[name] = build
        self.new_build.notify_all()
        return build

    def get(self, name: str) -> Build:
        """The latest build of ``name``, building it first if it is not built yet."""
        with self.lock:
            return self.builds.get(name) or self._build(name)

    def files_changed(self, paths: set[Path]) -> None:
        issue_files = {path for path in paths if path.parent.resolve() == self.issues_dir.resolve()
                       and path.suffix in pipeline.ISSUE_SUFFIXES}
        with self.lock:
            if paths - issue_files:  # config, registry or a template: everything may look different
                self.project = None
                stale = set(self.builds)
            else:
                stale = {path.stem for path in issue_files} & set(self.builds)
            for name in stale:
                del self.builds[name]
            for name in sorted(stale):
                if self.watched_by.get(name):
                    self._build(name)

    def wait_for_newer(self, name: str, version: int, timeout: float) -> Build | None:
        """The build of ``name`` newer than ``version``, or None when ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                build = self.builds.get(name) or self._build(name)
                if build.version > version:
                    return build
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.new_build.wait(remaining):
                    return None

    def open_page(self, name: str, delta: int) -> None:
        with self.lock:
            self.watched_by[name] = self.watched_by.get(name, 0) + delta
