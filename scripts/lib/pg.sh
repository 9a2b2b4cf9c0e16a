# shellcheck shell=bash
# A throw-away PostgreSQL cluster for the tests (sourced, not run).
#
#   . scripts/lib/pg.sh
#   trap rf_pg_stop EXIT
#   rf_pg_start || exit 1
#   ... tests read RF_TEST_POSTGRES ("host=127.0.0.1 port=N user=U", no dbname) ...
#
# rf_pg_start initialises a cluster in a fresh temporary directory, owned by a non-root user,
# listening on 127.0.0.1 only, on a free port, with fsync off (nothing in it is worth keeping),
# and exports RF_TEST_POSTGRES. Each test creates and drops the databases it needs. Where no
# PostgreSQL server is installed it says so loudly and returns 0 with RF_TEST_POSTGRES unset:
# the PostgreSQL tests then report themselves as skipped. It returns 1 when a server exists but
# does not start (the log's tail is printed). rf_pg_stop stops the cluster and removes the
# directory; it is safe to call twice and when nothing was started.

# rf_pg__bindir: the newest server installation that has initdb, pg_ctl and postgres. pg_config
# may describe the client alone, so Debian's versioned directories are searched first.
rf_pg__bindir() {
    local dir candidates=()
    while IFS= read -r dir; do
        candidates+=("$dir")
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -V -r)
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname "$(command -v initdb)")")
    fi
    for dir in "${candidates[@]}"; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# rf_pg__user: the account the server runs as. PostgreSQL refuses to run as root.
rf_pg__user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
    elif getent passwd postgres >/dev/null 2>&1; then
        echo postgres
    else
        if ! getent passwd rftest >/dev/null 2>&1; then
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin rftest >&2 ||
                return 1
        fi
        echo rftest
    fi
}

# rf_pg__as USER CMD...: run CMD as USER (directly when that is who we are).
rf_pg__as() {
    local user=$1
    shift
    if [ "$(id -un)" = "$user" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$user" -- "$@"
    else
        su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
    fi
}

# rf_pg__free_port: a TCP port on 127.0.0.1 that nothing listens on now (the kernel picks it).
# Another program may take it before the server does: rf_pg_start retries with a new port.
rf_pg__free_port() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' && return 0
        fi
    done
    local port _
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

rf_pg__banner() {
    local line="!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    printf '\n%s\n!!! %s\n%s\n\n' "$line" "$*" "$line" >&2
}

rf_pg_start() {
    unset RF_TEST_POSTGRES
    local bindir
    if ! bindir=$(rf_pg__bindir); then
        rf_pg__banner "PostgreSQL server not found: the PostgreSQL test cases will be reported as SKIPPED, not passed" \
            "(install the Debian package 'postgresql' to run them)"
        return 0
    fi
    local user
    if ! user=$(rf_pg__user); then
        rf_pg__banner "PostgreSQL: no non-root user to run the server as (useradd failed)"
        return 1
    fi
    RF_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rf-pg.XXXXXX")
    RF_PG_BINDIR=$bindir
    RF_PG_USER=$user
    export RF_PG_DIR RF_PG_BINDIR RF_PG_USER
    chown "$user" "$RF_PG_DIR"
    local log="$RF_PG_DIR/server.log" data="$RF_PG_DIR/data"
    # C.UTF-8 where the system has it: byte-order collation like the other backends, and
    # character classes that know UTF-8.
    local locale=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale=C.UTF-8
    fi
    echo "PostgreSQL: $("$bindir/postgres" --version) from $bindir, as user $user, in $RF_PG_DIR"
    if ! rf_pg__as "$user" "$bindir/initdb" -D "$data" -A trust -U "$user" -E UTF8 --locale="$locale" \
        --no-sync >"$RF_PG_DIR/initdb.log" 2>&1; then
        rf_pg__banner "PostgreSQL: initdb failed; the end of $RF_PG_DIR/initdb.log:"
        tail -n 30 "$RF_PG_DIR/initdb.log" >&2
        return 1
    fi
    local port _
    for _ in 1 2 3 4 5; do
        if ! port=$(rf_pg__free_port); then
            rf_pg__banner "PostgreSQL: found no free TCP port on 127.0.0.1"
            return 1
        fi
        # Settings are appended to the file rather than passed on pg_ctl's command line,
        # which goes through a shell. The last value of a setting wins.
        cat >"$data/rf-test.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$RF_PG_DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
        chown "$user" "$data/rf-test.conf"
        grep -q "^include = 'rf-test.conf'" "$data/postgresql.conf" ||
            echo "include = 'rf-test.conf'" >>"$data/postgresql.conf"
        if rf_pg__as "$user" "$bindir/pg_ctl" start -w -t 60 -D "$data" -l "$log" >>"$RF_PG_DIR/pg_ctl.log" 2>&1; then
            export RF_TEST_POSTGRES="host=127.0.0.1 port=$port user=$user"
            echo "PostgreSQL: listening on 127.0.0.1:$port; RF_TEST_POSTGRES=\"$RF_TEST_POSTGRES\""
            return 0
        fi
        # Another program took the port between the probe and the start: try another one.
        grep -q "could not bind\|Address already in use" "$log" 2>/dev/null || break
    done
    rf_pg__banner "PostgreSQL: the server did not start; the end of $log:"
    tail -n 30 "$log" >&2 2>/dev/null || true
    tail -n 10 "$RF_PG_DIR/pg_ctl.log" >&2 2>/dev/null || true
    return 1
}

rf_pg_stop() {
    [ -n "${RF_PG_DIR:-}" ] || return 0
    local data="$RF_PG_DIR/data"
    if [ -f "$data/postmaster.pid" ]; then
        if ! rf_pg__as "$RF_PG_USER" "$RF_PG_BINDIR/pg_ctl" stop -m immediate -w -t 30 -D "$data" \
            >>"$RF_PG_DIR/pg_ctl.log" 2>&1; then
            # pg_ctl could not do it: end the server this cluster started, by its own pid.
            local pid
            pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ]; then
                kill -QUIT "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf "$RF_PG_DIR"
    unset RF_PG_DIR RF_PG_BINDIR RF_PG_USER RF_TEST_POSTGRES
    return 0
}
