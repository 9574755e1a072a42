"""The region a rejected key was used against, named from the base URL (pure)."""

import pytest

from langchain_kimi.cli.probe import region_of


@pytest.mark.parametrize(
    ("base_url", "region"),
    [
        (None, "the China (Beijing) region"),
        ("https://dashscope-intl.aliyuncs.com/api/v1", "the Singapore region"),
        (
            "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
            "the US (Virginia) region",
        ),
        (
            "https://ws-1.ap-northeast-1.maas.aliyuncs.com/compatible-mode/v1",
            "the Tokyo region",
        ),
        ("http://127.0.0.1:8000/compatible-mode/v1", "the host 127.0.0.1"),
    ],
)
def test_the_region_is_named_from_the_host(base_url: str | None, region: str) -> None:
    assert region_of(base_url) == region
