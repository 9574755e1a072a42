"""LangChain content blocks to the request's content parts (pure functions).

Content goes out in the OpenAI-compatible spelling, the one both protocols
start from (``protocols.native`` respells the parts as ``{"text"}`` /
``{"image"}`` / ``{"video"}`` items for the multimodal endpoint). Text-only
content is sent as one string, unless a block carries ``cache_control``
(context cache), which only a list keeps. Images and video are checked
against the model's row of the features table and the page's size limits
before any request. Big base64 strings are never copied more than once: a
``data:`` URL the caller built is sent as the same object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_kimi.model_specs import KimiModelSpec, models_with

#: The page's limit for one image (URL or base64 string) and a base64 video.
MAX_MEDIA_BYTES = 10 * 2**20

_IGNORED = frozenset(
    {"reasoning", "thinking", "tool_call", "tool_call_chunk", "tool_use"}
)
_OTHER_MEDIA = frozenset({"input_image", "audio", "input_audio", "file", "document"})

Content = str | list[dict[str, Any]]
_DEFAULT_MIME = {"image": "image/jpeg", "video": "video/mp4"}


def _url_of(block: Mapping[str, Any], kind: str) -> str:
    """The URL of a v1 or v0 standard block; base64 becomes a ``data:`` URL."""
    url = block.get("url")
    if url is None and block.get("source_type") == "url":
        url = block.get("data")
    if isinstance(url, str):
        return url
    data = block.get("base64")
    if data is None and block.get("source_type") == "base64":
        data = block.get("data")
    if isinstance(data, str):
        mime = block.get("mime_type") or _DEFAULT_MIME[kind]
        return f"data:{mime};base64,{data}"
    raise ValueError(
        f"A '{kind}' content block needs 'url' or 'base64' (with 'mime_type'); "
        f"got the keys {sorted(block)}."
    )


def _nested_url(value: Any) -> str:
    """``image_url`` / ``video_url`` as a string or ``{"url": ...}``."""
    if isinstance(value, Mapping):
        value = value.get("url")
    if not isinstance(value, str):
        raise ValueError("An image_url/video_url block needs a URL string.")
    return value


class _Parts:
    """The parts of one message's content, checked as they are added."""

    def __init__(self, spec: KimiModelSpec, role: str, media: bool) -> None:
        self.spec = spec
        self.role = role
        self.media = media
        self.parts: list[dict[str, Any]] = []
        self.only_text = True

    def text(self, block: Mapping[str, Any] | str) -> None:
        if isinstance(block, str):
            self.parts.append({"type": "text", "text": block})
            return
        part: dict[str, Any] = {"type": "text", "text": str(block.get("text", ""))}
        if block.get("cache_control") is not None:
            part["cache_control"] = block["cache_control"]
            self.only_text = False
        self.parts.append(part)

    def _allowed(self, kind: str, block_type: object) -> None:
        """Refuse a ``kind`` ("image", "video", other media) the model lacks."""
        spec = self.spec
        if not self.media:
            raise ValueError(
                f"{spec.model} takes text only in {self.role} messages, but one has "
                f"a '{block_type}' block. Send it in a user message instead."
            )
        if kind == "image" and spec.image_inputs:
            return
        if kind == "video" and spec.video_inputs:
            return
        feature = "video_inputs" if kind == "video" else "image_inputs"
        instead = f"Use {' or '.join(models_with(feature))}, or remove the block"
        if not (spec.image_inputs or spec.video_inputs):
            why = "accepts text only"
        elif kind in ("image", "video"):
            why = f"takes no {kind} input"
        else:
            why, instead = "takes text, images and video", "Remove the block"
        raise ValueError(
            f"{spec.model} {why}, but a {self.role} message has a '{block_type}' "
            f"content block (messages). {instead} or describe it in text."
        )

    def _sized(self, kind: str, url: str) -> str:
        """The URL, if within the page's limit (the string as sent: an image's
        URL or ``data:`` URL, a video's ``data:`` URL; a video by URL may be
        up to 2 GB, which only the service can check)."""
        if kind == "video" and not url.startswith("data:"):
            return url
        size = len(url)
        if size > MAX_MEDIA_BYTES:
            what = "base64 string" if url.startswith("data:") else "URL"
            raise ValueError(
                f"{self.spec.model}: a {kind} {what} in a {self.role} message is "
                f"{size / 2**20:.1f} MB, above the page's limit of 10 MB (messages). "
                f"Send a smaller or compressed {kind}, or a URL to it."
            )
        return url

    def image(self, url: str) -> None:
        self.only_text = False
        url = self._sized("image", url)
        self.parts.append({"type": "image_url", "image_url": {"url": url}})

    def video(self, block: Mapping[str, Any], url: str | None) -> None:
        self.only_text = False
        if url is None:  # a list of frames, as the page shows it
            frames = block.get("video")
            if not isinstance(frames, list) or not all(
                isinstance(f, str) for f in frames
            ):
                raise ValueError(
                    "A video frame block is {'type': 'video', 'video': [urls], "
                    "'fps': n}; 'video' must be a list of URL strings."
                )
            part: dict[str, Any] = {"type": "video", "video": frames}
        else:
            url = self._sized("video", url)
            part = {"type": "video_url", "video_url": {"url": url}}
        if block.get("fps") is not None:
            part["fps"] = block["fps"]
        self.parts.append(part)

    def add(self, block: Mapping[str, Any] | str, json_blocks: bool) -> None:
        if isinstance(block, str):
            self.text(block)
            return
        kind = block.get("type")
        if kind == "text":
            self.text(block)
        elif kind in _IGNORED:
            return
        elif kind in ("image_url", "image"):
            self._allowed("image", kind)
            if kind == "image_url":
                self.image(_nested_url(block.get("image_url")))
            else:
                self.image(_url_of(block, "image"))
        elif kind in ("video_url", "video"):
            self._allowed("video", kind)
            if kind == "video_url":
                self.video(block, _nested_url(block.get("video_url")))
            elif isinstance(block.get("video"), list):
                self.video(block, None)
            else:
                self.video(block, _url_of(block, "video"))
        elif kind in _OTHER_MEDIA:
            self._allowed("other", kind)
        elif json_blocks:
            self.text(json.dumps(block, ensure_ascii=False))
        else:
            raise ValueError(
                f"{self.spec.model} cannot take a '{kind}' content block in a "
                f"{self.role} message; send text, image or video blocks."
            )

    def content(self) -> Content:
        if self.only_text:
            return "".join(part["text"] for part in self.parts)
        return self.parts


def to_content(
    content: str | list[Any],
    spec: KimiModelSpec,
    role: str,
    *,
    json_blocks: bool = False,
    media: bool = True,
) -> Content:
    """A message's content for the request: a string when it is only text (and
    no block asks for the context cache), else a list of parts.

    With ``json_blocks`` (tool results), a structured block that is not media
    is sent as its JSON text instead of being refused; without ``media``,
    image and video blocks are refused (assistant and tool messages).
    """
    if isinstance(content, str):
        return content
    parts = _Parts(spec, role, media)
    for block in content:
        parts.add(block, json_blocks)
    return parts.content()


def text_of(content: Content) -> str:
    """The text of request content (parts joined; media left out)."""
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text", "")) for part in content)
