"""ChatKimi's own warnings point at the user's line, never inside a library."""

import warnings

from langchain_kimi import ChatKimi


def _only_warning(caught: list[warnings.WarningMessage]) -> warnings.WarningMessage:
    (warning,) = [w for w in caught if issubclass(w.category, UserWarning)]
    return warning


def test_the_clear_text_warning_is_at_the_constructor_call() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatKimi(api_key="k", base_url="http://example.test/compatible-mode/v1")
    warning = _only_warning(caught)
    assert warning.filename == __file__
    assert "example.test" in str(warning.message)


def test_the_tool_choice_warning_is_at_the_bind_tools_call() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {}}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatKimi(api_key="k").bind_tools([tool], tool_choice="f")
    warning = _only_warning(caught)
    assert warning.filename == __file__
    assert "kimi-k3" in str(warning.message)


def test_structured_outputs_tool_choice_warning_is_at_the_users_call() -> None:
    schema = {"title": "A", "type": "object", "properties": {"a": {"type": "integer"}}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatKimi(api_key="k").with_structured_output(schema, method="function_calling")
    assert _only_warning(caught).filename == __file__
