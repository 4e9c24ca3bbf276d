"""The ``newsletter`` command: a thin layer over :func:`newsletter.build`.

Heavy libraries are imported inside the commands, so ``newsletter --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .errors import NewsletterError
from .platforms import PLATFORMS  # a table of names and merge tags: nothing heavy to import

PLATFORM_NAMES = tuple(PLATFORMS)


class _Commands(click.Group):
    """Prints every user-caused error as ``Error: ...`` and exits 1; anything else is a bug, with a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except NewsletterError as exc:
            raise click.ClickException(exc.cli_message()) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsletter")
def main() -> None:
    """Turn YAML issue definitions into production-ready emails: HTML, plain text and MJML."""


@main.command("build")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out", default="dist", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write X.html, X.txt, X.mjml, X.web.html, X.eml and the archive into.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above each issue).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 with a unified diff if the files in --out differ from a fresh build.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Issues built at once, in separate processes  [default: the number of CPUs]")
@click.option("--platform", default=None, metavar="NAME",
              help=f"The mailing platform whose merge tags the footer uses: {', '.join(PLATFORM_NAMES)}, or a "
                   "plugin's (default: the config's, else none).")
def build_command(paths: tuple[Path, ...], out: Path, config_path: Path | None, check: bool, jobs: int | None,
                  platform: str | None) -> None:
    """Build each issue file (or every issue in a folder) PATHS into --out; without PATHS, the issues/ folder
    of the project you are in."""
    import os

    from .pipeline import build, issue_paths

    paths = paths or _default_paths("issues", "build")
    count = len(issue_paths(list(paths)))
    if count == 0:
        _fail("no issue files (*.yaml) found in " + ", ".join(map(str, paths)))
    if jobs is None:  # the CPUs this process may run on, which a container or taskset can limit
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    batch = count > 1
    if batch and sys.stderr.isatty():
        with click.progressbar(length=count, label=f"Building {count} issues", file=sys.stderr) as bar:
            report = build(list(paths), out=out, config_path=config_path, check=check, jobs=jobs,
                           progress=lambda result: bar.update(1), platform=platform)
    else:
        report = build(list(paths), out=out, config_path=config_path, check=check, jobs=jobs, platform=platform)
    _print_errors(report, "; nothing written for it")
    for result in report.results:
        if result.error is not None:
            continue
        if check and result.diff:
            click.echo(result.diff, nl=False)
        elif not check and not batch:
            click.echo("wrote " + ", ".join(str(p) for p in result.written))
            click.echo("  checks: " + _summary(result.findings)
                       + (f"; details: newsletter check {result.written[0]}" if result.findings else ""))
        elif not check and result.errors_found:
            click.echo(f"{result.written[0]}: checks: {_summary(result.findings)}; "
                       f"details: newsletter check {result.written[0]}")
    if report.archive is not None:
        if report.archive.error is not None:
            click.echo(f"Error: {report.archive.error.cli_message()}", err=True)
        elif check and report.archive.diff:
            click.echo(report.archive.diff, nl=False)
        elif not check and not batch:  # the archive's own files; the web editions are listed with their issue
            from .links import WEB_SUFFIX

            shown = [path for path in report.archive.written if not path.name.endswith(WEB_SUFFIX)]
            if shown:
                click.echo("wrote the archive: " + ", ".join(str(p) for p in shown))
    failed = sum(result.error is not None for result in report.results)
    if batch and not check:
        built = count - failed
        findings = [finding for result in report.results for finding in result.findings]
        click.echo(f"built {_count(built, 'issue')} into {out}, {failed} failed; checks: {_summary(findings)}")
    differing = sum(bool(result.diff) for result in report.results)
    if check and not failed:
        if differing:
            click.echo(f"{_count(differing, 'issue')} would change in {out}", err=True)
        else:
            click.echo(f"{_count(len(report.results), 'issue')} up to date in {out}", err=True)
    sys.exit(0 if report.ok else 1)


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--ignore", "ignore", multiple=True, metavar="RULE",
              help="A rule not to run (repeat for more); added to the config's checks.ignore.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="A config whose checks.ignore applies too (default: the checks settings of the config each "
                   "email was built with, named in X.checks.json; for an email without it, the nearest "
                   "newsletter.yaml's).")
