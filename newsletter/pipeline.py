"""The build pipeline: issues in, files out, stage by stage. Each stage's module says its number first.

1.  ``load``     read the issue's YAML, keeping the line and column of every value
1b. ``config``   find the publication's config
2.  ``models``   what a file may hold, as pydantic models: its form only
2b. ``validate`` check a file against its model; every problem is reported with file:line:col
2c. ``project``  load the project (config, plugins into its registry, authors) and resolve what validation
                 leaves: pictures given as files, the platform, the checks' rules and clients
3.  ``render``   Jinja templates -> MJML, for the email and for its web edition; ``links`` gives both the
                 platform's footer links and the UTM tagging; ``includes`` renders once what both editions
                 include alike
3b. ``text``     the plain text, from the model
3c. ``webpage``  what a web edition says of itself: canonical address, share cards, JSON-LD, its links
4.  ``compile``  MJML -> HTML (mjml-python)
5.  ``inline``   the CSS of <mj-style inline="inline"> inlined into the email's HTML (premailer, or
                 css-inline); the built-in templates style their elements and have none; the web edition
                 keeps <style>
6.  ``mime``     the text and the HTML as one MIME message (.eml)
7.  ``write``    the files written atomically, or compared with those on disk (``check``)
7b. ``archive``  the folder's web archive: its index pages, the web editions with their links to each other,
                 archive.json (entries from the models); ``feed`` writes its Atom feed, sitemap and robots.txt
8.  ``checks``   the pre-send checks on what was written

Stages 1-6 touch no output; a failing issue writes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import archive, arguments, config, load, write
from .errors import ArgumentError, ConfigNotFound, InputError, NewsletterError, Problem, SystemFailure
from .links import Links, links_for, web_edition
from .models import Issue
from .project import Project, default_project, find_project, load_project, resolve_pictures, validated

if TYPE_CHECKING:
    from .checks import Facts, Finding

ISSUE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Email:
    """One built issue, in memory."""

    name: str
    issue: Issue
    mjml: str
    html: str
    text: str
    web_html: str | None  # None when only the email was asked for
    eml: bytes | None  # None without a sender in the config, or when only the email was asked for
    links: Links  # the email's footer links and link tagging, as a test send needs them again
    warnings: tuple[Problem, ...] = ()  # valid input that is probably not what the writer meant
    expected: tuple[tuple[str, str], ...] = ()  # what the model says must reach both HTML and text (checks)
    # Pictures given as files: {the URL the HTML links: images.Prepared}, written to OUT/assets/NAME.
    assets: dict[str, Any] = field(default_factory=dict)
    # What the checks know of it besides the HTML (the source map, the model's texts; X.checks.json), made
    # when first asked for: the preview shows the email before its checks run.
    make_facts: Callable[[], Facts] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def facts(self) -> Facts | None:
        return self.make_facts() if self.make_facts is not None else None

    def files(self, out_dir: Path) -> dict[Path, str | bytes]:
        """The files this issue writes into ``out_dir``."""
        files: dict[Path, str | bytes] = {
            out_dir / f"{self.name}.html": self.html,
            out_dir / f"{self.name}.txt": self.text,
            out_dir / f"{self.name}.mjml": self.mjml,
        }
        if self.web_html is not None:
            files[out_dir / f"{self.name}.web.html"] = self.web_html
        if self.eml is not None:
            files[out_dir / f"{self.name}.eml"] = self.eml
        if self.facts is not None:
            files[out_dir / f"{self.name}.checks.json"] = self.facts.to_json(out_dir)
        for asset in self.assets.values():
            files[out_dir / "assets" / asset.name] = asset.data
        return files


@dataclass
class IssueResult:
    """What became of one issue: the files written, the differences found (``check``), or the error."""

    source: Path
    written: list[Path] = field(default_factory=list)
    diff: str = ""
    error: NewsletterError | None = None
    findings: list[Finding] = field(default_factory=list)  # the pre-send checks, after a build
    warnings: list[Problem] = field(default_factory=list)  # in the input: valid, probably not what was meant
    entry: archive.Entry | None = None  # how the web archive lists the issue
    # Its web edition, which the archive stage writes with its links to the issues before and after it.
    web_edition: str | None = field(default=None, repr=False)

    @property
    def errors_found(self) -> int:
        return sum(finding.severity == "error" for finding in self.findings)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.diff and not self.errors_found


@dataclass
class Report:
    results: list[IssueResult]
    archive: IssueResult | None = None  # index.html and feed.xml of the output folder
    skipped: list[Path] = field(default_factory=list)  # sub-folders of a folder named, which hold issues
    # Said once for the run: the built-in defaults were used; a warning about the config's or registry's pictures.
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results) and (self.archive is None or self.archive.ok)


def issue_paths(paths: list[Path]) -> list[Path]:
    """Each issue file named, with a folder standing for the issue files in it, in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in ISSUE_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def skipped_folders(paths: list[Path]) -> list[Path]:
    """The sub-folders of the folders named that hold issue files: a folder stands for its own files only."""
    skipped = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
                if any(child.rglob("*.yaml")) or any(child.rglob("*.yml")):
                    skipped.append(child)
    return skipped


