#!/usr/bin/env bash
# Driver of the consumer tests (see consumer_tests.cmake).
#
#   driver.sh ENV_FILE STEP
#
# ENV_FILE is written by CMake into the build tree (build/tests/consumer/consumer.env) and holds
# the paths and flags of that build, so a step can be re-run by hand:
#   tests/consumer/driver.sh build/tests/consumer/consumer.env symbols
#
# Steps:
#   install    cmake --install the build into a fresh prefix and check the installed layout
#   cmake      build tests/consumer with find_package(referral) (shared and static) and run it
#   pkgconfig  build consumer.c with pkg-config --cflags --libs libreferral (and --static), run it
#   symbols    the installed shared library exports rf_* only (no rf__*) and has the right SONAME
#   api        every RF_API function of the installed headers is exported, and nothing else is
#   doxygen    doxygen over the public headers reports no undocumented public symbol
#              (exit 77, reported by ctest as skipped, when doxygen is not installed)
# "[ A ] && [ B ] || bad ...": bad runs when either test fails, as intended.
# shellcheck disable=SC2015
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 ENV_FILE install|cmake|pkgconfig|symbols|api|doxygen" >&2
    exit 2
fi
# shellcheck disable=SC1090
. "$1"
step=$2

SKIP=77
work="$RF_WORK_DIR"
libdir="$RF_PREFIX/$RF_LIBDIR"
includedir="$RF_PREFIX/$RF_INCLUDEDIR"
shared_real="$libdir/libreferral.so.$RF_VERSION"
shared_soname="libreferral.so.$RF_SOVERSION"

