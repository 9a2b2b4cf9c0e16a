#!/usr/bin/env bash
# Compare the ABI of a freshly built libreferral.so with the baseline of the
# last release (abi/libreferral.abi), using libabigail.
#
#   scripts/check-abi.sh BUILD_DIR            check (run by ctest as abi_compatible)
#   scripts/check-abi.sh BUILD_DIR --update   write a new baseline (at a release only)
#
# Passes when nothing changed, or when the only changes are new functions and
# members appended to versioned structs. Fails when a released function was
# removed or its signature or types changed: that is a decision for an issue
# (and a SOVERSION bump), never an accident. Exits 77 (skipped) without abidiff.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: check-abi.sh BUILD_DIR [--update]}
lib="$build/src/libreferral.so"
baseline="$repo/abi/libreferral.abi"
suppr="$repo/abi/appended-members.suppr"
headers=(--headers-dir "$repo/include" --headers-dir "$build/include")

if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
    echo "SKIPPED: abidiff (Debian package abigail-tools) is not installed"
    exit 77
fi
if [ "${2:-}" = "--update" ]; then
    abidw --no-corpus-path --no-comp-dir-path --short-locs --type-id-style hash "${headers[@]}" \
        --out-file "$baseline" "$lib"
    echo "wrote $baseline"
    exit 0
fi

# abidiff's exit status is a bit set: 1 tool error, 2 usage, 4 ABI change, 8 incompatible change.
set +e
abidiff --suppressions "$suppr" --headers-dir1 "$repo/include" --headers-dir1 "$build/include" \
    --headers-dir2 "$repo/include" --headers-dir2 "$build/include" "$baseline" "$lib"
status=$?
set -e
if [ $((status & 3)) -ne 0 ]; then
    echo "FAILED: abidiff could not compare (status $status)"
    exit 1
fi
if [ $((status & 8)) -ne 0 ]; then
    echo "FAILED: a released symbol was removed (see above). Restore it, or make the break a decision in an issue."
    exit 1
fi
if [ $((status & 4)) -ne 0 ]; then
    # Only additions are compatible: compare again ignoring added symbols.
    if ! abidiff --no-added-syms --suppressions "$suppr" --headers-dir1 "$repo/include" \
        --headers-dir1 "$build/include" --headers-dir2 "$repo/include" --headers-dir2 "$build/include" \
        "$baseline" "$lib" >/dev/null; then
        echo "FAILED: a released interface changed (see above). Appending to versioned structs and adding"
        echo "functions are fine; changing what exists is a decision for an issue and a SOVERSION bump."
        exit 1
    fi
    echo "ABI compatible: only additions since the baseline."
    exit 0
fi
echo "ABI unchanged since the baseline."