def check_command(paths: tuple[Path, ...], output_format: str, strict: bool, ignore: tuple[str, ...],
                  config_path: Path | None) -> None:
    """Run the pre-send checks on built emails: X.html files (with X.txt and X.checks.json beside them) or
    output folders (without PATHS, dist/). Each finding names what you wrote (file:line:column and field)
    before the HTML's place."""
    import json

    paths = paths or _default_paths("dist", "check")
    from . import checks
    from .project import load_project

    explicit = config_path is not None
    config_path = config_path or _nearest_config()
    project = load_project(config_path) if config_path is not None else None
    rules = project.registry.rules if project is not None else checks.RULES
    unknown = checks.unknown_rules(list(ignore), rules)
    if unknown:
        _fail("--ignore: " + "; ".join(unknown))
    configured = set(project.config.checks.ignore) if project is not None else set()
    emails = checks.collect(list(paths))
    if not emails:
        _fail("no emails (*.html) found in " + ", ".join(map(str, paths)))
    findings, limits = [], []
    for html, text in emails:
        # A built email is judged with the settings of the config its build used (X.checks.json names it).
        built = (html.parent / (html.name.removesuffix(".html") + checks.facts.SUFFIX)).is_file()
        chosen = set(ignore) | (configured if explicit or not built else set())
        result = checks.check_file(html, text, tuple(sorted(chosen)), rules=rules,
                                   platforms=project.registry.platforms if project is not None else None,
                                   load_project=load_project)
        findings += result.findings
        limits += [(str(html), rule, why) for rule, why in result.limits]
    counts = _counts(findings)
    if output_format == "json":
        summary = {"emails": len(emails), **counts}
        click.echo(json.dumps({"findings": [f.as_dict() for f in findings], "summary": summary,
                               "limits": [{"file": file, "rule": rule, "why": why} for file, rule, why in limits]},
                              indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        for file, rule, why in limits:
            click.echo(f"{file}: note: " + (f"{rule}: " if rule else "") + why, err=True)
        click.echo(f"{_summary(findings)} in {_count(len(emails), 'email')}", err=True)
    sys.exit(1 if counts["errors"] or (strict and counts["warnings"]) else 0)


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above each issue).")
def validate_command(paths: tuple[Path, ...], config_path: Path | None) -> None:
    """Check issue files against the format without building them (fast enough for a save hook); without
    PATHS, the issues/ folder of the project you are in."""
    from .pipeline import validate_issues

    paths = paths or _default_paths("issues", "validate")
    report = validate_issues(list(paths), config_path=config_path)
    if not report.results:
        _fail("no issue files (*.yaml) found in " + ", ".join(map(str, paths)))
    _print_errors(report)
    failed = sum(result.error is not None for result in report.results)
    click.echo(f"{_count(len(report.results) - failed, 'issue')} valid, {failed} with errors", err=True)
    sys.exit(1 if failed else 0)


@main.command("preview")
@click.argument("issues_dir", default="issues", type=click.Path(path_type=Path, file_okay=False))
@click.option("--port", default=8025, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; 0.0.0.0 shares it.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default browser.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above the folder).")
@click.option("--smtp", help="With --to: a Send test button sends the current build through this HOST:PORT.")
@click.option("--to", "to", help="With --smtp: where the Send test button sends.")
@click.option("--starttls", is_flag=True, help="With --smtp: upgrade the connection with STARTTLS.")
def preview_command(issues_dir: Path, port: int, host: str, open_browser: bool, config_path: Path | None,
                    smtp: str | None, to: str | None, starttls: bool) -> None:
    """Serve a live preview of the issues in ISSUES_DIR: it rebuilds and refreshes on every save, and lists
    what `newsletter check` finds."""
    from .preview.server import SendTarget, serve

    if not issues_dir.is_dir():
        _fail(f"{issues_dir} is not a folder of issues")
    test_send = None
    if smtp or to:
        if not (smtp and to):
            _fail("--smtp and --to go together: the Send test button needs both")
        from .send import check_recipient, parse_server

        check_recipient(to)  # type: ignore[arg-type]
        smtp_host, smtp_port = parse_server(smtp)  # type: ignore[arg-type]
        test_send = SendTarget(to, smtp_host, smtp_port, starttls)  # type: ignore[arg-type]
    try:
        server = serve(issues_dir, host=host, port=port, config_path=config_path, test_send=test_send)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; pass another --port")
    try:
        if config_path is None and server.previewer.config_file() is None:
            from .config import default_notice

            click.echo(f"note: {default_notice(issues_dir)}", err=True)
        click.echo(f"Previewing {issues_dir}/ at {server.url}  (Ctrl-C to stop)", err=True)
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.previewer.watcher.stop()
        server.server_close()


@main.command("send")
@click.argument("issue", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "to", required=True, help="Where the test message goes.")
@click.option("--smtp", default="localhost:25", show_default=True, help="SMTP server as HOST:PORT.")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS (the certificate is verified).")
@click.option("--platform", default=None, metavar="NAME",
              help=f"The mailing platform whose merge tags the footer uses: {', '.join(PLATFORM_NAMES)}, or a "
                   "plugin's (default: the config's).")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above the issue).")
