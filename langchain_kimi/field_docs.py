"""A "Fields" section for a pydantic class's docstring, made from its fields.

``help(ChatKimi)`` and ``pydoc`` print the class docstring and a signature,
never per-field text. The attribute docstrings are the one source
(``use_attribute_docstrings=True`` copies them into
``model_fields[name].description``, which schemas and tools read); this
section prints them in ``help()`` too, so nothing is written twice.
"""

from __future__ import annotations

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
