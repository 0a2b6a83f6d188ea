"""Turn a pydantic error into 'expected ..., found ...' words for a user."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from pivotal.scenario.errors import one_of
from pivotal.scenario.positions import Path, dotted
from pivotal.scenario.schema import Scenario


def describe(error: ErrorDetails, located: Path, model: type[BaseModel] = Scenario) -> tuple[str, str, str]:
    """Return (expected, found, field path) for one pydantic error dict of a ``model`` document."""
    kind = error["type"]
    loc = tuple(error["loc"])
    value = error.get("input")
    if kind == "missing":
        field = str(loc[-1])
        return f"a value for required field `{field}`", "nothing", dotted((*located, field))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        every = "one of the known keys: " + ", ".join(allowed)
        expected = (
            one_of(every, "one of the known keys", allowed, str(loc[-1])) if allowed else ("no extra keys")
        )
        return expected, f"unknown key `{loc[-1]}`", dotted(located)
    if kind == "too_short":
        least = error["ctx"]["min_length"]
        found = str(error["ctx"]["actual_length"])
        return f"at least {least} item{'s' if least > 1 else ''}", found, dotted(located)
    if kind in ("model_type", "model_attributes_type", "dict_type"):  # not a class name: its keys
        keys = _allowed_keys(model, loc)
        expected = f"a mapping with the keys {', '.join(keys)}" if keys else "a mapping"
        return expected, _show(value), dotted(located)
    message = error["msg"]
    for prefix in ("Input should be ", "Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind == "string_pattern_mismatch":
        message = f"text matching {error['ctx']['pattern']}"
    return message, _show(value), dotted(located)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found by following ``loc`` from the document's model."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin in (list, tuple) and args:
                current = args[0]
            elif origin is dict and len(args) == 2:
                current = args[1]
            else:
                return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] to the underlying type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation
