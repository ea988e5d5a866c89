# Sourced by bin/start, bin/test and .ci/run: finds Python 3.12+, makes sure uv is there and
# syncs the project's environment from uv.lock. Not meant to be run on its own.
# shellcheck shell=bash

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PROJECT_DIR" || exit 1

# uv must use the interpreter we found, never download one (the machine may have no internet
# beyond PyPI).
export UV_PYTHON_DOWNLOADS=never

say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

_python_is_recent_enough() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    # pyenv honours .python-version (3.12) when it has that version installed.
    if command -v pyenv >/dev/null 2>&1; then
        candidate="$(pyenv which python 2>/dev/null || true)"
        if [ -n "$candidate" ] && _python_is_recent_enough "$candidate"; then
            PYTHON="$candidate"
            return
        fi
    fi
    for candidate in python3.12 python3.13 python3.14 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && _python_is_recent_enough "$candidate"; then
            PYTHON="$(command -v "$candidate")"
            return
        fi
    done
    fail "peercoach needs Python 3.12 or newer and none was found.
  Install one (for example with pyenv: 'pyenv install 3.12') and try again."
}

find_uv() {
    # A pyenv shim named uv can exist without a working uv behind it, so try to run it.
    if uv --version >/dev/null 2>&1; then
        UV=(uv)
        return
    fi
    if "$PYTHON" -m uv --version >/dev/null 2>&1; then
        UV=("$PYTHON" -m uv)
        return
    fi
    say "Installing uv from PyPI for $PYTHON"
    if ! "$PYTHON" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then
        # A distribution's own Python refuses pip installs (PEP 668): keep uv in a private venv.
        local tools="$PROJECT_DIR/var/tools"
        "$PYTHON" -m venv "$tools" || fail "could not create $tools to install uv in"
        "$tools/bin/python" -m pip install --quiet --disable-pip-version-check uv \
            || fail "could not install uv from PyPI (is https://pypi.org reachable?)"
        UV=("$tools/bin/python" -m uv)
        return
    fi
    UV=("$PYTHON" -m uv)
}

sync_environment() {
    find_python
    find_uv
    export UV_PYTHON="$PYTHON"
    say "Python: $("$PYTHON" --version 2>&1) ($PYTHON); uv: $("${UV[@]}" --version)"
    say "Syncing dependencies from uv.lock"
    "${UV[@]}" sync --frozen --quiet || fail "'uv sync --frozen' failed (see above)"
}

uv_run() {
    "${UV[@]}" run --frozen --no-sync "$@"
}
