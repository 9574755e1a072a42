#!/usr/bin/env bash
# Type-check code that uses the installed package, as a user's project would:
# mypy --strict without the pydantic plugin (tests/typing/mypy.ini), away from
# the source tree, with the package found the way installed packages are (a
# copy of the directory `import langchain_kimi` loads, on PYTHONPATH, where
# PEP 561 applies: no py.typed, no types). tests/typing/user_script.py must
# pass; tests/typing/must_fail.py must fail, with an error on each line marked
# "  # error: ..." and on no other line.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ]; then
    . .venv/bin/activate
fi
installed=$(python -c "import langchain_kimi, os; print(os.path.dirname(langchain_kimi.__file__))")
work=.mypy_cache/user_code  # kept between runs: mypy's cache lives there too
rm -rf "$work/site" "$work/user"
mkdir -p "$work/site" "$work/user"
cp -R "$installed" "$work/site/langchain_kimi"
cp tests/typing/mypy.ini tests/typing/user_script.py tests/typing/must_fail.py "$work/user/"
cd "$work/user"
export PYTHONPATH="$PWD/../site"
check() { mypy --config-file mypy.ini --cache-dir ../cache "$@"; }

check user_script.py

bad=must_fail.py
set +e
out=$(check "$bad")
status=$?
set -e
fail() {
    printf '%s\n' "$out" >&2
    echo "tests/typing/$bad: $1" >&2
    exit 1
}
[ "$status" -eq 1 ] || fail "mypy exited with $status, expected 1"
expected=$(grep -n "  # error: " "$bad" | cut -d: -f1 | sort -n | uniq)
reported=$(printf '%s\n' "$out" | sed -n "s|^$bad:\([0-9]*\): error:.*|\1|p" | sort -n | uniq)
[ "$expected" = "$reported" ] || fail "errors on lines $(echo $reported), expected $(echo $expected)"
echo "tests/typing/$bad: mypy reports each misuse ($(echo "$expected" | wc -l) lines)"
