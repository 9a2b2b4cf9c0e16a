#!/usr/bin/env bash
# Build libreferral and run the quickstart example against demo-clinic.db in the repository root.
#
#   scripts/demo.sh
#
# On Debian/Ubuntu it first installs the packages that are missing (apt-get; needs root or
# sudo). The database is removed first, so every run starts from an empty clinic.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
# shellcheck source=scripts/lib/deps.sh
. "$repo/scripts/lib/deps.sh"

# Only what the library and the examples need: no cmocka, swig, Python or doxygen.
rf_ensure_packages cmake gcc libc6-dev make pkg-config libsqlite3-dev uuid-dev

# A fresh build/ is configured without the tests and bindings, whose dependencies the demo does
# not need (scripts/test.sh switches them on again explicitly); an existing build/ keeps its
# settings.
config=(-DRF_BUILD_EXAMPLES=ON)
if [ ! -f "$repo/build/CMakeCache.txt" ]; then
    config+=(-DRF_BUILD_TESTS=OFF -DRF_BUILD_PYTHON=OFF)
fi
cmake -S "$repo" -B "$repo/build" "${config[@]}"
cmake --build "$repo/build" --target quickstart -j "${JOBS:-$(nproc 2>/dev/null || echo 2)}"

db=demo-clinic.db
rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
echo
echo "+ build/examples/quickstart $db"
exec "$repo/build/examples/quickstart" "$db"
