"""The ``newsletter`` command: a thin layer over :func:`newsletter.build`.

Heavy libraries are imported inside the commands, so ``newsletter --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import NewsletterError


class _Commands(click.Group):
    """Prints every user-caused error as ``Error: ...`` and exits 1; anything else is a bug, with a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except NewsletterError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsletter")
def main() -> None:
    """Turn YAML issue definitions into production-ready emails: HTML, plain text and MJML."""


@main.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", default="dist", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write X.html, X.txt and X.mjml into.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="The publication's config (default: the nearest newsletter.yaml above each issue).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 with a unified diff if the files in --out differ from a fresh build.")
def build_command(paths: tuple[Path, ...], out: Path, config_path: Path | None, check: bool) -> None:
    """Build each issue file (or every issue in a folder) PATHS into --out."""
    from .pipeline import build
    from .errors import InputError

    report = build(list(paths), out=out, config_path=config_path, check=check)
    if not report.results:
        _fail("no issue files (*.yaml) found in " + ", ".join(map(str, paths)))
    shown: list[Exception] = []  # a broken config fails every issue that uses it: say so once
    for result in report.results:
        if result.error is not None:
            if any(result.error is error for error in shown):
                continue
            shown.append(result.error)
            if isinstance(result.error, InputError):
                for problem in result.error.problems:
                    click.echo(str(problem), err=True)
                click.echo(f"Error: {_count(len(result.error.problems), 'problem')} in "
                           f"{result.error.problems[0].file}; nothing written for it", err=True)
            else:
                click.echo(f"Error: {result.error}", err=True)
        elif check and result.diff:
            click.echo(result.diff, nl=False)
        elif not check:
            click.echo("wrote " + ", ".join(str(p) for p in result.written))
    failed = sum(result.error is not None for result in report.results)
    differing = sum(bool(result.diff) for result in report.results)
    if check and not failed:
        if differing:
            click.echo(f"{_count(differing, 'issue')} would change in {out}", err=True)
        else:
            click.echo(f"{_count(len(report.results), 'issue')} up to date in {out}", err=True)
    sys.exit(0 if report.ok else 1)


@main.command("docs")
@click.option("--out", default="docs/reference.md", show_default=True, type=click.Path(path_type=Path),
              help="Where to write the reference of the file formats.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if --out is not up to date.")
def docs_command(out: Path, check: bool) -> None:
    """Write the reference of the issue, authors and config formats, generated from the models."""
    from . import reference, write

    files = {out: reference.render_reference()}
    if check:
        diff = write.diff_files(files)
        click.echo(diff, nl=False)
        sys.exit(1 if diff else 0)
    write.write_files(files)
    click.echo(f"wrote {out}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _fail(message: str) -> None:
    raise click.ClickException(message)

