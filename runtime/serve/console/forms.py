"""Form posts into the API's JSON shapes, and the API's validation errors back onto fields.

Inputs are named by their path in the document (`address.city`,
`agentSetup.operatingHours.2.start`), so a form becomes the same patch the API takes
and each validation error's `field` names the input it belongs to. Values stay strings
where the models coerce them (numbers), so the checks are exactly the models'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from tenancy.registry import validation_details

Kind = Literal["text", "optional", "bool", "lines", "keep"]
_OMITTED = object()


@dataclass(frozen=True)
class Field:
    name: str  # the dotted document path, also the input's name
    # optional: blank means "not set" (None); lines: one item per line; keep: blank leaves
    # the value as it is (the stored one, or the model's default; for secrets, which the
    # page never shows, only their mask)
    kind: Kind = "text"


def _value(form: FormData, field: Field) -> Any:
    raw = form.get(field.name)
    text = raw.strip() if isinstance(raw, str) else ""
    if field.kind == "bool":
        return raw is not None
    if field.kind == "keep":
        return text or _OMITTED
    if field.kind == "optional":
        return text or None
    if field.kind == "lines":  # a textarea (one per line) or same-named checkboxes
        items = form.getlist(field.name)
        lines = text.splitlines() if len(items) == 1 else [str(i) for i in items]
        return [line.strip() for line in lines if line.strip()]
    return text


def _place(document: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = document
    for part, following in zip(path, path[1:], strict=False):
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append({})
            node = node[index]
            continue
        node = node.setdefault(part, [] if following.isdigit() else {})
    if isinstance(node, list):
        index = int(path[-1])
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[path[-1]] = value


def read_form(form: FormData, fields: Iterable[Field]) -> dict[str, Any]:
    """The nested document the fields describe, read from the posted form."""
    document: dict[str, Any] = {}
    for field in fields:
        value = _value(form, field)
        if value is not _OMITTED:
            _place(document, field.name.split("."), value)
    return document


def flat_values(form: FormData, fields: Iterable[Field]) -> dict[str, Any]:
    """What the user typed, by input name: shown again when the form has errors."""
    values = {}
    for field in fields:
        value = _value(form, field)
        if field.kind == "lines":
            value = "\n".join(value)
        values[field.name] = "" if value is _OMITTED or value is None else value
    return values


def document_values(document: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
    """The stored values by input name (`a.b.0.c` read from the nested document)."""
    values = {}
    for field in fields:
        node: Any = document
        for part in field.name.split("."):
            if isinstance(node, list):
                node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
            elif isinstance(node, Mapping):
                node = node.get(part)
            else:
                node = None
        if field.kind == "lines" and isinstance(node, list):
            node = "\n".join(str(item) for item in node)
        values[field.name] = "" if node is None else node
    return values


def field_errors(details: Iterable[Mapping[str, Any]], names: Iterable[str],
                 prefix: str = "") -> dict[str, str]:
    """Each error on the input it names (or the first input under it); the rest on ``""``.

    `prefix` is the path the API reports the form's fields under (e.g. ``"aiSettings."``
    when the form holds the AI settings but the error comes from the whole company).
    """
    names = list(names)
    errors: dict[str, str] = {}
    for detail in details:
        field = str(detail.get("field", ""))
        field = field[len(prefix):] if prefix and field.startswith(prefix) else field
        message = str(detail.get("message", "")).removeprefix("Value error, ")
        target = field if field in names else next(
            (name for name in names if field and name.startswith(field + ".")), "")
        errors.setdefault(target, message)
    return errors


def model_errors(exc: ValidationError, names: Iterable[str]) -> dict[str, str]:
    return field_errors(validation_details(exc), names)


def literal_choices(model: type[BaseModel], name: str) -> list[str]:
    """The values a `Literal[...]` field allows, for a <select> that cannot drift from it."""
    return [str(choice) for choice in get_args(model.model_fields[name].annotation)]