fail=0
say() { printf '%s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*" >&2; fail=1; }
need_prefix() {
    if [ ! -d "$RF_PREFIX" ]; then
        echo "FAIL: $RF_PREFIX does not exist: run the consumer_install test first" >&2
        exit 1
    fi
}

# The flags of the library build (sanitizers) are passed on to everything built here.
read -r -a extra_cflags <<<"${RF_CFLAGS:-}"
read -r -a extra_ldflags <<<"${RF_LDFLAGS:-}"

step_install() {
    rm -rf "$RF_PREFIX"
    mkdir -p "$RF_PREFIX"
    local comp
    for comp in referral_Runtime referral_Development; do
        say "+ cmake --install $RF_BINARY_DIR --prefix $RF_PREFIX --component $comp"
        "$RF_CMAKE" --install "$RF_BINARY_DIR" --prefix "$RF_PREFIX" --component "$comp"
    done

    say "Installed files:"
    (cd "$RF_PREFIX" && find . \( -type f -o -type l \) | sort | sed 's|^\./|  |')

    # Every public header, unchanged; the generated version.h; no template.
    local h rel
    while IFS= read -r h; do
        rel=${h#"$RF_SOURCE_DIR/include/"}
        if [ ! -f "$includedir/$rel" ]; then
            bad "header $rel is not installed"
        elif ! cmp -s "$h" "$includedir/$rel"; then
            bad "installed header $rel differs from the source"
        fi
    done < <(find "$RF_SOURCE_DIR/include" -name '*.h' | sort)
    if ! cmp -s "$RF_BINARY_DIR/include/referral/version.h" "$includedir/referral/version.h"; then
        bad "the generated referral/version.h is not installed"
    fi
    if find "$includedir" -name '*.in' | grep -q .; then
        bad "a template (*.in) was installed: $(find "$includedir" -name '*.in')"
    fi

    # libreferral.so -> libreferral.so.SOVERSION -> libreferral.so.VERSION, and libreferral.a.
    [ -f "$shared_real" ] && [ ! -L "$shared_real" ] || bad "$shared_real is missing"
    [ -L "$libdir/$shared_soname" ] && [ "$(readlink "$libdir/$shared_soname")" = "libreferral.so.$RF_VERSION" ] ||
        bad "$libdir/$shared_soname is not a symlink to libreferral.so.$RF_VERSION"
    [ -L "$libdir/libreferral.so" ] && [ "$(readlink "$libdir/libreferral.so")" = "$shared_soname" ] ||
        bad "$libdir/libreferral.so is not a symlink to $shared_soname"
    [ -f "$libdir/libreferral.a" ] || bad "$libdir/libreferral.a is missing"

    local f
    for f in referralConfig.cmake referralConfigVersion.cmake referralTargets.cmake referralStaticTargets.cmake; do
        [ -f "$libdir/cmake/referral/$f" ] || bad "$libdir/cmake/referral/$f is missing"
    done
    local pc="$libdir/pkgconfig/libreferral.pc"
    if [ -f "$pc" ]; then
        grep -qx "prefix=$RF_PREFIX" "$pc" || bad "libreferral.pc does not say prefix=$RF_PREFIX: $(grep '^prefix=' "$pc")"
        grep -q '@' "$pc" && bad "libreferral.pc has unsubstituted @VARIABLES@"
    else
        bad "$pc is missing"
    fi
    [ -f "$RF_PREFIX/share/doc/referral/LICENSE" ] || bad "the licence is not installed to share/doc/referral"
    return $fail
}

step_cmake() {
    need_prefix
    local dir="$work/cmake"
    rm -rf "$dir"
    local args=(-S "$RF_CONSUMER_DIR" -B "$dir" -G "$RF_GENERATOR"
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
        -DCMAKE_C_COMPILER="$RF_CC"
        -DCMAKE_C_FLAGS="${RF_CFLAGS:-}"
        -DCMAKE_EXE_LINKER_FLAGS="${RF_LDFLAGS:-}"
        -DCMAKE_PREFIX_PATH="$RF_PREFIX"
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
        -DRF_EXPECT_PREFIX="$RF_PREFIX")
    [ -n "${RF_MAKE_PROGRAM:-}" ] && args+=(-DCMAKE_MAKE_PROGRAM="$RF_MAKE_PROGRAM")
    say "+ cmake ${args[*]}"
    "$RF_CMAKE" "${args[@]}"
    "$RF_CMAKE" --build "$dir"

    # The program must load the installed library (through the RPATH CMake gives it).
    local resolved
    resolved=$(ldd "$dir/consumer" | awk '/libreferral\.so/ {print $3}')
    say "consumer loads libreferral from: ${resolved:-(not found)}"
    case "$resolved" in
        "$libdir"/*) ;;
        *) bad "the CMake-built consumer does not load libreferral from $libdir" ;;
    esac
    say "+ $dir/consumer"
    "$dir/consumer" || bad "the consumer linked with referral::referral failed"
    say "+ $dir/consumer_static"
    if ldd "$dir/consumer_static" | grep -q libreferral; then
        bad "consumer_static is linked against the shared library"
    fi
    "$dir/consumer_static" || bad "the consumer linked with referral::referral_static failed"
    return $fail
}

step_pkgconfig() {
    need_prefix
    local dir="$work/pkgconfig"
    rm -rf "$dir"
    mkdir -p "$dir"
    export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    local pc="$RF_PKG_CONFIG"
    "$pc" --exists --print-errors libreferral

    local version prefix
    version=$("$pc" --modversion libreferral)
    prefix=$("$pc" --variable=prefix libreferral)
    say "pkg-config: libreferral $version, prefix $prefix"
    [ "$version" = "$RF_VERSION" ] || bad "pkg-config says version $version, the build is $RF_VERSION"
    [ "$prefix" = "$RF_PREFIX" ] || bad "pkg-config says prefix $prefix, installed to $RF_PREFIX"

    local cflags libs static_libs
    cflags=$("$pc" --cflags libreferral)
    libs=$("$pc" --libs libreferral)
    static_libs=$("$pc" --static --libs libreferral)
    say "cflags: $cflags"
    say "libs: $libs"
    say "static libs: $static_libs"
    local -a cflags_a libs_a static_a=()
    read -r -a cflags_a <<<"$cflags"
    read -r -a libs_a <<<"$libs"
    local w
    for w in $static_libs; do
        # Link the archive itself: with both libreferral.so and .a installed, -lreferral picks the .so.
        if [ "$w" = "-lreferral" ]; then static_a+=("$libdir/libreferral.a"); else static_a+=("$w"); fi
    done
    case " $static_libs " in *" -lsqlite3 "*) ;; *) bad "pkg-config --static --libs lacks -lsqlite3" ;; esac
    case " $static_libs " in *" -luuid "*) ;; *) bad "pkg-config --static --libs lacks -luuid" ;; esac

    # The headers promise plain C99, so the consumer is compiled strictly.
    local strict=(-std=c99 -pedantic-errors -Wall -Wextra -Werror)
    say "+ $RF_CC ${strict[*]} ${extra_cflags[*]} consumer.c \$(pkg-config --cflags --libs libreferral) ${extra_ldflags[*]}"
    "$RF_CC" "${strict[@]}" "${extra_cflags[@]}" -o "$dir/consumer" "$RF_CONSUMER_DIR/consumer.c" \
        "${cflags_a[@]}" "${libs_a[@]}" "${extra_ldflags[@]}"
    say "+ LD_LIBRARY_PATH=$libdir $dir/consumer"
    LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$dir/consumer" ||
        bad "the consumer built with pkg-config failed"

    say "+ $RF_CC ... consumer.c \$(pkg-config --static --cflags --libs libreferral) (archive)"
    "$RF_CC" "${strict[@]}" "${extra_cflags[@]}" -o "$dir/consumer_static" "$RF_CONSUMER_DIR/consumer.c" \
        "${cflags_a[@]}" "${static_a[@]}" "${extra_ldflags[@]}"
    "$dir/consumer_static" || bad "the consumer built with pkg-config --static failed"
    return $fail
}

# The dynamic symbols the installed shared library defines, one name a line, without versions
# and without the version nodes of the version script (REFERRAL_0, ...).
exported_symbols() {
    local nodes
    nodes=$("$RF_READELF" -V --wide "$shared_real" |
        sed -n 's/.*Flags: BASE.*//; s/.*Name: \([A-Za-z0-9_.]*\)$/\1/p' | sort -u)
    "$RF_NM" -D --defined-only "$shared_real" | awk '{print $NF}' | sed 's/@.*//' | sort -u |
        { if [ -n "$nodes" ]; then grep -vxF "$nodes" || true; else cat; fi; }
}

step_symbols() {
    need_prefix
    [ -f "$shared_real" ] || { bad "$shared_real is missing"; return 1; }
    local soname
    soname=$("$RF_READELF" -d "$shared_real" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
    say "SONAME: ${soname:-(none)}"
    [ "$soname" = "$shared_soname" ] || bad "SONAME is '${soname}', expected $shared_soname"

    local syms
    syms=$(exported_symbols)
    local total rf internal other
    total=$(printf '%s\n' "$syms" | grep -c . || true)
    rf=$(printf '%s\n' "$syms" | grep -c '^rf_' || true)
    internal=$(printf '%s\n' "$syms" | grep '^rf__' || true)
    other=$(printf '%s\n' "$syms" | grep -v '^rf_' | grep . || true)
    say "defined dynamic symbols: $total, of which rf_*: $rf"
    [ -z "$internal" ] || bad "internal rf__ symbols are exported:"$'\n'"$internal"
    [ -z "$other" ] || bad "symbols outside rf_* are exported:"$'\n'"$other"
    [ "$rf" -gt 0 ] || bad "no rf_* symbol is exported at all"
    return $fail
}

step_api() {
    need_prefix
    [ -f "$shared_real" ] || { bad "$shared_real is missing"; return 1; }
    # Declared: the function named on each `RF_API ...` line of the installed headers.
    local declared exported missing extra
    declared=$(grep -rh --include='*.h' '^[[:space:]]*RF_API[[:space:]]' "$includedir" |
        grep -o 'rf_[A-Za-z0-9_]*[[:space:]]*(' | sed 's/[[:space:]]*($//' | sort -u)
    exported=$(exported_symbols | grep '^rf_' || true)
    missing=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported") | grep . || true)
    extra=$(comm -13 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported") | grep . || true)
    say "RF_API functions declared in the headers: $(printf '%s\n' "$declared" | grep -c .)," \
        "rf_* symbols exported: $(printf '%s\n' "$exported" | grep -c . || true)"
    [ -z "$missing" ] || bad "declared in the public headers but not exported by libreferral.so" \
        "($(printf '%s\n' "$missing" | grep -c .)):"$'\n'"$missing"
    [ -z "$extra" ] || bad "exported but declared in no public header (make them static or rf__):"$'\n'"$extra"
    return $fail
}

step_doxygen() {
    if [ -z "${RF_DOXYGEN:-}" ] || ! command -v "$RF_DOXYGEN" >/dev/null 2>&1; then
        say "doxygen is not installed: skipping the header documentation check"
        exit $SKIP
    fi
    local log="$work/doxygen/warnings.log"
    rm -rf "$work/doxygen"
    mkdir -p "$work/doxygen"
    say "+ $RF_DOXYGEN $RF_DOXYFILE"
    "$RF_DOXYGEN" "$RF_DOXYFILE"
    [ -f "$log" ] || { bad "doxygen wrote no warning log ($log)"; return 1; }
    local undocumented others
    undocumented=$(grep -i 'is not documented' "$log" || true)
    others=$(grep -iv 'is not documented' "$log" | grep . || true)
    if [ -n "$others" ]; then
        say "Other doxygen warnings (not failing this test):"
        say "$others"
    fi
    if [ -n "$undocumented" ]; then
        bad "undocumented public symbols ($(printf '%s\n' "$undocumented" | grep -c .)):"$'\n'"$undocumented"
    else
        say "every public symbol in the headers is documented"
    fi
    return $fail
}

case "$step" in
    install | cmake | pkgconfig | symbols | api | doxygen) "step_$step" ;;
    *)
        echo "unknown step '$step'" >&2
        exit 2
        ;;
esac
