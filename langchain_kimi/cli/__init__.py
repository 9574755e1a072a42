"""``python -m langchain_kimi demo | chat | probe``: the command line.

``cli.main(argv)`` runs a command in this process (the entry point and the
tests use it); the function lives in ``cli/main.py``.
"""

from langchain_kimi.cli.main import main

__all__ = ["main"]
