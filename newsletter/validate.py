"""Stage 2b: validate a loaded document against a model, turning pydantic's errors into ``file:line:col`` problems.

Every error in the file is reported at once. Messages never echo input values: printing the input of an
alias bomb would hang, and the positions already say where the value is.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem
from .load import Document, format_loc

M = TypeVar("M", bound=BaseModel)


def validate(document: Document, model: type[M], context: dict[str, Any] | None = None) -> M:
    """``document``'s data as ``model``, or an :class:`InputError` listing every problem with its position."""
    if not isinstance(document.data, dict):
        fields = ", ".join(_fields(model)) or "ids"
        found = "an empty file" if document.data is None else f"a {type(document.data).__name__}"
        raise InputError([*document.problems, document.problem((), f"expected a mapping of fields ({fields}), found {found}")])
    problems = list(document.problems)
    try:
        result = model.model_validate(document.data, context=context)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            loc = _data_path(document.data, error["loc"])
            if any(loc[: len(refused)] == refused for refused in document.refused):
                continue
            if error["type"] == "unsafe_link":
                problems.extend(_link_problems(document, loc, error["ctx"]["links"]))
            else:
                problems.append(_problem(document, model, error, loc))
    if problems:
        raise InputError(problems)
    return result


def _problem(document: Document, model: type[BaseModel], error: Any, loc: tuple[Any, ...]) -> Problem:
    kind = error["type"]
    if kind == "extra_forbidden":
        return document.problem(loc, _unknown_field_message(model, loc), key=True)
    if kind == "missing":
        line, column = document.mark(loc[:-1])
        return Problem(document.path, line, column, format_loc(loc), "required field is missing")
    if error["loc"] and error["loc"][-1] == "[key]":
        return document.problem(loc, f"not a valid id: {error['msg']}", key=True)
    return document.problem(loc, error["msg"])


def _link_problems(document: Document, loc: tuple[Any, ...], links: list[tuple[str, str]]) -> list[Problem]:
    """One problem per unsafe link, at the link's own line when the URL can be found as typed."""
    problems = []
    position = document.mark(loc)
    for url, message in links:
        found = document.find(url, position)
        line, column = found or document.mark(loc)
        if found:
            position = found
        problems.append(Problem(document.path, line, column, format_loc(loc), message))
    return problems


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """pydantic's error location with the parts that are not in the data (union tags, ``[key]``) left out."""
    path: list[Any] = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(data, dict) and part not in data and part != "[key]" and isinstance(part, str):
            data = None  # a missing or unknown key: keep it, it is what the message is about
        else:
            continue
        path.append(part)
    return tuple(path)


def _unknown_field_message(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    import difflib  # only for this message: 2 ms of every cold start otherwise

    allowed = _fields(_type_at(model, loc[:-1]))
    message = "unknown field"
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    if allowed:
        message += f" (allowed: {', '.join(allowed)})"
    return message


def _fields(model: Any) -> list[str]:
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _type_at(annotation: Any, loc: tuple[Any, ...]) -> Any:
    """The type that validates the value at ``loc`` inside ``annotation``, as far as it can be followed."""
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields
            if part in fields:
                annotation = fields[part].annotation
                continue
            if "root" not in fields:
                return None
            annotation = _unwrap(fields["root"].annotation)  # a RootModel: the part indexes its root
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is list and args:
            annotation = args[0]
        elif origin is dict and len(args) == 2:
            annotation = args[1]
        else:
            return None
    return _unwrap(annotation)


def _unwrap(annotation: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` to ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation
