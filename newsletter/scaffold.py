"""``newsletter init`` and ``newsletter new``: a project of one's own, and the next issue of it.

The config that ``init`` writes is generated from the models, like the reference: every field is there,
set or commented out, under its own description, so it cannot fall behind what the format accepts.
"""

from __future__ import annotations

import calendar
import datetime
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from . import config, load, models, write
from .errors import NewsletterError, ProjectError

# The marker of text still to write: the loader warns where it stands; the `placeholder` check finds it in
# what was built.
PLACEHOLDER, PLACEHOLDER_URL = load.PLACEHOLDER, load.PLACEHOLDER_URL



# Examples for the fields that have no default, written commented out (dotted paths for nested models).
_EXAMPLES: dict[str, Any] = {
    "website": "https://example.org",
    "logo.src": "assets/logo.png",
    "logo.alt": "{name}",
    "sender.name": "{name}",
    "sender.address": "newsletter@example.org",
    "sender.postal_address": "1 Example Street, Example City",
    "unsubscribe_url": "https://example.org/unsubscribe",
    "archive_url": "https://example.org/newsletter/",
    "asset_url": "https://example.org/newsletter/",
    "utm.source": "newsletter",
    "authors": "authors.yaml",
    "templates": "templates",
    "social": [{"label": "LinkedIn", "url": "https://www.linkedin.com/company/example"}],
    "checks.ignore": ["subject-length"],
    "checks.clients": ["apple-mail", "gmail", "outlook-windows", "outlook-com", "yahoo"],
    "translations": {"fr": {"labels": {"contents": "Sommaire", "follow_on_twitter": "Suivre sur Twitter"},
                            "disclaimer": "Vous recevez cette lettre parce que vous y êtes abonné."}},
    "images.max_width": 1200,
}


def config_text(name: str) -> str:
    """The ``newsletter.yaml`` of a new publication called ``name``."""
    name_line = _one_line(name)
    lines = [
        f"# {name_line}: the publication's settings. Each field is described above it; a line starting with # is",
        "# not set (its default applies), and shows the default or, where there is none, an example: remove the #",
        "# to set it. The whole format: `newsletter docs --out -`.",
        "",
    ]
    # No unsubscribe link of its own: the footer adds the platform's (or unsubscribe_url), and leaves it out
    # of the web edition; a link to example.org here passed the unsubscribe check in every new project.
    settings = {"name": name, "disclaimer": f"You receive {name} because you subscribed to it; the link below "
                                            "unsubscribes you at any time."}
    lines += _model_lines(models.Config, settings, "", "", name_line)
    return "\n".join(lines) + "\n"


def _model_lines(model: type[BaseModel], values: dict[str, Any], indent: str, prefix: str, name: str,
                 commented: bool = True) -> list[str]:
    """Each field under its description: set (``values``), or commented out with its default or an example;
    a nested model's fields follow its name, ready to uncomment together."""
    mark = "# " if commented else ""
    lines: list[str] = []
    for field, info in model.model_fields.items():
        path = f"{prefix}{field}"
        lines.append(f"{indent}# {info.description}")
        inner = _inner_model(info.annotation)
        if field in values:
            lines.append(f"{indent}{field}: {_scalar(values[field])}")
        elif inner is not None and path not in _EXAMPLES:
            lines.append(f"{indent}{mark}{field}:")
            lines += [f"{indent}{mark}  {line}" for line in _model_lines(inner, {}, "", f"{path}.", name, False) if line]
        else:
            value = _EXAMPLES.get(path, _default(info))
            if isinstance(value, str):
                value = value.replace("{name}", name)
            lines.append(f"{indent}{mark}{field}: {_scalar(value)}")
        lines.append("")
    return lines[:-1] if indent else lines


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _default(info: Any) -> Any:
    if info.default_factory is not None:
        return info.default_factory()
    return None if info.default is PydanticUndefined else info.default


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip().removesuffix(
        "\n...").removesuffix("...").strip()


AUTHORS_TEXT = """\
# The people who write for the publication, each under an id that issues name in `authors:`.
# Fields: name, role, twitter, photo (a square headshot: a URL or a file beside this one), url (a profile).
jane-doe:
  name: "Jane Doe"
  role: "Editor"
"""

