"""Checks of the values a library caller passes: each wrong one is an :class:`ArgumentError` that names the
argument as Python spells it (``config_path=``), the value, and what is allowed. The CLI's options are
checked by click before they get here."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, overload

from .errors import ArgumentError


@overload
def path(name: str, value: Any, *, optional: Literal[False] = False) -> Path: ...


@overload
def path(name: str, value: Any, *, optional: bool) -> Path | None: ...


def path(name: str, value: Any, *, optional: bool = False) -> Path | None:
    """``value`` as a Path; None only when ``optional``. An empty string is no path at all."""
    if value is None and optional:
        return None
    if not isinstance(value, (str, Path)) or str(value) == "":
        allowed = "a str or pathlib.Path" + (", or None" if optional else "")
        raise ArgumentError(f"{name}={value!r} must be a path ({allowed}), not {_kind(value)}")
    return Path(value)


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ArgumentError(f"{name}={value!r} must be True or False")
    return value


def whole(name: str, value: Any, low: int, high: int | None = None, unit: str = "") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ArgumentError(f"{name}={value!r} must be a whole number {bounds}{unit}")
    return value


def number(name: str, value: Any, *, above: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > above:
        raise ArgumentError(f"{name}={value!r} must be a number greater than {above:g}")
    return float(value)


def text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ArgumentError(f"{name}={value!r} must be a str, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"