@contextmanager
def _system_failures(source: Path) -> Iterator[None]:
    """What the machine refuses while an issue is built becomes our one-line error naming the issue."""
    try:
        yield
    except MemoryError:
        raise SystemFailure(f"{config.display_path(source)}: ran out of memory while building it; "
                            "nothing written for it") from None
    except RecursionError:
        raise SystemFailure(f"{config.display_path(source)}: nested too deeply to build (Python's recursion "
                            "limit); nothing written for it") from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise SystemFailure(f"{config.display_path(source)}: the system refused a file operation{where}: "
                            f"{exc.strerror or exc}; nothing written for it") from None


def check_platform(platform: object, platforms: dict[str, Any] | None = None) -> None:
    """An :class:`ArgumentError` unless ``platform`` is None or a platform's name (of ``platforms``, the
    project's, once it is known: a plugin may add one)."""
    from .platforms import PLATFORMS

    known = PLATFORMS if platforms is None else platforms
    if platform is not None and (not isinstance(platform, str) or platform not in known):
        if platforms is None and isinstance(platform, str) and platform.replace("-", "").isalnum():
            return  # perhaps a plugin's: checked again against the project's platforms
        raise ArgumentError(f"platform={platform!r} is not a known platform; allowed: "
                            f"{', '.join(repr(name) for name in known)}, or None for the config's",
                            cli=f"--platform: {platform!r} is not a known platform; allowed: "
                                f"{', '.join(known)}")


def _validate(path: Path, project: Project) -> tuple[Issue, list[Problem], load.Document]:
    """Stages 1-2c for an issue: loaded, validated against the model, its pictures resolved."""
    document = load.load(path, config.display_path(path))
    base, root = path.resolve().parent, project.config_path.resolve().parent
    issue = validated(document, Issue, project.validation_context(path), base, root)
    issue, warnings = resolve_pictures(issue, document, base, root, project.config)
    return issue, [*document.warnings, *warnings, *_block_warnings(issue, document)], document


def _block_warnings(issue: Issue, document: load.Document) -> list[Problem]:
    """What each block's type finds valid but probably not meant (an events block's time 25:61), at its line.
    A type is asked only when its module is loaded (its model is made there), so validating an issue of briefs
    imports no block module and nothing of the render."""
    kind = "blocks" if issue.blocks is not None else "briefs"
    found = []
    for number, block in enumerate(issue.content):
        block_type = getattr(type(block), "__block_type__", None)
        for where, message in block_type.warnings(block) if block_type is not None else ():
            loc = (kind, number, *where)
            line, column = document.mark(loc)
            found.append(Problem(document.path, line, column, load.format_loc(loc), message))
    return found


