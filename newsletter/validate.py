"""Stage 2b: validate a loaded document against a model, turning pydantic's errors into ``file:line:col`` problems.

Every error in the file is reported at once. Messages never echo input values: printing the input of an
alias bomb would hang, and the positions already say where the value is.
"""

from __future__ import annotations

import types
import typing
from functools import lru_cache
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
                problems.append(_problem(document, model, error, loc, (context or {}).get("block_types")))
    if problems:
        raise InputError(problems)
    return result


def _problem(document: Document, model: type[BaseModel], error: Any, loc: tuple[Any, ...],
             block_types: Any = None) -> Problem:
    kind = error["type"]
    if kind == "extra_forbidden":
        return document.problem(loc, _unknown_field_message(model, loc, document.data, block_types), key=True)
    if kind == "unknown_block_type":  # at the type: line, not the block's first
        return document.problem((*loc, "type"), error["msg"])
    if kind == "missing":
        line, column = document.mark(loc[:-1])
        return Problem(document.path, line, column, format_loc(loc), "required field is missing")
    if error["loc"] and error["loc"][-1] == "[key]":
        return document.problem(loc, f"not a valid id: {_own_words(error, _value_at(document.data, loc[:-1]), loc)}",
                                key=True)
    return document.problem(loc, _own_words(error, _value_at(document.data, loc), loc, document.typed(loc)))


_YAML_TYPES = {bool: "true or false", int: "a number", float: "a number", dict: "a mapping (name: value lines)",
               list: "a list", type(None): "empty"}


def _kind(value: Any) -> str:
    import datetime

    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return _YAML_TYPES.get(type(value), "text")


def _own_words(error: Any, value: Any, loc: tuple[Any, ...], typed: str | None = None) -> str:
    """The message for a pydantic error, in our words and with the fix; ours (custom errors) as written.

    pydantic's own sentences ("Input should be a valid list") say what is wrong in a programmer's terms
    and never how to write it in YAML."""
    kind, context = error["type"], error.get("ctx") or {}
    name = next((part for part in reversed(loc) if isinstance(part, str)), "field")
    if kind == "string_type":
        if isinstance(value, (int, float, bool)) or _kind(value) == "a date":
            # What the writer typed, from the file: YAML 1.1 reads 18:30 as 1110 and no as false.
            shown = typed if typed is not None else _as_typed(value)
            return (f"YAML reads {shown} as {_kind(value)}, not text: put it in quotes, "
                    f"e.g. {name}: \"{shown}\"")
        return f"expected text, found {_kind(value)}"
    if kind == "list_type":
        example = f"{name}: [{_as_typed(value)}]" if isinstance(value, (str, int, float)) else f"{name}: [a, b]"
        return f"expected a list, found {_kind(value)}: write {example}, or one item a line, each after \"- \""
    if kind.startswith(("date_", "datetime_")):
        return "a date is written YYYY-MM-DD, e.g. 2024-05-03"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of fields (name: value on lines of their own), found {_kind(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, found {_kind(value)} ({_as_typed(value)})"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, found {_kind(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, found {_kind(value)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {"greater_than_equal": "at least", "less_than_equal": "at most", "greater_than": "more than",
                 "less_than": "less than"}
        limit = next(iter(context.values()), "")
        return f"must be {words[kind]} {limit}"
    if kind == "too_short":
        return f"needs at least {_count(context.get('min_length', 1), 'item')}: write {name}: [...] with them"
    if kind == "too_long":
        return f"holds too many items: at most {context.get('max_length')}"
    if kind == "string_too_long":
        return f"is too long: at most {context.get('max_length')} characters"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(name, "has characters that are not allowed here")
    if kind == "literal_error":
        allowed = context.get("expected", "")
        return f"{_quoted(value)} is not one of the allowed values: {allowed.replace(' or ', ', ')}"
    if kind in ("enum", "union_tag_invalid"):
        return f"{_quoted(value)} is not one of the allowed values: {context.get('expected', '')}"
    if kind not in _pydantic_kinds():  # raised by models.py, in our words already
        return error["msg"]
    return f"{_kind(value)} is not a valid value here: see docs/reference.md for what this field takes"


@lru_cache(maxsize=1)
def _pydantic_kinds() -> frozenset[str]:
    from pydantic_core.core_schema import ErrorType

    return frozenset(typing.get_args(ErrorType))


_PATTERN_HINTS = {
    "lang": "must be a language tag such as en, ar or pt-BR",
    "ignore": "must be a check rule's id: lower-case letters, digits and -, e.g. subject-length",
    "clients": "must be an email client: a family such as gmail or apple-mail, or one platform such as outlook-windows",
    "source": "may hold only letters, digits and . _ ~ - (and {slug} or {date})",
    "medium": "may hold only letters, digits and . _ ~ - (and {slug} or {date})",
    "campaign": "may hold only letters, digits and . _ ~ - (and {slug} or {date})",
}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _as_typed(value: Any) -> str:
    """A short rendering of a scalar as a writer typed it (never the whole of a long value)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value) if isinstance(value, (str, int, float)) else "..."
    return text if len(text) <= 40 else text[:37] + "..."


def _quoted(value: Any) -> str:
    return repr(_as_typed(value)) if isinstance(value, str) else _as_typed(value)


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


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


def _unknown_field_message(model: type[BaseModel], loc: tuple[Any, ...], data: Any = None,
                           block_types: Any = None) -> str:
    import difflib  # only for this message: 2 ms of every cold start otherwise

    allowed = _fields(_type_at(model, loc[:-1], data, block_types))
    message = "unknown field"
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    if allowed:
        message += f" (allowed: {', '.join(allowed)})"
    return message


def _fields(model: Any) -> list[str]:
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _type_at(annotation: Any, loc: tuple[Any, ...], data: Any = None, block_types: Any = None) -> Any:
    """The type that validates the value at ``loc`` inside ``annotation``, as far as it can be followed; a block
    of ``blocks:`` is followed into the model its ``type`` names among ``block_types`` (``data`` is the
    document's)."""
    for index, part in enumerate(loc):
        annotation = _unwrap(annotation)
        if annotation is Any:
            annotation = _block_model(_value_at(data, loc[:index]), block_types)
            if annotation is None:
                return None
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
    annotation = _unwrap(annotation)
    return _block_model(_value_at(data, loc), block_types) if annotation is Any else annotation


def _block_model(value: Any, block_types: Any) -> Any:
    kind = value.get("type") if isinstance(value, dict) else None
    return block_types[kind].model if block_types and isinstance(kind, str) and kind in block_types else None


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
