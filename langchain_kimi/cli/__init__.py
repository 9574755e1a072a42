"""``python -m langchain_kimi demo | chat | probe``: the command line."""
