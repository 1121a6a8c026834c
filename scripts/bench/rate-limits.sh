#!/usr/bin/env bash
# The cost of a rate-limit check: ENGRAM_RATE_LIMIT_SCOPE=replica (a bucket in memory) against
# cluster (a bucket in PostgreSQL) side by side in one run (io.engram.api.auth.RateLimitsBenchmark).
# Starts a private PostgreSQL with its stock settings (fsync and synchronous_commit on, as a
# production server has them; the test suite's server turns both off) on a free port, runs the
# benchmark against it, stops and removes it. Results: docs/benchmarks/rate-limits.md.
#
# usage: scripts/bench/rate-limits.sh [--checks N] [--rounds R] [--keys K] [--threads T]
#   Builds the modules it needs (offline; mvn -o) unless ENGRAM_BENCH_NO_BUILD=1.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PG_BIN="${ENGRAM_PG_BIN:-/usr/lib/postgresql/15/bin}"
JAVA_OPTS="${ENGRAM_JAVA_OPTS:--Xms256m -Xmx1g}"

run_as_pg() { # PostgreSQL refuses to run as root: use the postgres system user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${ENGRAM_BENCH_NO_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && mvn -o -q -DskipTests -Dspotless.check.skip=true package \
    -pl db-migrations,contract,core,workflows,activities,workers,api)
fi
jar=$(ls "$ROOT"/api/target/engram-api-*.jar | grep -v -- '-tests.jar' | head -n1)
CP="$ROOT/api/target/test-classes:$jar:$ROOT/api/target/lib/*"

DIR="$(mktemp -d /tmp/engram-rate-limits-bench.XXXXXX)"
chmod 755 "$DIR"
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  run_as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
run_as_pg "$PG_BIN/initdb" -D "$DIR/data" -U engram -A trust --encoding UTF8 >"$DIR/init.log" 2>&1
run_as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$DIR'" start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U engram engram

echo "commit $(git -C "$ROOT" rev-parse --short=12 HEAD), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$CP" io.engram.api.auth.RateLimitsBenchmark \
  --db-url "jdbc:postgresql://127.0.0.1:$PORT/engram" "$@"
