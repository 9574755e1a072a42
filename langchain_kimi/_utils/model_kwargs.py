"""Constructor arguments that name no field: kept for the request, or refused as typos.

As in langchain-openai's ``ChatOpenAI``, an unknown name is not dropped: it
moves into ``model_kwargs`` (sent in every request body as it is) with a
warning, so DashScope fields that are not modelled still reach the service.
Unlike ``ChatOpenAI``, a near miss of a known name (``temprature``) raises:
the value would go out under a name the service ignores while the intended
setting kept its default.
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import Any

from pydantic import AliasChoices, BaseModel

from langchain_kimi._utils.warnings import warn

#: Unknown argument names that look like credentials: refused, never moved.
_SECRET = re.compile(
    r"(^|_)(api_?)?key$|(^|_)token$|secret|password|credential", re.IGNORECASE
)

#: ``difflib`` ratio from which an unknown name counts as a typo of a known
#: one: catches ``temprature``, ``max_token``, ``timout``, ``base_uri``, but lets
#: DashScope's own ``top_k`` (0.8 to ``top_p``) and ``stream_options`` through.
NEAR_MISS = 0.85


@functools.cache
def field_spellings(model: type[BaseModel]) -> dict[str, str]:
    """Every spelling validation accepts (field names, aliases, alias choices),
    to the name of its field."""
    spellings: dict[str, str] = {}
    for name, field in model.model_fields.items():
        spellings[name] = name
        if field.alias:
            spellings[field.alias] = name
        choices = field.validation_alias
        if isinstance(choices, str):
            spellings[choices] = name
        elif isinstance(choices, AliasChoices):
            spellings.update({c: name for c in choices.choices if isinstance(c, str)})
    return spellings


def accepted_names(model: type[BaseModel]) -> frozenset[str]:
    """Every spelling validation accepts."""
    return frozenset(field_spellings(model))


def sort_out_unknown(
    values: dict[str, Any],
    accepted: frozenset[str],
    owner: str,
    known: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``values`` with unknown names moved into ``model_kwargs``.

    ``known`` names are request parameters the service defines without a
    field of their own (``n``): moved without a warning, since the request
    checks judge their values (and refuse a bad one, once).

    Raises ``ValueError`` for a near miss of an accepted name, for a name that
    looks like a credential (``openai_api_key``, ``token``, ...: moved along, it
    would travel in every body and show in ``repr``), and for a name given both
    directly and inside ``model_kwargs``.
    """
    unknown = [name for name in values if name not in accepted]
    if not unknown:
        return values
    values = dict(values)
    extra = dict(values.get("model_kwargs") or {})
    for name in unknown:
        if name in known and name not in extra:
            extra[name] = values.pop(name)
            continue
        close = difflib.get_close_matches(name, sorted(accepted), n=1, cutoff=NEAR_MISS)
        if close:
            raise ValueError(
                f"{owner} has no parameter {name!r}; did you mean {close[0]!r}?"
            )
        if _SECRET.search(name):
            raise ValueError(
                f"{owner} has no parameter {name!r}. It looks like a credential, "
                "which would be sent in every request body and shown in repr and "
                "traces: pass the Model Studio key as api_key=... (or set "
                "DASHSCOPE_API_KEY)."
            )
        if name in extra:
            raise ValueError(
                f"{name!r} was given twice, as a parameter and in model_kwargs; "
                "keep one."
            )
        warn(
            f"{name!r} is not a {owner} parameter, so it was moved to model_kwargs "
            "and is sent in every request body as it is. Check the spelling, or "
            f"pass model_kwargs={{{name!r}: ...}} to silence this warning."
        )
        extra[name] = values.pop(name)
    values["model_kwargs"] = extra
    return values