def project_for(path: Path, config_path: Path | None = None) -> Project:
    """The project an issue is built with: ``config_path``'s, else the nearest config's, else the defaults.
    A missing issue is "file not found" first: "no config found" would be the wrong reason."""
    if config_path is not None:
        return load_project(Path(config_path))
    if not path.is_file():
        load.read_text(path, config.display_path(path))
    return find_project(path)


def render_issue(path: Path | str, project: Project | None = None, config_path: Path | str | None = None,
                 platform: str | None = None, editions: bool = True) -> Email:
    """Build the issue at ``path`` in memory; raises a :class:`NewsletterError` on bad input.

    ``editions=False`` makes the email alone, without the web edition and the .eml (the preview's case)."""
    issue_path = arguments.path("path", path)
    config_file = arguments.path("config_path", config_path, optional=True)
    check_platform(platform)
    arguments.flag("editions", editions)
    if project is not None and not isinstance(project, Project):
        raise ArgumentError(f"project={project!r} must be a newsletter.Project (from "
                            "newsletter.load_project), or None to find the issue's config")
    with _system_failures(issue_path):
        if project is None:
            project = project_for(issue_path, config_file)
        return _render(issue_path, project, platform, editions)


def _render(path: Path, project: Project, platform: str | None, editions: bool) -> Email:
    # Imported here, not above: `newsletter validate` uses this module and needs none of them.
    from . import compile, inline, mime, render, text
    from .checks import facts as checks_facts

    issue, warnings, document = _validate(path, project)
    registry = project.registry
    check_platform(platform, registry.platforms)
    date = issue.date.isoformat() if issue.date else ""
    links = links_for(project.config, path.stem, date, platform, platforms=registry.platforms)
    if editions:  # rendered together: what the two share is rendered once
        mjml, web_mjml = render.render_editions(issue, project.config, project.templates_dir, links,
                                                web_edition(links), registry)
    else:
        mjml = render.render_mjml(issue, project.config, project.templates_dir, links, registry=registry)
    expected = tuple(render.expectations(issue, project.config, links, registry))
    assets = _assets(issue, project)
    html = inline.inline_css(compile.compile_mjml(mjml, f"{path.stem}.mjml"), project.config.inliner)
    plain = text.render_text(issue, project.config, links, registry)

    def facts() -> Facts:
        sizes = _sizes(issue, project, links, path, document) if len(html.encode()) > _MEASURE_FROM else None
        return checks_facts.for_build(issue, document, project, list(expected), html, plain, sizes)

    if not editions:
        return Email(path.stem, issue, mjml, html, plain, None, None, links, tuple(warnings), expected, assets,
                     facts)
    # Not inlined: a browser applies a user's <style> blocks as the inliner would (a test compares the two
    # in Chromium), and inlining was a third of the web edition's cost.
    web_html = compile.compile_mjml(web_mjml, f"{path.stem}.web.mjml")
    eml = mime.message_bytes(issue, project.config, plain, html, links) if project.config.sender else None
    return Email(path.stem, issue, mjml, html, plain, web_html, eml, links, tuple(warnings), expected, assets,
                 facts)


# Over 80 % of Gmail's clip, the checks say
# which blocks and parts spend the most: an extra render and compile with a marker before each block.
_MEASURE_FROM = 81_920


