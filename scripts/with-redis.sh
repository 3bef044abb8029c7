#!/usr/bin/env bash
# Usage: scripts/with-redis.sh CMD [ARGS...]
#
# Starts a throwaway redis-server on a free 127.0.0.1 port (no persistence, data in a temporary
# directory), exports PALISADE_TEST_REDIS_URL (redis://127.0.0.1:PORT/0) and
# PALISADE_TEST_REDIS_SERVER (the server binary, for tests that start their own), runs CMD, and
# always stops the server and removes its directory. Exits with CMD's status.
#
# redis-server must be installed (`make redis-server` installs it from Debian when missing).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

server=${PALISADE_TEST_REDIS_SERVER:-$(command -v redis-server || true)}
if [[ -z "$server" || ! -x "$server" ]]; then
    echo "with-redis: redis-server not found; install it with 'make redis-server'" \
        "(Debian package redis-server)" >&2
    exit 1
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/palisade-redis.XXXXXX")
pid=""

stop() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Answers PING on 127.0.0.1:$1 (bash's /dev/tcp: no client binary needed).
ping_port() (
    reply=""
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 1 reply <&3 || true
    [[ "$reply" == "+PONG"* ]]
)

port=""
for _ in $(seq 1 20); do
    candidate=$((20000 + RANDOM % 40000))
    # Something already listens there: pick another port.
    if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        continue
    fi
    "$server" --bind 127.0.0.1 --port "$candidate" --save "" --appendonly no \
        --dir "$workdir" --daemonize no --logfile "$workdir/redis.log" &
    pid=$!
    for _ in $(seq 1 200); do
        if ! kill -0 "$pid" 2>/dev/null; then
            break # exited: port taken between the check and the bind
        fi
        if ping_port "$candidate" 2>/dev/null; then
            port=$candidate
            break
        fi
        sleep 0.05
    done
    if [[ -n "$port" ]] && kill -0 "$pid" 2>/dev/null; then
        break
    fi
    port=""
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
done

if [[ -z "$port" ]]; then
    echo "with-redis: could not start redis-server on a free 127.0.0.1 port" >&2
    [[ -f "$workdir/redis.log" ]] && tail -n 20 "$workdir/redis.log" >&2
    exit 1
fi

export PALISADE_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
export PALISADE_TEST_REDIS_SERVER="$server"
echo "with-redis: redis-server $("$server" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')" \
    "on 127.0.0.1:$port (pid $pid)" >&2

status=0
"$@" || status=$?
exit "$status"
