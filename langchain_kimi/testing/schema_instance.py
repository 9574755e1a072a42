"""A small valid instance of a JSON Schema, as a model asked for JSON would give.

Covers what LangChain's schemas (pydantic, TypedDict, JSON Schema dicts)
produce: ``type`` (or a list of types), ``enum`` and ``const``, ``$ref`` into
``$defs``/``definitions``, ``anyOf``/``oneOf``/``allOf``, objects (every listed
property, ``required`` ones at least), arrays (``minItems`` items),
string lengths and a few formats, and number bounds. ``leaf`` supplies strings
and numbers (the simulator fills them from the question); the result is then
fitted to the schema's bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: ``leaf(kind, name)`` -> a value of ``kind`` ("string", "number", "integer").
Leaf = Callable[[str, str], Any]
_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_MAX_DEPTH = 32


def _default_leaf(kind: str, name: str) -> Any:
    return 1 if kind in ("integer", "number") else name or "example"


def instance(
    schema: Mapping[str, Any], leaf: Leaf = _default_leaf, name: str = ""
) -> Any:
    """A value that satisfies ``schema`` (``$ref`` resolved against it)."""
    return _Builder(schema, leaf).value(schema, name, 0)


class _Builder:
    def __init__(self, root: Mapping[str, Any], leaf: Leaf) -> None:
        self.root = root
        self.leaf = leaf

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#"):
            return schema
        target: Any = self.root
        for part in ref.lstrip("#/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        return {**(target if isinstance(target, Mapping) else {}), **merged}

    def value(self, schema: Mapping[str, Any], name: str, depth: int) -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        if schema.get("default") is not None and depth > 0:
            return schema["default"]
        for key in ("anyOf", "oneOf"):
            options = [o for o in schema.get(key) or () if isinstance(o, Mapping)]
            if options:
                chosen = next((o for o in options if not _is_null(o)), options[0])
                return self.value(chosen, name, depth + 1)
        parts = [p for p in schema.get("allOf") or () if isinstance(p, Mapping)]
        if parts:
            merged: dict[str, Any] = {}
            for part in parts:
                merged.update(self.resolve(part))
            return self.value(merged, name, depth + 1)
        kind = _kind(schema)
        if kind == "object":
            return self.obj(schema, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        if kind in ("integer", "number"):
            return _bounded(self.leaf(kind, name), schema, kind)
        return _string(self.leaf("string", name), schema)

    def obj(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = [r for r in schema.get("required") or () if isinstance(r, str)]
        if depth >= _MAX_DEPTH:
            properties = {k: v for k, v in properties.items() if k in required}
        built = {
            key: self.value(sub if isinstance(sub, Mapping) else {}, key, depth + 1)
            for key, sub in properties.items()
        }
        for key in required:
            built.setdefault(key, self.leaf("string", key))
        return built

    def array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        items = schema.get("items")
        prefix = [p for p in schema.get("prefixItems") or () if isinstance(p, Mapping)]
        count = int(schema.get("minItems") or 0)
        if depth >= _MAX_DEPTH:
            count = 0
        built = [self.value(p, name, depth + 1) for p in prefix]
        item_schema = items if isinstance(items, Mapping) else {}
        while len(built) < count:
            built.append(self.value(item_schema, name, depth + 1))
        return built


def _is_null(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "null"


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


def _bounded(value: Any, schema: Mapping[str, Any], kind: str) -> Any:
    number = float(value) if isinstance(value, (int, float)) else 1.0
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        low = schema["exclusiveMinimum"] + (1 if kind == "integer" else 0.5)
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        high = schema["exclusiveMaximum"] - (1 if kind == "integer" else 0.5)
    if isinstance(low, (int, float)) and number < low:
        number = float(low)
    if isinstance(high, (int, float)) and number > high:
        number = float(high)
    if kind == "integer":
        return int(number) if number == int(number) else int(number) + 1
    return number


def _string(value: Any, schema: Mapping[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format")), str(value))
    low = int(schema.get("minLength") or 0)
    high = schema.get("maxLength")
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text