def _sizes(issue: Issue, project: Project, links: Links, path: Path,
           document: load.Document) -> list[tuple[str, int, Any]]:
    """The bytes each block and each part (head, styles, header, footer) of the email spend, each block with
    its place in the issue file."""
    import re

    from . import blocks, compile, render
    from .checks import Location

    marked = compile.compile_mjml(render.render_mjml(issue, project.config, project.templates_dir, links,
                                                     measure=True, registry=project.registry), f"{path.stem}.mjml")
    data = marked.encode("utf-8")
    body = data.find(b"<body")
    styles = sum(len(match.group(0)) for match in re.finditer(rb"<style\b.*?</style>", data[:body], re.S))
    parts: list[tuple[str, int, Any]] = [("head, without its styles", body - styles, None), ("styles", styles, None)]
    marks = [(match.start(), match.end(), match.group(1).decode()) for match in
             re.finditer(rb'<i data-nl-block="([0-9]+|end)"></i>', data)]
    if not marks:
        return parts + [("body", len(data) - body, None)]
    parts.append(("header (with the hero and the Contents)", marks[0][0] - body, None))
    kind = "blocks" if issue.blocks is not None else "briefs"
    counts: dict[str, int] = {}
    for (_, end, number), following in zip(marks, marks[1:], strict=False):
        if number == "end":
            break
        block = issue.content[int(number)]
        block_type = blocks.type_of(block)
        counts[block_type.name] = counts.get(block_type.name, 0) + 1
        title = block_type.title(block)
        label = f"{block_type.name} {counts[block_type.name]}" + (f", ‘{title}’" if title else "")
        line, column = document.mark((kind, int(number)))
        parts.append((label, following[0] - end, Location(document.path, line, column, f"{kind}[{number}]")))
    parts.append(("footer", len(data) - marks[-1][1], None))
    return parts


def _assets(issue: Issue, project: Project) -> dict[str, Any]:
    """The pictures given as files that this issue shows: its own, its authors' and the logo."""
    from . import images

    logo = project.config.logo
    if logo is not None and logo.dark_image and project.config.dark_mode == "off":
        logo = logo.model_copy(update={"dark_image": None})  # the email shows no dark variant: nor publish it
    return images.assets_of(issue, logo)


class _Projects:
    """Each config loaded once per run: a broken one fails every issue that uses it with the same error."""

    def __init__(self, config_path: Path | str | None):
        self.config_path = Path(config_path) if config_path else None
        self.loaded: dict[Path | None, Project | NewsletterError] = {}  # None: the built-in defaults
        self.resolved: dict[Path, Path] = {}  # each config path as found: the file it is
        self.notices: dict[str, None] = {}  # said once per run, in the order met

    def for_issue(self, source: Path) -> Project:
        if not self.config_path and not source.is_file():  # "no config found" would be the wrong reason
            load.read_text(source, config.display_path(source))
        try:
            found = self.config_path or config.find_config(source)
        except ConfigNotFound:
            self.notices.setdefault("note: " + config.default_notice(source.parent), None)
            return self.loaded.setdefault(None, default_project(source))  # type: ignore[return-value]
        key = self.resolved.get(found)
        if key is None:
            key = self.resolved[found] = found.resolve()
        if key not in self.loaded:
            try:
                self.loaded[key] = load_project(found)
                for warning in self.loaded[key].warnings:  # type: ignore[union-attr]
                    self.notices.setdefault(warning.as_warning(), None)
            except NewsletterError as exc:
                self.loaded[key] = exc
        project = self.loaded[key]
        if isinstance(project, NewsletterError):
            raise project
        return project


def _paths(paths: list[Path | str] | Path | str) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not isinstance(paths, (list, tuple)) or not paths:
        raise ArgumentError(f"paths={paths!r} must be an issue file or folder (a str or pathlib.Path), or a "
                            "non-empty list of them")
    return [arguments.path("paths", p) for p in paths]  # type: ignore[misc]


def _argument_error(out: object, config_path: object, check: object, jobs: object, platform: object,
                    progress: object) -> ArgumentError | None:
    """The first wrong value among ``build``'s arguments, as the error each issue's result reports."""
    try:
        folder = arguments.path("out", out)
        if folder is not None and folder.exists() and not folder.is_dir():
            raise ArgumentError(f"out={str(out)!r} is a file: it must be a folder (it is made if missing)")
        arguments.path("config_path", config_path, optional=True)
        arguments.flag("check", check)
        arguments.whole("jobs", jobs, 1, unit=" (the processes to build in)")
        check_platform(platform)
        if progress is not None and not callable(progress):
            raise ArgumentError(f"progress={progress!r} must be a function that takes an IssueResult, or None")
    except ArgumentError as exc:
        return exc
    return None


