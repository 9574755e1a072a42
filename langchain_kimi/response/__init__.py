"""Normalized results and deltas to ``AIMessage`` / ``AIMessageChunk``, pure."""
