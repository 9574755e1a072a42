"""Run the simulator on its own: ``python -m langchain_kimi.testing [--port N]``.

Prints the base URLs and key, then serves until interrupted. Replies can be
queued over HTTP: ``POST /simulator/queue`` with ``{"items": [...]}`` (see
``replies.item_from_dict``); ``POST /simulator/reset``; ``GET /simulator/requests``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading

from langchain_kimi.testing.simulator import DEFAULT_API_KEY, KimiSimulator


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m langchain_kimi.testing")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    args = parser.parse_args()
    with KimiSimulator(api_key=args.api_key, port=args.port) as simulator:
        print(
            json.dumps(
                {
                    "url": simulator.url,
                    "openai_base_url": simulator.openai_base_url,
                    "native_base_url": simulator.native_base_url,
                    "api_key": simulator.api_key,
                }
            ),
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
