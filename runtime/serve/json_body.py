"""Free-form JSON bodies (PATCH documents) with a bound on how deeply they nest.

A company document is six levels deep; a body nested hundreds of levels is never a
real change, and walking it recursively (merging, copying, masking secrets) would hit
Python's recursion limit. It is refused as a 422 before any of that runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

MAX_JSON_DEPTH = 32


def _within_depth(document: dict[str, Any]) -> dict[str, Any]:
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:  # iterative: the check itself must not recurse
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children
                       if isinstance(child, dict | list))
    return document


JsonPatch = Annotated[dict[str, Any], AfterValidator(_within_depth)]
