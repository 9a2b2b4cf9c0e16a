# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh (sourced, not run).

# rf_ensure_packages PKG...: install the Debian packages that are not installed yet.
# Checks with dpkg-query first, so a prepared machine never touches the network.
rf_ensure_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        echo "Not a Debian-like system: make sure these (or their equivalents) are installed: $*" >&2
        return 0
    fi
    local missing=() pkg
    for pkg in "$@"; do
        if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "Build dependencies: all installed."
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "Missing packages (${missing[*]}) and not root: install them, then run this again." >&2
            return 1
        fi
    fi
    echo "Installing missing packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# rf_ensure_optional_packages PKG...: like rf_ensure_packages, but a failure (no network, no
# root) is only a warning: what needs them reports itself as skipped instead.
rf_ensure_optional_packages() {
    if ! rf_ensure_packages "$@"; then
        echo "WARNING: could not install $*; the tests that need them will be SKIPPED." >&2
    fi
    return 0
}

# rf_python3: the interpreter behind `python3` on PATH, resolved through shims (pyenv) so that
# CMake and ctest keep using the same Python whatever directory they run in.
rf_python3() {
    local py
    if ! py=$(command -v python3); then
        echo "python3 is not on PATH" >&2
        return 1
    fi
    "$py" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "$py"
}