def send_command(issue: Path, to: str, smtp: str, starttls: bool, platform: str | None,
                 config_path: Path | None) -> None:
    """Send ISSUE as a test message. Log in with NEWSLETTER_SMTP_USER and NEWSLETTER_SMTP_PASSWORD from the
    environment when the password is set (never from a file or an option)."""
    from .send import send_test_report

    message_id, notes = send_test_report(issue, to, smtp=smtp, starttls=starttls, config_path=config_path,
                                         platform=platform)
    click.echo(f"sent {issue} to {to} through {smtp} ({message_id})")
    for note in notes:
        click.echo(f"  note: {note}")


@main.command("screenshot")
@click.argument("issue", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--width", "--widths", "widths", default="600,375", show_default=True,
              help="Comma-separated viewport widths.")
@click.option("--scheme", "--schemes", "schemes", default="light", show_default=True,
              help="Colour schemes, comma-separated: light, dark (prefers-color-scheme emulated).")
@click.option("--out", default="dist", show_default=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above the issue).")
def screenshot_command(issue: Path, widths: str, schemes: str, out: Path, config_path: Path | None) -> None:
    """Write full-page PNG screenshots of ISSUE's email, OUT/X-WIDTH.png (X-WIDTH-dark.png in the dark
    scheme), taken with Chromium."""
    from .screenshot import parse_schemes, parse_widths, screenshots

    for path in screenshots(issue, parse_widths(widths), out, config_path, parse_schemes(schemes)):
        click.echo(f"wrote {path}")


@main.command("snapshot")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dir", "folder", default="tests/snapshots", show_default=True, type=click.Path(path_type=Path),
              help="Where the snapshots are stored, as X-WIDTH-SCHEME.png.")
@click.option("--update", is_flag=True, help="Write the pictures as the new snapshots instead of comparing.")
@click.option("--widths", "--width", "widths", default="600,375", show_default=True,
              help="Viewport widths, comma-separated.")
@click.option("--schemes", "--scheme", "schemes", default="light", show_default=True,
              help="Colour schemes, comma-separated: light, dark.")
@click.option("--threshold", type=click.IntRange(0, 255), default=16, show_default=True,
              help="How far (0-255) a pixel's colour channel may move before the pixel counts as changed.")
@click.option("--max-diff", type=click.FloatRange(0, 1, max_open=True), default=0.0, show_default=True,
              help="The share of changed pixels a picture may have and still match (0.001: 0.1 %); raise it for "
                   "snapshots taken on another machine.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above each issue).")
def snapshot_command(paths: tuple[Path, ...], folder: Path, update: bool, widths: str, schemes: str,
                     threshold: int, max_diff: float, config_path: Path | None) -> None:
    """Visual snapshot tests: screenshot each issue's email in Chromium (no network) and compare with the
    PNGs in --dir. Exit 1 when one differs (writing X-WIDTH-SCHEME.new.png and .diff.png beside it) or is
    missing; --update writes them."""
    from .screenshot import parse_schemes, parse_widths
    from .snapshot import snapshot

    results = snapshot(list(paths), folder, update, parse_widths(widths), parse_schemes(schemes), threshold,
                       max_diff, config_path)
    for result in results:
        click.echo(str(result), err=result.status in ("changed", "missing"))
    failing = [r for r in results if r.status in ("changed", "missing")]
    if failing:
        missing = sum(r.status == "missing" for r in failing)
        click.echo(f"Error: snapshots that differ or are missing: {len(failing)} of {len(results)}"
                   + ("; run with --update to write the missing ones" if missing else ""), err=True)
    sys.exit(1 if failing else 0)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--name", help="The publication's name (default: the folder's name).")
def init_command(folder: Path, name: str | None) -> None:
    """Start a publication in FOLDER: newsletter.yaml, authors.yaml, a first issue, assets/ and a README."""
    from . import scaffold

    for path in scaffold.init(folder, name):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {folder} && newsletter preview   (or newsletter build issues/)", err=True)


@main.command("new")
@click.option("--date", "date", metavar="YYYY-MM-DD", default=None,
              help="The new issue's date (default: the latest issue's plus the config's cadence).")
@click.option("--blocks", "block_types", metavar="TYPE,...", default=None,
              help="Start an issue of blocks: one of each type named, in order (e.g. brief,events,links), "
                   "instead of the latest issue's shape.")
