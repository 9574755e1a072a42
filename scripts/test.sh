#!/usr/bin/env bash
# The project's test command: lint, format check, strict types, all tests.
# Integration tests run against the bundled loopback simulator; the live
# standard suite runs only when DASHSCOPE_API_KEY is set (skipped otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ]; then
    . .venv/bin/activate  # the virtualenv README's install command made
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
