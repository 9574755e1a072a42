"""Images and video on both transports, and the native multimodal endpoint.

LangChain's content blocks reach the compatible endpoint as ``image_url`` /
``video_url`` parts and the native one as ``{"image"}`` / ``{"video"}``
items; the multimodal models are served natively at multimodal-generation,
text-only ones at text-generation. What a model's row rules out, and what is
over the page's 10 MB, is refused before any request.
"""

import base64
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import K3_MODEL, K26_MODEL, THINKING_MODEL
from langchain_kimi.request.content import MAX_MEDIA_BYTES
from langchain_kimi.testing import KimiSimulator
from tests.integration.calls import MODES, reply

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()
DATA_URL = f"data:image/png;base64,{PNG}"
IMAGE_URL = "https://example.com/cat.png"
VIDEO_URL = "https://example.com/clip.mp4"
FRAMES = [f"https://example.com/f{n}.jpg" for n in range(4)]

#: Each image form LangChain users write, and the URL it must carry.
IMAGE_FORMS: dict[str, tuple[dict[str, Any], str]] = {
    "image_url": ({"type": "image_url", "image_url": {"url": IMAGE_URL}}, IMAGE_URL),
    "image_url_data": ({"type": "image_url", "image_url": {"url": DATA_URL}}, DATA_URL),
    "v1_url": ({"type": "image", "url": IMAGE_URL}, IMAGE_URL),
    "v1_base64": (
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
        DATA_URL,
    ),
}


def _ask(*blocks: dict[str, Any]) -> list[HumanMessage]:
    return [HumanMessage([{"type": "text", "text": "What is this?"}, *blocks])]


def _parts(kimi_simulator: KimiSimulator) -> list[dict[str, Any]]:
    content = kimi_simulator.last_request.messages[-1]["content"]
    assert isinstance(content, list)
    return content


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", [K3_MODEL, K26_MODEL])
def test_multimodal_models_are_served_where_the_protocol_says(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    model: str,
    mode: str,
) -> None:
    message = reply(make_llm(model=model), mode, "Hello")
    assert message.content  # list content items read, whole and streamed
    path = kimi_simulator.last_request.path
    if transport == "dashscope":
        assert path.endswith("/services/aigc/multimodal-generation/generation")
        assert kimi_simulator.last_request.messages[0]["content"] == [{"text": "Hello"}]
    else:
        assert path.endswith("/chat/completions")


def test_text_only_models_stay_on_text_generation(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    make_llm(model=THINKING_MODEL).invoke("Hello")
    if transport == "dashscope":
        assert kimi_simulator.last_request.path.endswith(
            "/services/aigc/text-generation/generation"
        )
    assert kimi_simulator.last_request.messages[0]["content"] == "Hello"


@pytest.mark.parametrize("form", list(IMAGE_FORMS))
def test_image_blocks_reach_the_wire_in_each_protocols_form(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    form: str,
) -> None:
    block, url = IMAGE_FORMS[form]
    assert make_llm(model=K3_MODEL).invoke(_ask(block)).content
    image = _parts(kimi_simulator)[1]
    if transport == "dashscope":
        assert image == {"image": url}
    else:
        assert image == {"type": "image_url", "image_url": {"url": url}}


VIDEO_FORMS: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "video_url": (
        {"type": "video_url", "video_url": {"url": VIDEO_URL}, "fps": 2},
        {"type": "video_url", "video_url": {"url": VIDEO_URL}, "fps": 2},
        {"video": VIDEO_URL, "fps": 2},
    ),
    "v1_url": (
        {"type": "video", "url": VIDEO_URL},
        {"type": "video_url", "video_url": {"url": VIDEO_URL}},
        {"video": VIDEO_URL},
    ),
    "frames": (
        {"type": "video", "video": FRAMES, "fps": 1},
        {"type": "video", "video": FRAMES, "fps": 1},
        {"video": FRAMES, "fps": 1},
    ),
}


@pytest.mark.parametrize("form", list(VIDEO_FORMS))
def test_video_blocks_reach_the_wire_in_each_protocols_form(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    form: str,
) -> None:
    block, compatible, native = VIDEO_FORMS[form]
    assert make_llm(model=K26_MODEL).invoke(_ask(block)).content
    video = _parts(kimi_simulator)[1]
    assert video == (native if transport == "dashscope" else compatible)


@pytest.mark.parametrize(
    ("model", "block", "words"),
    [
        (
            THINKING_MODEL,
            IMAGE_FORMS["v1_url"][0],
            "kimi-k2-thinking accepts text only",
        ),
        (K3_MODEL, VIDEO_FORMS["v1_url"][0], "kimi-k3 takes no video input"),
    ],
    ids=["image-to-text-only", "video-to-kimi-k3"],
)
def test_media_a_model_lacks_is_refused_before_any_request(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    model: str,
    block: dict[str, Any],
    words: str,
) -> None:
    with pytest.raises(ValueError, match=words):
        make_llm(model=model).invoke(_ask(block))
    assert kimi_simulator.requests == []


@pytest.mark.parametrize("kind", ["image", "video"])
def test_base64_over_10_mb_is_refused_before_any_request(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, kind: str
) -> None:
    data = "A" * (MAX_MEDIA_BYTES + 4)
    block = {"type": kind, "base64": data, "mime_type": f"{kind}/mp4"}
    with pytest.raises(ValueError, match=r"10 MB"):
        make_llm(model=K26_MODEL).invoke(_ask(block))
    assert kimi_simulator.requests == []


def test_profile_says_which_inputs_each_model_takes() -> None:
    k3 = ChatKimi(model=K3_MODEL, api_key="k").profile or {}
    k26 = ChatKimi(model=K26_MODEL, api_key="k").profile or {}
    assert k3["image_inputs"] and k3["image_url_inputs"] and not k3["video_inputs"]
    assert k26["image_inputs"] and k26["image_url_inputs"] and k26["video_inputs"]