def new_command(date: str | None, block_types: str | None) -> None:
    """Write the next issue of the project you are in, shaped like the latest (or with --blocks), with TODO
    placeholders."""
    import datetime

    from . import scaffold

    try:
        day = datetime.date.fromisoformat(date) if date else None
    except ValueError:
        _fail(f"--date takes a date written YYYY-MM-DD, e.g. 2024-05-10, not {date!r}")
    names = [name.strip() for name in block_types.split(",")] if block_types is not None else None
    path = scaffold.new(Path.cwd(), day, names)
    from .config import display_path

    click.echo(display_path(path))


@main.command("docs")
@click.option("--out", default="docs/reference.md", show_default=True, type=click.Path(path_type=Path),
              help="Where to write the reference of the file formats; - for standard output.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="A config whose plugins' block types, rules and platforms to document too (default: the "
                   "nearest newsletter.yaml above the current folder, if any).")
@click.option("--readme", default="README.md", show_default=True, type=click.Path(path_type=Path),
              help="A README whose generated tables (platforms, check rules) to make anew, if it has them.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if --out or the README is not up to date.")
def docs_command(out: Path, readme: Path, check: bool, config_path: Path | None) -> None:
    """Write the reference of the issue, authors and config formats, the template contract, the platforms
    and the check rules, generated from the code (with what the project's plugins add); and the README's
    tables of the last two."""
    from . import reference, write
    from .project import load_project

    config_path = config_path or _nearest_config()
    registry = load_project(config_path).registry if config_path is not None else None
    text = reference.render_reference(registry)
    if str(out) == "-":
        if check:
            _fail("--check compares with a file: name it with --out")
        click.echo(text, nl=False)
        return
    files: dict[Path, str] = {out: text}
    if readme.is_file():
        current = readme.read_text(encoding="utf-8")
        if reference.readme(current) != current or check:
            files[readme] = reference.readme(current)
    if check:
        diff = write.diff_files(files)
        click.echo(diff, nl=False)
        sys.exit(1 if diff else 0)
    write.write_files(files)
    click.echo("wrote " + ", ".join(map(str, files)))


def _nearest_config() -> Path | None:
    """The nearest newsletter.yaml in the current folder or above, if any."""
    from . import config

    try:
        return config.find_config(Path.cwd() / "x")
    except NewsletterError:
        return None


def _default_paths(folder: str, command: str) -> tuple[Path, ...]:
    """The folder a command takes when none is named (issues/ or dist/ here), as preview does."""
    if Path(folder).is_dir():
        return (Path(folder),)
    _fail(f"no {folder}/ here: name the issue files or folders to {command} (newsletter {command} PATHS...), "
          f"or run it in a project's folder")


def _print_errors(report, consequence: str = "") -> None:  # type: ignore[no-untyped-def]
    """Each issue's problems, one per line as ``file:line:col: field: message``, then a summary line; the
    warnings about valid input; the sub-folders that a folder named did not stand for."""
    from .config import display_path
    from .errors import InputError

    for notice in report.notices:
        click.echo(notice, err=True)
    for folder in report.skipped:
        click.echo(f"note: skipped the sub-folder {display_path(folder)}/ (a folder stands for its own issue "
                   f"files only): name it to build it too, e.g. {display_path(folder)}/", err=True)
    for result in [*report.results, *([report.archive] if report.archive is not None else [])]:
        for warning in result.warnings:
            click.echo(warning.as_warning(), err=True)
    failing: dict[str, list] = {}  # a broken config or registry fails every issue that uses it: say so once
    for result in report.results:
        if result.error is not None:
            failing.setdefault(str(result.error), []).append(result)
    for results in failing.values():
        error = results[0].error
        if isinstance(error, InputError):
            for problem in error.problems:
                click.echo(str(problem), err=True)
            sources = [display_path(result.source) for result in results]
            if consequence and sources != [error.problems[0].file]:  # the problem is in another file
                consequence_here = f"; nothing written for {', '.join(sources)}"
            else:
                consequence_here = consequence
            click.echo(f"Error: {_count(len(error.problems), 'problem')} in "
                       f"{error.problems[0].file}{consequence_here}", err=True)
        else:
            click.echo(f"Error: {error.cli_message()}", err=True)


def _counts(findings: list) -> dict[str, int]:  # type: ignore[type-arg]
    errors = sum(finding.severity == "error" for finding in findings)
    return {"errors": errors, "warnings": len(findings) - errors}


def _summary(findings: list) -> str:  # type: ignore[type-arg]
    counts = _counts(findings)
    return f"{_count(counts['errors'], 'error')}, {_count(counts['warnings'], 'warning')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)

