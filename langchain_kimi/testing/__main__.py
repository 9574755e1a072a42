"""Run the simulator on its own: ``python -m langchain_kimi.testing [--port N]``.

On a terminal it prints a banner (URL, key, the two ``export`` lines that
point ``python -m langchain_kimi chat`` and ChatKimi at it); piped, one JSON
line with the base URLs and key, for scripts. Then it serves until
interrupted. Replies can be queued over HTTP: ``POST /simulator/queue`` with
``{"items": [...]}`` (see ``replies.item_from_dict``); ``POST
/simulator/reset``; ``GET /simulator/requests``; ``GET /simulator/connections``
(connections opened, requests, requests per connection). Control requests
need the key and JSON, and are answered only on this machine
(``testing.control``; ``control.call`` is a client). ``--connect-delay
SECONDS`` holds back the first request on each new connection, as TCP and
TLS set-up would. ``--profile PATH`` makes it
behave as a profile says (one ``python -m langchain_kimi probe`` recorded).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading

from langchain_kimi.testing.simulator import DEFAULT_API_KEY, KimiSimulator


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m langchain_kimi.testing")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument(
        "--connect-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="delay the first request on each new TCP connection",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        default=None,
        help="behave as this simulator profile says (default: published references)",
    )
    args = parser.parse_args()
    with KimiSimulator(
        api_key=args.api_key,
        port=args.port,
        connect_delay=args.connect_delay,
        profile=args.profile,
    ) as simulator:
        if sys.stdout.isatty():
            print(banner(simulator), flush=True)
        else:
            print(
                json.dumps(
                    {
                        "url": simulator.url,
                        "openai_base_url": simulator.openai_base_url,
                        "native_base_url": simulator.native_base_url,
                        "api_key": simulator.api_key,
                        "behaviour": simulator.behaviour.to_dict(),
                    }
                ),
                flush=True,
            )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def banner(simulator: KimiSimulator) -> str:
    """What a person at a terminal needs: where it is and how to use it."""
    return (
        f"Kimi simulator (local, offline) listening on {simulator.url}\n"
        f"  API key:                     {simulator.api_key}\n"
        f"  OpenAI-compatible base URL:  {simulator.openai_base_url}\n"
        f"  Native (dashscope) base URL: {simulator.native_base_url}\n"
        "In another shell, point the CLI or ChatKimi at it:\n"
        f"  export DASHSCOPE_BASE_URL={simulator.openai_base_url}\n"
        f"  export DASHSCOPE_API_KEY={simulator.api_key}\n"
        '  python -m langchain_kimi chat "Who are you?"\n'
        "Ctrl-C stops it."
    )


if __name__ == "__main__":
    main()
