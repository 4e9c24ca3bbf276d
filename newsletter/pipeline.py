"""The build pipeline: issues in, files out, stage by stage.

1. ``load``     read the issue's YAML, keeping the line and column of every value
2. ``config``   find and load the publication's config and authors registry
3. ``validate`` check the issue against ``models.Issue``; every problem is reported with file:line:col
4. ``render``   Jinja templates -> MJML;  ``text``: the plain-text alternative, from the model
5. ``compile``  MJML -> HTML (mjml-python)
6. ``inline``   CSS inlined into the HTML (premailer)
7. ``write``    the files written atomically, or compared with those on disk (``check``)

Stages 1-6 touch no output; a failing issue writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import compile, config, inline, load, render, text, validate, write
from .errors import InputError, NewsletterError, Problem
from .models import Issue

ISSUE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Email:
    """One built issue, in memory."""

    name: str
    issue: Issue
    mjml: str
    html: str
    text: str

    def files(self, out_dir: Path) -> dict[Path, str]:
        """The files this issue writes into ``out_dir``."""
        return {
            out_dir / f"{self.name}.html": self.html,
            out_dir / f"{self.name}.txt": self.text,
            out_dir / f"{self.name}.mjml": self.mjml,
        }


@dataclass
class IssueResult:
    """What became of one issue: the files written, the differences found (``check``), or the error."""

    source: Path
    written: list[Path] = field(default_factory=list)
    diff: str = ""
    error: NewsletterError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.diff


@dataclass
class Report:
    results: list[IssueResult]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)


def issue_paths(paths: list[Path]) -> list[Path]:
    """Each issue file named, with a folder standing for the issue files in it, in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in ISSUE_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def render_issue(path: Path | str, project: config.Project | None = None, config_path: Path | None = None) -> Email:
    """Build the issue at ``path`` in memory; raises a :class:`NewsletterError` on bad input."""
    path = Path(path)
    if project is None:
        project = config.load_project(Path(config_path) if config_path else config.find_config(path))
    document = load.load(path, config.display_path(path))
    context = {"authors": project.authors, "authors_source": config.display_path(project.authors_path)}
    issue = validate.validate(document, Issue, context)
    mjml = render.render_mjml(issue, project.config, project.templates_dir)
    html = inline.inline_css(compile.compile_mjml(mjml, f"{path.stem}.mjml"))
    return Email(path.stem, issue, mjml, html, text.render_text(issue, project.config))


def build(
    paths: list[Path | str] | Path | str,
    out: Path | str = "dist",
    config_path: Path | str | None = None,
    check: bool = False,
) -> Report:
    """Build each issue into ``out`` (or, with ``check``, compare with what is there). Never raises for bad
    input: each issue's error is in its result, and the other issues still build."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out_dir = Path(out)
    projects: dict[Path, config.Project | NewsletterError] = {}  # a config is loaded (or fails) once
    results = []
    sources = issue_paths([Path(p) for p in paths])
    stems: dict[str, Path] = {}
    for source in sources:
        result = IssueResult(source)
        results.append(result)
        try:
            if source.stem in stems:
                raise InputError([Problem(config.display_path(source), 1, 1, "", (
                    f"has the same name as {config.display_path(stems[source.stem])}; both would write "
                    f"{source.stem}.html"))])
            stems[source.stem] = source
            found = Path(config_path) if config_path else config.find_config(source)
            key = found.resolve()
            if key not in projects:
                try:
                    projects[key] = config.load_project(found)
                except NewsletterError as exc:
                    projects[key] = exc
            project = projects[key]
            if isinstance(project, NewsletterError):
                raise project
            email = render_issue(source, project)
            files = email.files(out_dir)
            if check:
                labels = {path: config.display_path(path) for path in files}
                result.diff = write.diff_files(files, labels)
            else:
                result.written = write.write_files(files)
        except NewsletterError as exc:
            result.error = exc
    return Report(results)
