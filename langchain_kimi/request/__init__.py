"""LangChain input to a ``ChatRequest``, pure: messages, tools, the features
table's refusals and the token estimate. No I/O."""
