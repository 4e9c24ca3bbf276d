"""Stage 1b: find the publication's config, and say where a file is as a user would type it.

A project is a folder holding ``newsletter.yaml`` (the config), ``authors.yaml`` (the registry) and
``issues/``. For an issue, the config is the nearest ``newsletter.yaml`` in its folder or above, the way git
finds ``.git``; ``--config`` names another. ``newsletter.project`` loads it (stage 2c).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigNotFound

CONFIG_NAME = "newsletter.yaml"
AUTHORS_NAME = "authors.yaml"


# What a folder of issues without a newsletter.yaml is built with: neutral words, no sender, no links.
DEFAULT_SETTINGS = {
    "name": "Newsletter",
    "disclaimer": "You receive this email because you subscribed to it.",
}


def default_notice(where: Path) -> str:
    return (f"no {CONFIG_NAME} in {display_path(where)} or above: using the built-in defaults "
            f"(`newsletter init DIR` starts a project of your own)")


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
