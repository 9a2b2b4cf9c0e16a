#!/usr/bin/env bash
# Run every test of libreferral: the plain build (build/) and the AddressSanitizer +
# UndefinedBehaviorSanitizer build (build-asan/), each configured, built and run with ctest.
#
#   scripts/test.sh
#
# On Debian/Ubuntu it first installs the packages that are missing (apt-get; needs root or
# sudo). Safe to run again: the build directories are reused. Exits non-zero when either build
# fails to configure or build, or when any test fails.
#
# Both builds run their PostgreSQL tests against one throw-away cluster started here
# (scripts/lib/pg.sh: initdb into a temporary directory, loopback, a free port) and stopped on
# any exit. Without a PostgreSQL server those tests are reported as SKIPPED, never as passed;
# a server that is installed but does not start fails the run.
# Environment: JOBS (parallel build jobs, default: number of CPUs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
# shellcheck source=scripts/lib/deps.sh
. "$repo/scripts/lib/deps.sh"
# shellcheck source=scripts/lib/pg.sh
. "$repo/scripts/lib/pg.sh"

rf_ensure_packages cmake gcc libc6-dev make pkg-config binutils libsqlite3-dev uuid-dev \
    libcmocka-dev swig python3-dev doxygen
# The PostgreSQL backend's client library and a server for its tests.
rf_ensure_optional_packages libpq-dev postgresql

# Stop the cluster however the script ends: tests failing, an error, Ctrl-C or a kill.
trap rf_pg_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
pg_state="not started"
if rf_pg_start; then
    if [ -n "${RF_TEST_POSTGRES:-}" ]; then
        pg_state="a throw-away server ran for both builds ($RF_TEST_POSTGRES)"
    else
        pg_state="SKIPPED, not passed: no PostgreSQL server installed"
    fi
else
    pg_state="FAILED: the PostgreSQL server did not start (see above); its tests were skipped"
fi

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
    # The PostgreSQL entries, so that a skip can never pass for a success.
    local pg_lines
    pg_lines=$(grep -E 'Test +#[0-9]+: [A-Za-z0-9_]*postgres[A-Za-z0-9_]* ' "$log" |
        sed -E 's/^.*Test +#[0-9]+: ([A-Za-z0-9_]+) .*(Passed|Skipped|Failed|Not Run|Timeout|Exception).*$/\1 \2/' || true)
    if [ -n "$pg_lines" ]; then
        local pg_passed pg_skipped pg_other
        pg_passed=$(grep -c ' Passed$' <<<"$pg_lines" || true)
        pg_skipped=$(grep -c ' Skipped$' <<<"$pg_lines" || true)
        pg_other=$(grep -vcE ' (Passed|Skipped)$' <<<"$pg_lines" || true)
        detail[$name]+=$'\n'"  PostgreSQL tests: $pg_passed passed, $pg_skipped SKIPPED, $pg_other failed"
        if [ "$pg_skipped" -gt 0 ]; then
            detail[$name]+=" (skipped: $(grep ' Skipped$' <<<"$pg_lines" | cut -d' ' -f1 | tr '\n' ' ')"
            detail[$name]="${detail[$name]% })"
        fi
    fi
    if grep -qE 'No tests were found' "$log"; then
        result[$name]="FAILED"
        detail[$name]+=" (no tests ran)"
    fi
}

# Said explicitly, so that a build directory configured before libpq was installed follows suit.
if pkg-config --exists libpq 2>/dev/null; then
    with_postgres=ON
else
    with_postgres=OFF
fi
run_build plain "$repo/build" -DRF_WITH_POSTGRES=$with_postgres
run_build asan "$repo/build-asan" -DRF_SANITIZE=ON -DRF_WITH_POSTGRES=$with_postgres

echo
echo "=== Summary ==="
status=0
echo "PostgreSQL: $pg_state"
case $pg_state in
FAILED*) status=1 ;;
esac
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
