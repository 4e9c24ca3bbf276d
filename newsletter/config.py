"""Stage 1b: find and load the publication's config and its authors registry.

A project is a folder holding ``newsletter.yaml`` (the config), ``authors.yaml`` (the registry) and
``issues/``. For an issue, the config is the nearest ``newsletter.yaml`` in its folder or above, the way git
finds ``.git``; ``--config`` names another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import load, validate
from .errors import ConfigNotFound, InputError, Problem
from .models import Author, AuthorRegistry, Config

CONFIG_NAME = "newsletter.yaml"
AUTHORS_NAME = "authors.yaml"


@dataclass(frozen=True)
class Project:
    """A loaded config, with the registry and template folder it points to."""

    config: Config
    config_path: Path
    authors: dict[str, Author] | None
    authors_path: Path
    templates_dir: Path | None
    default: bool = False  # the built-in defaults: no newsletter.yaml was found
    warnings: tuple[Problem, ...] = ()  # about the config's and the registry's pictures given as files
    # The files as loaded, with every value's place: the checks name them in their findings.
    document: load.Document | None = None
    authors_document: load.Document | None = None


# What a folder of issues without a newsletter.yaml is built with: neutral words, no sender, no links.
DEFAULT_SETTINGS = {
    "name": "Newsletter",
    "disclaimer": "You receive this email because you subscribed to it.",
}


def default_project(issue_path: Path) -> Project:
    """The built-in defaults, for an issue with no config in its folder or above (`newsletter init` makes one)."""
    folder = issue_path.resolve().parent
    return Project(Config.model_validate(DEFAULT_SETTINGS), folder / CONFIG_NAME, None, folder / AUTHORS_NAME,
                   None, default=True)


def default_notice(where: Path) -> str:
    return (f"no {CONFIG_NAME} in {display_path(where)} or above: using the built-in defaults "
            f"(`newsletter init DIR` starts a project of your own)")


def find_project(issue_path: Path) -> Project:
    """The project of the issue at ``issue_path``: its nearest config, or the built-in defaults."""
    try:
        return load_project(find_config(issue_path))
    except ConfigNotFound:
        return default_project(issue_path)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, as a user would type it."""
    absolute, here = os.path.abspath(path), os.getcwd()
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, here)
    return str(path)


def find_config(issue_path: Path) -> Path:
    """The nearest ``newsletter.yaml`` in the issue's folder or a folder above it."""
    for folder in issue_path.resolve().parents:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    where = f"{display_path(issue_path)}: no {CONFIG_NAME} found in its folder or above"
    raise ConfigNotFound(f"{where}; pass config_path=", cli=f"{where}; pass --config FILE")


def load_settings(config_path: Path) -> Config:
    """The config at ``config_path`` alone: not its registry, templates or pictures (what `check` needs)."""
    document = load.load(config_path, display_path(config_path))
    config = validate.validate(document, Config, {"base": config_path.resolve().parent, "asset_url": "-"})
    _check_settings(document, config)
    return config


def _check_settings(document: load.Document, config: Config) -> None:
    """The ``checks:`` settings against the rules and clients there are: a stage after validation, since
    the rules are the checks' registry, which the models do not import."""
    written = document.data.get("checks") if isinstance(document.data, dict) else None
    if not isinstance(written, dict) or not ({"ignore", "clients"} & set(written)):
        return  # the defaults are valid
    from . import checks

    problems = checks.settings_problems(config.checks.ignore, config.checks.clients)
    if problems:
        raise InputError([document.problem(("checks", name, index), message) for name, index, message in problems])


def load_project(config_path: Path) -> Project:
    """Load and validate the config at ``config_path`` and the authors registry it names."""
    document = load.load(config_path, display_path(config_path))
    base = config_path.resolve().parent
    config_context: dict = {"base": base}  # type: ignore[type-arg]
    config = validate.validate(document, Config, config_context)
    _check_settings(document, config)
    warnings = image_warnings(document, config_context)
    authors_path = base / (config.authors or AUTHORS_NAME)
    authors = None
    registry_document = None
    if authors_path.is_file() or config.authors:
        registry_document = load.load(authors_path, display_path(authors_path))
        if registry_document.data is None:
            registry_document.data = {}
        context = {"base": authors_path.parent, "root": base, "asset_url": config.asset_url or config.archive_url,
                   "max_width": config.images.max_width}
        authors = validate.validate(registry_document, AuthorRegistry, context).root
        warnings += image_warnings(registry_document, context)
    templates_dir = base / config.templates if config.templates else None
    if templates_dir is not None and not templates_dir.is_dir():
        message = f"folder {display_path(templates_dir)} does not exist"
        raise InputError([document.problem(("templates",), message)])
    return Project(config, config_path, authors, authors_path, templates_dir, warnings=tuple(warnings),
                   document=document, authors_document=registry_document)


def image_warnings(document: load.Document, context: dict) -> list[Problem]:  # type: ignore[type-arg]
    """The warnings about pictures given as files that validating ``document`` left in ``context``, each at
    the line where its path is written."""
    found = []
    for typed, message in context.get("image_warnings", []):
        line, column = document.find(typed, (1, 1)) or (1, 1)
        found.append(Problem(document.path, line, column, "", message))
    return found
