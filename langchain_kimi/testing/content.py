"""What message content carries, and the service's rules on it.

Content is a string or a list of blocks. On the compatible endpoint a block
is ``{"type": "text" | "image_url" | "video_url" | "video", ...}``; on the
native one an item holding one of ``text``, ``image``, ``video``. Either may
carry ``cache_control``. A ``system`` message may instead carry ``tools``
(kimi-k3's dynamically loaded tools). The rules follow the Kimi page: which
inputs each model takes, the size limits, the frame-list video form, and the
native multimodal endpoint's list content. Each check returns a ``Refusal``
(``rules``) or ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from langchain_kimi.testing.service import ServiceModel

Refusal = tuple[int, str, str]

#: The page: an image (URL or base64 string) and a base64 video, at most 10 MB.
MAX_MEDIA_CHARS = 10 * 1024 * 1024
MIN_FRAMES = 4
FPS_RANGE = (0.1, 10.0)
#: Model Studio's answer to dynamic tools off kimi-k3 (the Kimi page).
TOKENIZATION_FAILED = "tokenization failed"
TOOLS_WITH_CONTENT = (
    "A system message that carries tools must not carry content: send the tools "
    "in a system message of their own."
)
_NATIVE_KEYS = ("text", "image", "video")
_NATIVE_EXTRA = frozenset({"fps", "max_frames", "min_pixels", "max_pixels"})


def _invalid(message: str) -> Refusal:
    return (400, "InvalidParameter", message)


def blocks(content: Any) -> list[Mapping[str, Any]]:
    """The blocks of a content list (nothing for a string)."""
    if not isinstance(content, list):
        return []
    return [item for item in content if isinstance(item, Mapping)]


def text_of(content: Any) -> str:
    """The text a message's content holds, in either protocol's form."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(
        str(item.get("text") or "")
        for item in blocks(content)
        if "text" in item or item.get("type") == "text"
    )


def cache_marked(message: Mapping[str, Any]) -> bool:
    """Whether a block of this message carries ``cache_control``."""
    return any("cache_control" in item for item in blocks(message.get("content")))


def dynamic_tools(messages: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Tools loaded by ``{"role": "system", "tools": [...]}`` messages, in order."""
    found: list[Any] = []
    for message in messages:
        if message.get("role") == "system" and isinstance(message.get("tools"), list):
            found.extend(message["tools"])
    return found


def _media(block: Mapping[str, Any], native: bool) -> Iterator[tuple[str, Any]]:
    """``(kind, value)`` of a block: kind ``text``, ``image``, ``video``,
    ``frames`` (a list of frame URLs), or ``unknown:<what>``."""
    if native:
        keys = [key for key in _NATIVE_KEYS if key in block]
        if len(keys) != 1:
            yield "unknown:" + ",".join(sorted(set(block) - {"cache_control"})), None
            return
        value = block[keys[0]]
        yield ("frames" if isinstance(value, list) else keys[0]), value
        return
    kind = block.get("type")
    if kind == "text":
        yield "text", block.get("text")
    elif kind == "image_url":
        yield "image", _url(block.get("image_url"))
    elif kind == "video_url":
        yield "video", _url(block.get("video_url"))
    elif kind == "video" and isinstance(block.get("video"), list):
        yield "frames", block["video"]
    else:
        yield f"unknown:{kind}", None


def _url(value: Any) -> Any:
    return value.get("url") if isinstance(value, Mapping) else value


def _check_block(
    model: ServiceModel, block: Mapping[str, Any], native: bool
) -> Refusal | None:
    control = block.get("cache_control")
    if control is not None and not (
        isinstance(control, Mapping) and control.get("type") == "ephemeral"
    ):
        return _invalid('cache_control must be {"type": "ephemeral"}.')
    for kind, value in _media(block, native):
        if kind.startswith("unknown:"):
            return _invalid(f"Unsupported content item: {kind[8:] or 'empty'}.")
        if kind == "text":
            if not isinstance(value, str):
                return _invalid("A text item's text must be a string.")
            continue
        medium = "video" if kind == "frames" else kind
        if medium not in model.inputs:
            return _invalid(f"The model {model.name} does not support {medium} input.")
        refusal = _check_medium(kind, value, block.get("fps"))
        if refusal is not None:
            return refusal
    return None


def _check_medium(kind: str, value: Any, fps: Any) -> Refusal | None:
    if kind == "frames":
        if len(value) < MIN_FRAMES or not all(isinstance(v, str) for v in value):
            return _invalid(
                f"A video given as frames needs at least {MIN_FRAMES} image URLs."
            )
    elif not isinstance(value, str) or not value:
        return _invalid(f"The {kind} must be a URL or a data URL.")
    elif len(value) > MAX_MEDIA_CHARS:
        return _invalid(
            f"The {kind} exceeds the {MAX_MEDIA_CHARS // (1024 * 1024)} MB limit."
        )
    if fps is not None and not (
        isinstance(fps, (int, float)) and FPS_RANGE[0] <= fps <= FPS_RANGE[1]
    ):
        return _invalid(f"fps must be between {FPS_RANGE[0]} and {FPS_RANGE[1]}.")
    return None


def check_content(
    model: ServiceModel,
    messages: Sequence[Mapping[str, Any]],
    *,
    native: bool,
    multimodal_route: bool = False,
) -> Refusal | None:
    """Every message's content: blocks well formed, media the model takes,
    dynamic tools only on a model that loads them and never with content, and
    on the native multimodal endpoint user content as a list of items."""
    for message in messages:
        role = message.get("role")
        content = message.get("content")
        if role == "system" and "tools" in message:
            if not model.dynamic_tools:
                return _invalid(TOKENIZATION_FAILED)
            if content is not None:
                return _invalid(TOOLS_WITH_CONTENT)
            if not isinstance(message["tools"], list) or not message["tools"]:
                return _invalid("A system message's tools must be a non-empty list.")
            continue
        if multimodal_route and role == "user" and not isinstance(content, list):
            return _invalid(
                "On multimodal-generation a user message's content is a list of "
                '{"text" | "image" | "video": ...} items.'
            )
        if isinstance(content, list):
            for block in content:
                if not isinstance(block, Mapping):
                    return _invalid("Each content item must be an object.")
                refusal = _check_block(model, block, native)
                if refusal is not None:
                    return refusal
    return None