README_TEXT = """\
# {name}

Each issue of {name} is a YAML file in `issues/`; `newsletter` turns it into the email, its plain text
and a web edition.

    newsletter new                 # the next issue, issues/YYYY-MM-DD.yaml: replace each TODO
    newsletter preview             # see it in a browser as you write; it refreshes on every save
    newsletter build issues/       # dist/: the email (X.html), its plain text, the web edition, the archive
    newsletter check dist/         # what to fix before sending

`newsletter.yaml` holds the publication's settings (name, colours, sender, platform), `authors.yaml` the
writers, `assets/` the pictures an issue names by path. The whole format: `newsletter docs --out -`.
"""


def first_issue(name: str, date: datetime.date) -> str:
    """The first issue of ``name``, written as YAML by PyYAML: any name, quotes and all, stays one value."""
    issue = {
        "subject": f"Welcome to {name}",
        "preheader": f"What {name} is for, who writes it, and what comes next week.",
        "date": date,
        "briefs": [{
            "title": f"Why we are starting {name}",
            "authors": ["jane-doe"],
            "key_points": ["One sentence a busy reader should keep."],
            "body": "A first paragraph. Paragraphs are separated by a blank line, and take *emphasis*,\n"
                    f"**strong** words and [links]({PLACEHOLDER_URL}).\n\n- a list\n- of points\n",
        }],
    }
    return f"# The first issue of {_one_line(name)}. The whole format: `newsletter docs --out -`.\n" + dump(issue)


def _one_line(text: str) -> str:
    """``text`` fit for a comment line: a line break would end the comment and start YAML."""
    return " ".join(text.split())


class _Dumper(yaml.SafeDumper):
    """YAML as a person writes it: no &anchors for values that happen to be the same object, bodies as |."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def init(folder: Path, name: str | None = None, today: datetime.date | None = None) -> list[Path]:
    """Make a new project in ``folder``; refuses to overwrite any file. Returns the files written."""
    name = " ".join((name or folder.resolve().name.replace("-", " ").replace("_", " ").title()).split()) or "Newsletter"
    date = today or datetime.date.today()
    files: dict[Path, str] = {
        folder / config.CONFIG_NAME: config_text(name),
        folder / config.AUTHORS_NAME: AUTHORS_TEXT,
        folder / "issues" / f"{date.isoformat()}.yaml": first_issue(name, date),
        folder / "README.md": README_TEXT.replace("{name}", name),
    }
    existing = [path for path in files if path.exists()]
    if (folder / "assets").exists() and not (folder / "assets").is_dir():
        existing.append(folder / "assets")
    if existing:
        raise ProjectError("not overwriting " + ", ".join(config.display_path(p) for p in existing)
                           + ": init makes a new project; choose an empty folder")
    written = write.write_files(files)
    (folder / "assets").mkdir(exist_ok=True)
    return written


_STEPS = {"weekly": 7, "biweekly": 14}


def next_date(latest: datetime.date, cadence: str) -> datetime.date:
    if cadence in _STEPS:
        return latest + datetime.timedelta(days=_STEPS[cadence])
    year, month = (latest.year + 1, 1) if latest.month == 12 else (latest.year, latest.month + 1)
    return latest.replace(year=year, month=month, day=min(latest.day, calendar.monthrange(year, month)[1]))


def new(start: Path, date: datetime.date | None = None, block_types: list[str] | None = None) -> Path:
    """Write the next issue of the project ``start`` is in; returns its path. With ``block_types``, an issue of
    ``blocks:`` holding one block of each type named, in that order, instead of the latest issue's shape."""
    try:
        config_path = config.find_config(start / "x")
    except NewsletterError:
        raise ProjectError(f"no {config.CONFIG_NAME} in {config.display_path(start)} or above: run new inside "
                           "a project (`newsletter init DIR` makes one)") from None
    from .project import load_project

    project = load_project(config_path)
    issues = config_path.parent / "issues"
    latest_path, latest_data, latest_date = _latest(issues)
    if date is None:
        date = next_date(latest_date, project.config.cadence) if latest_date else datetime.date.today()
    path = issues / f"{date.isoformat()}.yaml"
    if path.exists():
        raise ProjectError(f"{config.display_path(path)} is already there: edit it, or pass another date")
    if block_types is not None:
        data = _blocks_issue(block_types, date, project)
        shape = "with blocks of " + ", ".join(block_types)
    else:
        data = placeholders(latest_data, date) if latest_data else yaml.safe_load(first_issue(project.config.name,
                                                                                             date))
        shape = f"shaped like {latest_path.name if latest_path else 'a first one'}"
    header = (f"# The issue of {date.isoformat()}, {shape}: replace each {PLACEHOLDER} (build warns where one is "
              "left). The whole format: `newsletter docs --out -`.\n")
    write.write_files({path: header + dump(data)})
    return path


