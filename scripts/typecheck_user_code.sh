#!/usr/bin/env bash
# Type-check code that uses the package as a user's project would: mypy
# --strict without the pydantic plugin (tests/typing/mypy.ini). The user script
# must pass; tests/typing/must_fail.py must fail, with an error on each line
# marked "  # error: ..." and on no other line.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ]; then
    . .venv/bin/activate
fi
config=tests/typing/mypy.ini
mypy --config-file "$config" tests/typing/user_script.py

bad=tests/typing/must_fail.py
set +e
out=$(mypy --config-file "$config" "$bad")
status=$?
set -e
fail() {
    printf '%s\n' "$out" >&2
    echo "$bad: $1" >&2
    exit 1
}
[ "$status" -eq 1 ] || fail "mypy exited with $status, expected 1"
expected=$(grep -n "  # error: " "$bad" | cut -d: -f1 | sort -n | uniq)
reported=$(printf '%s\n' "$out" | sed -n "s|^$bad:\([0-9]*\): error:.*|\1|p" | sort -n | uniq)
[ "$expected" = "$reported" ] || fail "errors on lines $(echo $reported), expected $(echo $expected)"
echo "$bad: mypy reports each misuse ($(echo "$expected" | wc -l) lines)"
