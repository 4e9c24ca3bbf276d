"""Stage 2c, part of loading a project: its plugins, each given the project's registry to add to.

The config's ``plugins:`` names each plugin: a module beside ``newsletter.yaml`` (``quote_of_the_week`` for
``quote_of_the_week.py``, or a package folder of that name), a ``.py`` file relative to the config, the name
of an installed module, or the name of an installed entry point. Every plugin installed with an entry point
in the ``newsletter.plugins`` group is loaded for every project, first. Each must have ``setup(registry)``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from .registry import ENTRY_POINT_GROUP, PluginError, Registry


@lru_cache(maxsize=1)
def _entry_points() -> tuple[Any, ...]:
    """The installed plugins' entry points, sorted by name (read once a process)."""
    from importlib.metadata import entry_points

    return tuple(sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name))


def load(registry: Registry, names: list[str], base: Path, where: Any = None) -> None:
    """Load the installed plugins, then those ``names`` says (relative to the config's folder ``base``), each
    once, into ``registry``. ``where(index)`` is the config's line of the ``index``-th name, for errors."""
    seen: set[str] = set()
    for point in _entry_points():
        _setup(registry, _entry_point_module(point), f"{point.name} (entry point {point.value})", seen)
    for index, name in enumerate(names):
        try:
            module, label = _module(name, base)
        except PluginError as exc:
            raise PluginError(f"{where(index) if where else ''}{exc}") from None
        _setup(registry, module, label, seen, where(index) if where else "")


def _entry_point_module(point: Any) -> Any:
    try:
        return point.load()
    except Exception as exc:  # the plugin's own code failed: say whose, not a traceback of ours
        raise PluginError(f"the installed plugin {point.name} ({point.value}) could not be imported: "
                          f"{type(exc).__name__}: {exc}") from None


def _module(name: str, base: Path) -> tuple[Any, str]:
    """The plugin module ``name`` stands for, and how to name it in messages."""
    installed = {point.name: point for point in _entry_points()}
    if name.endswith(".py") or "/" in name or "\\" in name:
        return _from_file((base / name).resolve(), name), name
    beside = base / f"{name}.py"
    if beside.is_file():
        return _from_file(beside.resolve(), name), f"{name} ({beside.name})"
    if (base / name / "__init__.py").is_file():
        return _from_file((base / name / "__init__.py").resolve(), name), f"{name} ({name}/)"
    if name in installed:
        return _entry_point_module(installed[name]), name
    if not all(part.isidentifier() for part in name.split(".")):
        raise PluginError(f"plugin {name!r} is not a module name, a .py file or an installed plugin")
    try:
        return importlib.import_module(name), name
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise PluginError(f"plugin {name!r} not found: no {name}.py beside the config, no installed module "
                              f"{name}, no entry point {name} in {ENTRY_POINT_GROUP}") from None
        raise PluginError(f"plugin {name} could not be imported: {type(exc).__name__}: {exc}") from None
    except Exception as exc:
        raise PluginError(f"plugin {name} could not be imported: {type(exc).__name__}: {exc}") from None


_FILES: dict[tuple[Path, int, int], ModuleType] = {}  # a plugin file once a process, until it changes


def _from_file(path: Path, name: str) -> ModuleType:
    """A plugin file as a module of a name of its own (two projects' plugins of one name stay apart), read
    again when it changes (the preview reloads a saved plugin)."""
    if not path.is_file():
        raise PluginError(f"plugin {name!r}: file not found: {path}")
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key in _FILES:
        return _FILES[key]
    unique = "newsletter_plugin_" + hashlib.sha256(str(key).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(unique, path, submodule_search_locations=(
        [str(path.parent)] if path.name == "__init__.py" else None))
    if spec is None or spec.loader is None:
        raise PluginError(f"plugin {name!r}: {path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module  # for the dataclasses and pydantic models it defines
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(unique, None)
        raise PluginError(f"plugin {name} ({path.name}) could not be imported: {type(exc).__name__}: "
                          f"{exc}{_line_of(exc, path)}") from None
    _FILES[key] = module
    return module


def _line_of(exc: BaseException, path: Path) -> str:
    traceback = exc.__traceback__
    line = None
    while traceback is not None:
        if Path(traceback.tb_frame.f_code.co_filename) == path:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return f" (line {line})" if line else ""


def _setup(registry: Registry, module: Any, label: str, seen: set[str], where: str = "") -> None:
    key = getattr(module, "__file__", None) or repr(module)
    if key in seen:
        return
    seen.add(key)
    setup = getattr(module, "setup", None) if not callable(module) or isinstance(module, ModuleType) else module
    if not callable(setup):
        raise PluginError(f"{where}plugin {label} has no setup(registry) function")
    try:
        setup(registry)
    except PluginError as exc:
        raise PluginError(f"{where}plugin {label}: {exc}") from None
    except Exception as exc:
        raise PluginError(f"{where}plugin {label}: setup(registry) failed: {type(exc).__name__}: {exc}"
                          f"{_line_of(exc, Path(key)) if isinstance(key, str) else ''}") from None
    registry.plugins.append(label)
    if isinstance(key, str) and Path(key).is_file():
        registry.plugin_files.append(key)
