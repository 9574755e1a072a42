"""Field descriptions from attribute docstrings, and a "Fields" section for help().

``help(ChatKimi)`` and ``pydoc`` print the class docstring and a signature,
never per-field text. The attribute docstrings (what IDEs show) are the one
source: ``document_fields`` copies them into ``model_fields[name].description``
(which schemas and tools read) and appends a "Fields" section to the class
docstring, so nothing is written twice. pydantic's own
``use_attribute_docstrings`` does the first half too, but on Python < 3.13 it
parses the whole module to find the class (about 30 ms at import); here only
the class's own lines are parsed.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
from typing import Any

from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

_QUALIFIED = re.compile(r"(?:\b[A-Za-z_]\w*\.)+(?=[A-Za-z_])")


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return _QUALIFIED.sub("", str(annotation))


def _other_spellings(name: str, field: FieldInfo) -> list[str]:
    spellings = [name] if field.alias else []
    if isinstance(field.validation_alias, AliasChoices):
        spellings += [c for c in field.validation_alias.choices if isinstance(c, str)]
    return [s for s in dict.fromkeys(spellings) if s != (field.alias or name)]


def _entry(name: str, field: FieldInfo) -> str:
    head = f"{field.alias or name}: {_type_name(field.annotation)}"
    if field.default is not PydanticUndefined:
        head += f" = {field.default!r}"
    others = _other_spellings(name, field)
    if others:
        head += f" (also {', '.join(others)})"
    description = textwrap.fill(
        field.description or "", 76, initial_indent=" " * 8, subsequent_indent=" " * 8
    )
    return f"    {head}\n{description}"


def fields_section(cls: type[BaseModel], indent: str = "") -> str:
    """The fields ``cls`` declares itself (not inherited ones), documented.

    ``indent`` matches the docstring's own, so ``inspect.cleandoc`` keeps the
    section aligned with the rest.
    """
    inherited = {
        name for base in cls.__bases__ for name in getattr(base, "model_fields", {})
    }
    entries = [
        _entry(name, field)
        for name, field in cls.model_fields.items()
        if name not in inherited
    ]
    section = "Fields:\n" + "\n".join(entries) + "\n"
    return textwrap.indent(section, indent)


def attribute_docstrings(cls: type) -> dict[str, str]:
    """``{attribute: docstring}`` for each ``name: type = ...`` followed by a string.

    Empty when the source is not shipped (a frozen app, ``.pyc`` files only).
    """
    try:
        lines, _ = inspect.findsource(inspect.getmodule(cls))  # type: ignore[arg-type]
    except (OSError, TypeError):
        return {}
    start = next(
        i for i, line in enumerate(lines) if line.startswith(f"class {cls.__name__}(")
    )
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i][:1] not in ("", " ", "\n", "#", ")")
        ),
        len(lines),
    )
    tree = ast.parse("".join(lines[start:end]))
    body = (
        tree.body[0].body
        if tree.body and isinstance(tree.body[0], ast.ClassDef)
        else []
    )
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def document_fields(cls: type[BaseModel], indent: str = "    ") -> None:
    """Fill each field's description from its docstring; add the Fields section."""
    for name, doc in attribute_docstrings(cls).items():
        field = cls.model_fields.get(name)
        if field is not None and not field.description:
            field.description = doc
    cls.__doc__ = (cls.__doc__ or "") + "\n" + fields_section(cls, indent)
