"""The one offline token estimate: about a token per CJK character, else ~4 chars.

Kimi's tokenizer is not published as a Python package. Counting characters
at four a token badly undercounts Chinese, Japanese and Korean text, where a
character is about one token, so the two are counted apart. Good for budgets
and warnings, not for exact limits.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 3

_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


def estimate_text(text: str) -> int:
    """Tokens in ``text``: one per CJK character, one per four other characters."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / CHARS_PER_TOKEN)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        elif isinstance(block, Mapping) and block.get("type") in _MEDIA:
            continue  # counted apart (MEDIA_TOKENS): a base64 string is no text
        else:
            parts.append(json.dumps(block, ensure_ascii=False, default=str))
    return "".join(parts)


#: Content blocks that are images or video, and a rough count for each (the
#: service counts by pixels and frames, which are not known here).
_MEDIA = frozenset({"image", "image_url", "video", "video_url"})
MEDIA_TOKENS = 1_000


def _media_blocks(content: Any) -> int:
    if isinstance(content, str):
        return 0
    return sum(
        1 for b in content or () if isinstance(b, Mapping) and b.get("type") in _MEDIA
    )


def estimate_messages(
    messages: Iterable[BaseMessage], tools: Iterable[Mapping[str, Any]] = ()
) -> int:
    """Tokens in a conversation (text, names, tool calls) plus tool definitions."""
    total = sum(estimate_text(json.dumps(tool, ensure_ascii=False)) for tool in tools)
    for message in messages:
        text = _content_text(message.content)
        total += MEDIA_TOKENS * _media_blocks(message.content)
        if message.name:
            text += message.name
        if isinstance(message, AIMessage) and message.tool_calls:
            text += json.dumps(message.tool_calls, ensure_ascii=False, default=str)
        total += estimate_text(text) + TOKENS_PER_MESSAGE
    return total
