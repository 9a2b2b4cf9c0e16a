#!/usr/bin/env bash
# Run every test of libreferral: the plain build (build/) and the AddressSanitizer +
# UndefinedBehaviorSanitizer build (build-asan/), each configured, built and run with ctest.
#
#   scripts/test.sh
#
# On Debian/Ubuntu it first installs the packages that are missing (apt-get; needs root or
# sudo). Safe to run again: the build directories are reused. Exits non-zero when either build
# fails to configure or build, or when any test fails.
# Environment: JOBS (parallel build jobs, default: number of CPUs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
# shellcheck source=scripts/lib/deps.sh
. "$repo/scripts/lib/deps.sh"

rf_ensure_packages cmake gcc libc6-dev make pkg-config binutils libsqlite3-dev uuid-dev \
    libcmocka-dev swig python3-dev doxygen

python=$(rf_python3)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

declare -A result detail

# list_after HEADING LOG: the "  12 - name (Failed)" lines ctest prints under HEADING.
list_after() {
    awk -v h="$1" 'index($0, h) == 1 { f = 1; next }
        f && /^[[:space:]]+[0-9]+ - / { sub(/^[[:space:]]+/, "    "); print; next }
        { f = 0 }' "$2"
}

# run_build NAME DIR CMAKE_ARGS...: configure, build and test one build directory.
run_build() {
    local name=$1 dir=$2
    shift 2
    local log="$dir/ctest.log"
    echo
    echo "=== $name build ($dir) ==="
    if ! cmake -S "$repo" -B "$dir" \
        -DRF_BUILD_TESTS=ON -DRF_BUILD_PYTHON=ON -DRF_BUILD_EXAMPLES=ON \
        -DPython3_EXECUTABLE="$python" "$@"; then
        result[$name]="FAILED"
        detail[$name]="cmake configure failed"
        return 0
    fi
    if ! cmake --build "$dir" -j "$jobs"; then
        result[$name]="FAILED"
        detail[$name]="build failed"
        return 0
    fi
    if ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 2>&1 | tee "$log"; then
        result[$name]="passed"
    else
        result[$name]="FAILED"
    fi
    # "100% tests passed, 0 tests failed out of 14" and the list of failed tests, if any.
    detail[$name]=$(grep -E 'tests passed|tests failed out of|No tests were found' "$log" | tail -n 1 || true)
    if grep -q 'The following tests FAILED' "$log"; then
        detail[$name]+=$'\n'"  failed:"$'\n'$(list_after 'The following tests FAILED' "$log")
    fi
    if grep -q 'The following tests did not run' "$log"; then
        detail[$name]+=$'\n'"  not run or skipped:"$'\n'$(list_after 'The following tests did not run' "$log")
    fi
    if grep -qE 'No tests were found' "$log"; then
        result[$name]="FAILED"
        detail[$name]+=" (no tests ran)"
    fi
}

run_build plain "$repo/build"
run_build asan "$repo/build-asan" -DRF_SANITIZE=ON

echo
echo "=== Summary ==="
status=0
for name in plain asan; do
    printf '%-6s %s\n' "$name:" "${result[$name]}"
    if [ -n "${detail[$name]:-}" ]; then
        printf '%s\n' "${detail[$name]}" | sed 's/^/         /'
    fi
    [ "${result[$name]}" = "passed" ] || status=1
done
if [ $status -eq 0 ]; then
    echo "All tests passed in both builds."
else
    echo "Some builds or tests FAILED; the output above has the details (ctest logs: build/ctest.log,"
    echo "build-asan/ctest.log; re-run one test with: ctest --test-dir build -R NAME --output-on-failure)."
fi
exit $status