def validate_issues(paths: list[Path | str] | Path | str, config_path: Path | str | None = None) -> Report:
    """Load and validate each issue without rendering it: the fast check for an editor's save hook."""
    arguments.path("config_path", config_path, optional=True)
    projects = _Projects(config_path)
    results = []
    named = _paths(paths)
    for source in issue_paths(named):
        result = IssueResult(source)
        results.append(result)
        try:
            with _system_failures(source):
                _, result.warnings, _ = _validate(source, projects.for_issue(source))
        except NewsletterError as exc:
            result.error = exc
    return Report(results, skipped=skipped_folders(named), notices=list(projects.notices))


def build(
    paths: list[Path | str] | Path | str,
    out: Path | str = "dist",
    config_path: Path | str | None = None,
    check: bool = False,
    jobs: int = 1,
    progress: Callable[[IssueResult], None] | None = None,
    platform: str | None = None,
) -> Report:
    """Build each issue into ``out`` (or, with ``check``, compare with what is there), then run the pre-send
    checks on what was built; ``platform`` overrides the config's. With ``jobs`` > 1 the issues are built in
    that many processes (MRML and the inliners hold the GIL, so threads would not help); the files are the
    same whatever ``jobs``.

    Never raises for bad input: each issue's error is in its result, and the other issues still build; a
    wrong argument (``platform="hotmail"``) is each issue's error too. Only ``paths`` that are not paths
    raise (an :class:`ArgumentError`). ``progress`` is called with each result as it is done."""
    started = time.time()  # the archive removes no picture written since: another build's, not yet recorded
    named = _paths(paths)
    sources = issue_paths(named)
    wrong = _argument_error(out, config_path, check, jobs, platform, progress)
    if wrong is not None:
        return Report([IssueResult(source, error=wrong) for source in sources], skipped=skipped_folders(named))
    if not check:
        write.remove_stale_temporaries(Path(out))  # left by a build that was killed mid-write
    tasks: list[tuple[Path, Path, bool, Path | None, str | None]] = []
    stems: dict[str, Path] = {}
    for source in sources:
        tasks.append((source, Path(out), check, stems.get(source.stem), platform))
        stems.setdefault(source.stem, source)
    projects = _Projects(config_path)
    if jobs <= 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(_build_one(projects, *task))
            if progress:
                progress(results[-1])
        return Report(results, _archive(results, Path(out), projects, check, started), skipped_folders(named),
                      list(projects.notices))

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with everything already imported (spawn would import it all again in each).
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    if context.get_start_method() == "fork":
        # Imported before the workers fork, so that each starts with them (each imported them for itself: 236 M
        # instructions); this process imports the render and the checks for the archive anyway.
        from . import checks, compile, inline, mime, render, text  # noqa: F401
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(config_path,)) as pool:
        results = []
        # Small chunks: with 32 issues a chunk, one worker could still be busy for half a second after the
        # other had finished; four cost no more to send and keep both busy to the end.
        for result in pool.map(_build_one_task, tasks, chunksize=4):
            results.append(result)
            if progress:
                progress(result)
    for source in sources:  # the workers met the configs in their own processes: meet them here too, for notices
        try:
            projects.for_issue(source)
        except NewsletterError:
            pass  # each issue's result already holds its error
    return Report(results, _archive(results, Path(out), projects, check, started), skipped_folders(named),
                  list(projects.notices))