def _blocks_issue(names: list[str], date: datetime.date, project: Any) -> dict[str, Any]:
    """An issue whose ``blocks:`` hold one block of each of ``names`` (the project's block types, plugins'
    too), each with the fields its model requires, as placeholders."""
    import difflib

    types = project.registry.block_types
    unknown = [name for name in names if name and name not in types]
    if unknown or not names or "" in names:
        close = difflib.get_close_matches(unknown[0].lower(), list(types), n=1) if unknown else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        said = f"{', '.join(map(repr, unknown))} is not a block type{hint}" if unknown else "a type is missing"
        raise ProjectError(f"--blocks: {said}; choose among {', '.join(types)} (comma-separated, in the order "
                           "they should come)")
    authors = list(project.authors)
    data: dict[str, Any] = {"subject": f"{PLACEHOLDER} {_WORDS['subject']}",
                            "preheader": f"{PLACEHOLDER} {_WORDS['preheader']}", "date": date, "blocks": []}
    for name in names:
        data["blocks"].append({"type": name, **_required(types[name].model, date, authors)})
    return data


def _required(model: type[BaseModel], date: datetime.date, authors: list[str]) -> dict[str, Any]:
    """The fields ``model`` requires, each as a placeholder of its kind (a date, a list of one, a mapping)."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "type" or not info.is_required():
            continue
        values[name] = _placeholder_for(name, info.annotation, date, authors)
    return values


def _placeholder_for(name: str, annotation: Any, date: datetime.date, authors: list[str]) -> Any:


    if name == "authors":
        return authors[:1] or [{"name": f"{PLACEHOLDER} the author's name"}]
    if name in ("image", "photo", "src"):  # a picture: an address that validates, and that build warns about
        return PLACEHOLDER_URL
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _placeholder_for(name, args[0], date, authors)
    if origin in (list, tuple):
        return [_placeholder_for(name, args[0] if args else str, date, authors)]
    if annotation is datetime.date:
        return date
    if origin is typing.Literal:  # one of a few words: the first, which the writer may change
        return args[0]
    if annotation is bool:
        return False
    if annotation in (int, float):
        return 0
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _required(annotation, date, authors)
    return placeholders("text", date, name)


def _latest(issues: Path) -> tuple[Path | None, dict | None, datetime.date | None]:  # type: ignore[type-arg]
    """The latest issue in ``issues``: by its date, else by its file name."""
    found: list[tuple[datetime.date, str, Path, dict]] = []  # type: ignore[type-arg]
    for path in sorted(issues.glob("*.y*ml")) if issues.is_dir() else []:
        try:
            data = load.load(path, config.display_path(path)).data
        except NewsletterError:
            continue  # a broken issue is no model for the next one
        if isinstance(data, dict):
            issue_date = data.get("date") if isinstance(data.get("date"), datetime.date) else None
            found.append((issue_date or datetime.date.min, path.name, path, data))
    if not found:
        return None, None, None
    issue_date, _, path, data = max(found, key=lambda item: (item[0], item[1]))
    return path, data, None if issue_date == datetime.date.min else issue_date


# Kept as they are: who writes, what kind of block, which language, and pictures (a placeholder image would
# not load).
_KEEP = {"authors", "type", "lang", "image", "photo", "src"}
_URLS = {"url", "link", "website"}


def placeholders(data: Any, date: datetime.date, key: str = "") -> Any:
    """``data`` (an issue) with every text to write replaced by a placeholder, the same shape kept."""
    if isinstance(data, dict):
        return {k: date if k == "date" else v if k in _KEEP else placeholders(v, date, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [placeholders(item, date, key) for item in data]
    if isinstance(data, str):
        if key in _URLS:
            return PLACEHOLDER_URL
        return f"{PLACEHOLDER} {_WORDS.get(key, 'write ' + key.replace('_', ' '))}"
    return data


_WORDS = {
    "subject": "the subject line",
    "preheader": "the inbox preview text, 40 characters or more",
    "title": "the title",
    "key_points": "a key point",
    "body": "write the text",
    "alt": "describe the picture",
    "credit": "the photo credit",
    "caption": "the caption",
    "label": "the button's words",
    "source": "where it is published",
    "note": "why it is worth reading",
    "time": "the time",
    "location": "the place",
}
