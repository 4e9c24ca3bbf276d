"""Stage 2c: load a project, and resolve what validation leaves to a stage of its own.

A project is its config, with its plugins loaded into a registry of its own (block types, rules, platforms,
labels), its authors registry, and its template folder. The models only check the form of what a file
holds; here the rest is resolved against the world, still with file:line errors: the platform and the
checks' rules and clients against the project's registry, and pictures given as files (a path instead of a
URL) read, checked and published under ``asset_url`` (``images``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel

from . import load, plugins, validate
from .config import AUTHORS_NAME, CONFIG_NAME, DEFAULT_SETTINGS, display_path, find_config
from .errors import ConfigNotFound, InputError, Problem
from .models import Author, AuthorRegistry, Config, ImageSource, is_hosted
from .registry import PluginError, Registry

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Project:
    """A loaded config, with the registry of kinds, the authors and the template folder it points to."""

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
    registry: Registry = field(default_factory=Registry.builtin)

    def validation_context(self, issue_path: Path) -> dict[str, Any]:
        """What validating an issue of this project needs: its authors, block types and platforms."""
        return {"authors": self.authors, "authors_source": display_path(self.authors_path),
                "block_types": self.registry.block_types, "platforms": self.registry.platforms}


def default_project(issue_path: Path) -> Project:
    """The built-in defaults, for an issue with no config in its folder or above (`newsletter init` makes one)."""
    folder = issue_path.resolve().parent
    registry = Registry.builtin()
    plugins.load(registry, [], folder)
    return Project(Config.model_validate(DEFAULT_SETTINGS), folder / CONFIG_NAME, None, folder / AUTHORS_NAME,
                   None, default=True, registry=registry)


def find_project(issue_path: Path) -> Project:
    """The project of the issue at ``issue_path``: its nearest config, or the built-in defaults."""
    try:
        return load_project(find_config(issue_path))
    except ConfigNotFound:
        return default_project(issue_path)


def load_project(config_path: Path) -> Project:
    """Load the config at ``config_path``, its plugins and the authors registry it names."""
    document = load.load(config_path, display_path(config_path))
    base = config_path.resolve().parent
    registry = _registry(document, base)
    config = validate.validate(document, Config, {"platforms": registry.platforms})
    _check_settings(document, config, registry)
    config, warnings = resolve_pictures(config, document, base, base, config)
    authors_path = base / (config.authors or AUTHORS_NAME)
    authors = None
    registry_document = None
    if authors_path.is_file() or config.authors:
        registry_document = load.load(authors_path, display_path(authors_path))
        if registry_document.data is None:
            registry_document.data = {}
        registry_model = validated(registry_document, AuthorRegistry, {}, authors_path.parent, base)
        registry_model, more = resolve_pictures(registry_model, registry_document, authors_path.parent, base, config)
        authors, warnings = registry_model.root, warnings + more
    templates_dir = base / config.templates if config.templates else None
    if templates_dir is not None and not templates_dir.is_dir():
        message = f"folder {display_path(templates_dir)} does not exist"
        raise InputError([document.problem(("templates",), message)])
    return Project(config, config_path, authors, authors_path, templates_dir, warnings=tuple(warnings),
                   document=document, authors_document=registry_document, registry=registry)


def _registry(document: load.Document, base: Path) -> Registry:
    """The project's registry: the built-in kinds, the installed plugins', and those ``plugins:`` names. Read
    from the file before the config is validated: the plugins may add the platform it names."""
    registry = Registry.builtin()
    data = document.data if isinstance(document.data, dict) else {}
    names = data.get("plugins") or []
    names = [name for name in names if isinstance(name, str)] if isinstance(names, list) else []

    def where(index: int) -> str:
        line, column = document.mark(("plugins", index))
        return f"{document.path}:{line}:{column}: plugins[{index}]: "

    try:
        plugins.load(registry, names, base, where)
    except PluginError as exc:
        raise InputError([_problem_of(exc, document)]) from None
    return registry


def _problem_of(error: PluginError, document: load.Document) -> Problem:
    """A plugin's error as a problem of the config: at the plugin's line when the message names it."""
    import re

    found = re.match(r"^(.*?):(\d+):(\d+): (plugins\[\d+\]): (.*)$", str(error), re.S)
    if found:
        return Problem(found.group(1), int(found.group(2)), int(found.group(3)), found.group(4), found.group(5))
    line, column = document.mark(("plugins",))
    return Problem(document.path, line, column, "plugins", str(error))


def _check_settings(document: load.Document, config: Config, registry: Registry) -> None:
    """The ``checks:`` settings against the project's rules and caniemail's clients."""
    written = document.data.get("checks") if isinstance(document.data, dict) else None
    if not isinstance(written, dict) or not ({"ignore", "clients"} & set(written)):
        return  # the defaults are valid
    from . import checks

    problems = checks.settings_problems(config.checks.ignore, config.checks.clients, registry.rules)
    if problems:
        raise InputError([document.problem(("checks", name, index), message) for name, index, message in problems])


# --- Pictures given as files ----------------------------------------------------------------------------------

def resolve_pictures(model: Any, document: load.Document, base: Path, root: Path, config: Config) -> \
        tuple[Any, list[Problem]]:
    """``model`` with each picture given as a file (relative to ``base``, inside the project's ``root``) read,
    checked and given its public address under ``asset_url`` (or ``archive_url``), its size and its bytes; and
    the warnings about them, at their lines. Every problem of the file is reported at once."""
    found = list(_pictures(model, ()))
    if not found:
        return model, []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    resolved: dict[tuple[Any, ...], ImageSource] = {}
    for loc, value in found:
        try:
            resolved[loc], said = _picture(value, base, root, config)
        except _Refused as refused:
            problems.append(document.problem(loc, str(refused)))
            continue
        warnings += [document.problem(loc, f"{value} {warning}") for warning in said]
    if problems:
        raise InputError([*document.problems, *problems])
    return _replaced(model, (), resolved), warnings


class _Refused(Exception):
    pass


def validated(document: load.Document, model: type[M], context: dict[str, Any], base: Path, root: Path) -> M:
    """``document`` validated as ``model``; when it is not valid, the error lists its pictures' problems too
    (a missing file), relative to ``base`` inside ``root``, not only once the other errors are fixed."""
    try:
        return validate.validate(document, model, context)
    except InputError as exc:
        more = _picture_problems(document, model, context, base, root)
        if not more:
            raise
        raise InputError([*exc.problems, *more]) from None


def _picture_problems(document: load.Document, model: type[BaseModel], context: dict[str, Any], base: Path,
                     root: Path) -> list[Problem]:
    """For a ``document`` that failed validation as ``model``: the problems of its pictures given as files in
    each part that is valid on its own (a field, else each item of a list), so that a missing picture is said
    with the validation errors instead of once they are fixed."""
    from pydantic import ValidationError

    data = document.data
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if name == "root":  # a registry: a mapping of ids, each part valid alone or not
            import typing

            value_type = typing.get_args(info.annotation)[-1] if typing.get_origin(info.annotation) is dict else None
            if value_type is not None:
                problems += _part_pictures(document, [((id_,), value_type, raw) for id_, raw in data.items()],
                                           context, base, root)
            continue
        if key not in data:
            continue
        annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        parts: list[tuple[tuple[Any, ...], Any, Any]] = [((key,), annotation, data[key])]
        item = _item_type(info.annotation)
        if item is not None and isinstance(data[key], list):
            try:
                _adapter(annotation).validate_python(data[key], context=context)
            except ValidationError:  # the list as a whole fails: each item that is valid alone still counts
                parts = [((key, index), item, value) for index, value in enumerate(data[key])]
        problems += _part_pictures(document, parts, context, base, root)
    return problems


def _part_pictures(document: load.Document, parts: list[tuple[tuple[Any, ...], Any, Any]], context: dict[str, Any],
                   base: Path, root: Path) -> list[Problem]:
    """The picture problems of each ``(loc, type, raw value)`` part that validates as its type alone."""
    from pydantic import ValidationError

    problems = []
    for loc, kind, raw in parts:
        try:
            value = _adapter(kind).validate_python(raw, context=context)
        except ValidationError:  # invalid: validation has said so
            continue
        for where, path in _pictures(value, loc):
            if any(where[: len(refused)] == refused for refused in document.refused):
                continue  # the loader refused it (a tag, a duplicate key): what it holds is not the writer's
            try:  # only whether the file is there: reading the picture waits for a valid document
                _picture_path(path, base, root)
            except _Refused as refused:
                problems.append(document.problem(where, str(refused)))
    return problems


@lru_cache(maxsize=64)
def _adapter(kind: Any) -> Any:
    """A validator for ``kind``, made once: making one builds its schema (12 ms an invalid issue, at each of the
    preview's saves, before it was kept)."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def _item_type(annotation: Any) -> Any:
    """The item type of a ``list[X]`` or ``list[X] | None`` annotation; None for any other."""
    import typing

    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0]
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is list:
            return typing.get_args(arg)[0]
    return None


def _pictures(value: Any, loc: tuple[Any, ...]) -> Any:
    """``(loc, path)`` of each picture given as a file in a validated model, not yet resolved."""
    if isinstance(value, BaseModel):
        for name, picture in _plan(type(value)):
            inner = getattr(value, name)
            if picture and isinstance(inner, str):
                if not isinstance(inner, ImageSource) and not is_hosted(inner):
                    yield (*loc, name), inner
            else:
                yield from _pictures(inner, (*loc, name) if name != "root" else loc)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _pictures(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _pictures(item, (*loc, key))


@lru_cache(maxsize=256)
def _plan(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """The fields of ``model`` a walk for pictures visits: ``(name, True)`` for a picture's own field, ``(name,
    False)`` for one that may hold a model (a nested model, a list of them, a block); the others (texts, dates,
    URLs), which are most of an issue, are passed over. Once a model class."""
    plan = []
    for name, info in model.model_fields.items():
        if _is_picture_field(info):
            plan.append((name, True))
        elif _may_hold_models(info.annotation):
            plan.append((name, False))
    return tuple(plan)


def _may_hold_models(annotation: Any) -> bool:
    import typing

    if annotation is Any or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return True
    return any(_may_hold_models(arg) for arg in typing.get_args(annotation) if not isinstance(arg, (str, int)))


def _is_picture_field(info: Any) -> bool:
    """Whether a field holds a picture: its metadata, or that of an ``Annotated`` member of its type (``ImageRef
    | None``), carries the picture validator."""
    import typing

    return _marks_picture(info.metadata) or any(
        typing.get_origin(arg) is typing.Annotated and _marks_picture(typing.get_args(arg)[1:])
        for arg in typing.get_args(info.annotation))


def _marks_picture(metadata: Any) -> bool:
    from pydantic import AfterValidator

    from .models import _image_source

    return any(isinstance(item, AfterValidator) and item.func is _image_source for item in metadata)


def _replaced(value: Any, loc: tuple[Any, ...], resolved: dict[tuple[Any, ...], ImageSource]) -> Any:
    """``value`` with the pictures at the locations of ``resolved`` replaced, the rest shared as it is."""
    if not any(key[: len(loc)] == loc for key in resolved):
        return value
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            here = (*loc, name) if name != "root" else loc
            if here in resolved and name != "root":
                updates[name] = resolved[here]
            else:
                inner = getattr(value, name)
                new = _replaced(inner, here, resolved)
                if new is not inner:
                    updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, list):
        return [_replaced(item, (*loc, index), resolved) for index, item in enumerate(value)]
    if isinstance(value, tuple):
        return tuple(_replaced(item, (*loc, index), resolved) for index, item in enumerate(value))
    if isinstance(value, dict):
        return {key: _replaced(item, (*loc, key), resolved) for key, item in value.items()}
    return value


def _picture_path(value: str, base: Path, root: Path) -> Path:
    """The file a picture's ``value`` names, if it is one inside the project; else why not (``_Refused``)."""
    try:
        path = (base / value).resolve()
        if Path(value).is_absolute() or not path.is_relative_to(root.resolve()):
            # Whatever a build copies to assets/ gets published: only the project's own files may be.
            raise _Refused(f"{value} is outside the project's folder: keep pictures in it (assets/) and name them "
                           "relative to the file that names them")
        if path.is_dir():
            raise _Refused(f"{value} is a folder, not a picture: name the picture's file in it")
        if not path.is_file():
            raise _Refused(f"file not found: {value} (a path is relative to the file that names it)")
    except OSError as exc:  # a name too long for the system, a folder it may not look in
        raise _Refused(f"cannot read {value}: {exc.strerror or exc}") from None
    return path


def _picture(value: str, base: Path, root: Path, config: Config) -> tuple[ImageSource, tuple[str, ...]]:
    from . import images  # Pillow, only for pictures given as files

    path = _picture_path(value, base, root)
    asset_url = config.asset_url or config.archive_url
    if not asset_url:
        raise _Refused("a picture given as a file needs the address where the output folder is published: set "
                       "asset_url (or archive_url) in newsletter.yaml, e.g. asset_url: https://example.org/newsletter/")
    try:
        prepared = images.prepare(path, config.images.max_width)
    except images.NotAnImage as exc:
        raise _Refused(f"{value} {exc}") from None
    except OSError as exc:
        raise _Refused(f"cannot read {value}: {exc.strerror or exc}") from None
    source = ImageSource(f"{str(asset_url).rstrip('/')}/assets/{prepared.name}")
    source.width, source.height, source.asset = prepared.width, prepared.height, prepared
    return source, prepared.warnings
