"""One module per wire protocol, each a set of pure functions.

``openai`` is the OpenAI-compatible endpoint (``/compatible-mode/v1``),
``native`` DashScope's own (``/api/v1``). Each maps a ``ChatRequest`` to its
body, and its replies, stream events and error bodies to the shapes in
``normalized`` and the exceptions in ``errors``. ``common`` holds what both
spell alike.
"""
