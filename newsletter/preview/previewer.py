"""What the preview shows: each issue built in memory, rebuilt when a file it depends on is saved.

The server asks :class:`Previewer` for an issue's latest build and waits on it for the next one; a watcher
thread tells it which files changed. A change to the config, the authors registry or a template rebuilds
every issue someone is looking at; a change to one issue file rebuilds that issue.

Checks after paint: a build is published as soon as the email is made, and the page shows it; a checker
thread then runs the pre-send checks on it and publishes the same build again with its findings, which the
page's Checks panel takes without reloading the email. A save is visible in the time of a build alone.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field, replace
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
    checked: bool = False  # the findings are in (a build that failed has none to wait for)

    @property
    def ok(self) -> bool:
        return self.email is not None

    @property
    def stamp(self) -> tuple[int, bool]:
        """What a page has seen of it: the email's version, then whether its checks came."""
        return self.version, self.checked

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
            "checked": self.checked,
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
        self.to_check: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._check_forever, name="preview checks", daemon=True).start()

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
            build = Build(name, self.version, email, seconds=time.perf_counter() - started, project=project)
            self.to_check.put(name)
        except NewsletterError as exc:
            build = Build(name, self.version, None, _messages(exc), time.perf_counter() - started, checked=True)
        self.builds[name] = build
        self.new_build.notify_all()
        return build

    def _check_forever(self) -> None:
        while True:
            self.check(self.to_check.get())

    def check(self, name: str) -> Build | None:
        """Run the checks on the latest build of ``name`` (outside the lock: the next save may build
        meanwhile) and publish it with its findings; a build replaced in the meantime is not checked."""
        with self.lock:
            build = self.builds.get(name)
        if build is None or build.checked or build.email is None or build.project is None:
            return build
        try:
            findings = _findings(build.email, build.project)
        except Exception as exc:  # noqa: BLE001 - a plugin's rule that fails says so in the panel; the thread lives on
            findings = ({"rule": "checks", "severity": "error", "message": f"the checks stopped: {exc}", "fix": "",
                         "block": "", "source": None, "html": None, "file": "", "line": 0, "column": 0, "field": ""},)
        with self.lock:
            if self.builds.get(name) is not build:
                return None
            checked = self.builds[name] = replace(build, findings=findings, checked=True)
            self.new_build.notify_all()
            return checked

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

    def wait_for_newer(self, name: str, seen: tuple[int, bool], timeout: float) -> Build | None:
        """The build of ``name`` newer than the ``seen`` stamp (a new email, or the same with its findings),
        or None when ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                build = self.builds.get(name) or self._build(name)
                if build.stamp > seen:
                    return build
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.new_build.wait(remaining):
                    return None

    def open_page(self, name: str, delta: int) -> None:
        with self.lock:
            self.watched_by[name] = self.watched_by.get(name, 0) + delta
