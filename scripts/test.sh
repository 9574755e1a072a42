#!/usr/bin/env bash
# The project's test command: lint, format check, strict types, all tests.
# Integration tests run against the bundled loopback simulator; the live
# standard suite runs only when DASHSCOPE_API_KEY is set (skipped otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ]; then
    . .venv/bin/activate  # the virtualenv README's install command made
fi

# The shared rate limiter's tests start a real redis-server (Debian's package):
# installed here when missing and we may (root with apt-get, as on CI and a fresh
# machine of this project); otherwise those tests skip and say why.
if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing redis-server (Debian package) for the rate limiter's tests" >&2
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } \
            >/dev/null 2>&1 || echo "could not install redis-server: its tests will skip" >&2
    else
        echo "redis-server not found (apt-get install redis-server): its tests will skip" >&2
    fi
fi

ruff check .
ruff format --check .
mypy --strict langchain_kimi
bash scripts/typecheck_user_code.sh

set +e
# Two workers on two cores (pytest-xdist); benchmarks inside langchain-tests'
# standard suite run once, untimed (speed is bench/'s job, not the tests').
python -m pytest tests -q -p no:cacheprovider -n auto --benchmark-disable "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: treating as a failure" >&2
    exit 1
fi
exit "$status"