def _archive(results: list[IssueResult], out_dir: Path, projects: _Projects, check: bool,
             started: float = float("inf")) -> IssueResult | None:
    """Write (or, with ``check``, compare) the folder's index.html and feed.xml, if any issue was built."""
    built = [result for result in results if result.entry is not None and result.error is None]
    if not built:
        return None
    result = IssueResult(out_dir / "index.html")
    try:
        with _system_failures(result.source), write.folder_lock(out_dir, shared=check):
            project = projects.for_issue(built[0].source)
            webs = {r.entry.slug: r.web_edition for r in built if r.entry and r.web_edition is not None}
            try:
                files, listed = archive.archive_files(out_dir, project.config, [r.entry for r in built if r.entry],
                                                      webs, project.templates_dir, project.registry.labels)
            except NewsletterError:
                if not check:  # the web editions are what the emails' view-in-browser links open: keep them current
                    write.write_files({out_dir / f"{slug}{archive.WEB_SUFFIX}": html for slug, html in webs.items()})
                raise
            if check:
                result.diff = write.diff_files(files, {path: config.display_path(path) for path in files})
                result.diff += "".join(f"{config.display_path(path)}: would be removed (a page past the last)\n"
                                       for path in archive.stale_pages(out_dir, project.config, listed))
            else:
                result.written = write.write_files(files)
                write.remove_files(archive.stale_assets(out_dir, listed, started))
                write.remove_files(archive.stale_pages(out_dir, project.config, listed))
                for gone in archive.orphans(out_dir, listed, [r.entry for r in built if r.entry]):
                    kept = config.display_path(out_dir / f"{gone.slug}{archive.WEB_SUFFIX}")
                    result.warnings.append(Problem(config.display_path(out_dir / gone.source), 1, 1, "", (
                        f"this issue file is gone, but {kept} keeps it in the archive (the index, the feed and its "
                        f"neighbours' links): delete {kept} to take it out")))
                for built_one in built:  # the web edition is the issue's file: say so with its others
                    web = out_dir / f"{built_one.entry.slug}{archive.WEB_SUFFIX}"  # type: ignore[union-attr]
                    if built_one.web_edition is not None and web in files:
                        built_one.written.insert(min(3, len(built_one.written)), web)
    except NewsletterError as exc:
        result.error = exc
    return result


_worker_projects: _Projects | None = None  # in a worker process: the configs it has loaded for this build


def _start_worker(config_path: Path | str | None) -> None:
    from . import render

    global _worker_projects
    _worker_projects = _Projects(config_path)
    render.reload_templates = False  # the templates of one build stay as they were when it started
    render.clear_environments()


def _build_one_task(task: tuple[Path, Path, bool, Path | None, str | None]) -> IssueResult:
    assert _worker_projects is not None
    return _build_one(_worker_projects, *task)


def _build_one(projects: _Projects, source: Path, out_dir: Path, check: bool, same_name: Path | None,
               platform: str | None) -> IssueResult:
    from . import checks

    result = IssueResult(source)
    try:
        if same_name is not None:
            raise InputError([Problem(config.display_path(source), 1, 1, "", (
                f"has the same name as {config.display_path(same_name)}; both would write {source.stem}.html"))])
        with _system_failures(source):
            project = projects.for_issue(source)
            email = render_issue(source, project, platform=platform)
            result.warnings = list(email.warnings)
            files = email.files(out_dir)
            result.web_edition = files.pop(out_dir / f"{email.name}{archive.WEB_SUFFIX}", None)  # type: ignore[assignment]
            labels = {path: config.display_path(path) for path in files}
            result.entry = archive.entry_for(email.name, email.issue, [asset.name for asset in email.assets.values()],
                                             os.path.relpath(source.resolve(), out_dir.resolve()))
            if check:
                result.diff = write.diff_files(files, labels)
                return result
            result.written = write.write_files(files)
            result.findings = checks.check_email(email.html, email.text, labels[out_dir / f"{email.name}.html"],
                                                 facts=email.facts, rules=project.registry.rules,
                                                 platforms=project.registry.platforms)
    except NewsletterError as exc:
        result.error = exc
    return result
