#!/usr/bin/env bash
# Compares POST /v1/query latency of two builds of the API side by side on the same data, so a
# change is judged by a ratio measured in one run rather than by figures from different days on a
# shared, noisy machine.
#
# usage: scripts/bench/query-ab.sh [-h|--help] OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]
#   Each checkout must be built (./engram build). Needs a running stack (./engram up) whose database
#   holds the SciFact corpus in collection 'scifact' (./engram eval ../shared/data/scifact). Starts
#   each build's API afresh on a port of its own against that stack, runs `bench query` (the same
#   client, the same warm-up: 50 queries) against it, stops it, in the order old, new, new, old, ...
#   for ROUNDS pairs (default 1), and prints each run's figures and the new/old ratios.
#   ENGRAM_AB_COLLECTION asks another collection than bench query's default (e.g. a smaller corpus);
#   ENGRAM_AB_PORT the API's port (default 8095; nothing else may listen there), ENGRAM_AB_QUERIES
#   the queries file. Interrupted, it stops the API it started.
set -euo pipefail

case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac

OLD="$(cd "${1:?usage: query-ab.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]}" && pwd)"
NEW="$(cd "${2:?usage: query-ab.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]}" && pwd)"
ROUNDS="${3:-1}"
PORT="${ENGRAM_AB_PORT:-8095}"
QUERIES="${ENGRAM_AB_QUERIES:-$NEW/../shared/data/scifact/queries.jsonl}"
[ -r "$QUERIES" ] || { echo "cannot read $QUERIES; set ENGRAM_AB_QUERIES" >&2; exit 2; }
JAVA_OPTS="${ENGRAM_JAVA_OPTS:--Xms256m -Xmx2g}"
OUT="$(mktemp -d)"

# The API this script started, if it still runs: stopped however the script ends.
API_PID=""
stop_api() {
  if [ -n "$API_PID" ] && kill -0 "$API_PID" 2>/dev/null; then
    kill "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  API_PID=""
}
trap stop_api EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

classpath() { # checkout module
  local jar
  jar=$(ls "$1/$2"/target/engram-"$2"-*.jar | grep -v -- '-tests.jar' | head -n1)
  printf '%s:%s/%s/target/lib/*' "$jar" "$1" "$2"
}

healthy() { curl -fsS -m 5 "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '"status":"UP"'; }

run() { # label checkout
  local label="$1" dir="$2" up=0
  # Another process answering on the port would be measured instead of this build.
  if curl -s -o /dev/null -m 2 "http://127.0.0.1:$PORT/"; then
    echo "something already listens on port $PORT; stop it or set ENGRAM_AB_PORT" >&2; exit 1
  fi
  # shellcheck disable=SC2086
  ENGRAM_API_PORT="$PORT" ENGRAM_MIGRATE_ON_START=false \
    java $JAVA_OPTS -cp "$(classpath "$dir" api)" io.engram.api.Application >"$OUT/$label.api.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 240); do
    kill -0 "$API_PID" 2>/dev/null \
      || { echo "the $label API exited; see $OUT/$label.api.log" >&2; API_PID=""; exit 1; }
    if healthy; then up=1; break; fi
    sleep 0.5
  done
  [ "$up" -eq 1 ] && kill -0 "$API_PID" 2>/dev/null \
    || { echo "the $label API did not come up; see $OUT/$label.api.log" >&2; exit 1; }
  ENGRAM_API_URL="http://127.0.0.1:$PORT" java -Xmx512m -cp "$(classpath "$NEW" cli)" \
    io.engram.cli.EngramCli bench-query --queries "$QUERIES" ${ENGRAM_AB_COLLECTION:+--collection "$ENGRAM_AB_COLLECTION"} \
    2>"$OUT/$label.err" | tee -a "$OUT/$label.txt"
  stop_api
}

for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then run old "$OLD"; run new "$NEW"; else run new "$NEW"; run old "$OLD"; fi
done

python3 - "$OUT" <<'PY'
import re, sys, statistics, pathlib
out = pathlib.Path(sys.argv[1])
def figures(label):
    rows = [dict(re.findall(r'(\w+)=([\d.]+)', l)) for l in (out / f'{label}.txt').read_text().splitlines() if l.startswith('query ')]
    return {k: statistics.median(float(r[k]) for r in rows) for k in ('p50_ms', 'p95_ms', 'qps')}
old, new = figures('old'), figures('new')
for k in ('p50_ms', 'p95_ms', 'qps'):
    print(f'{k}: old {old[k]:.1f} new {new[k]:.1f} new/old {new[k] / old[k]:.2f}')
PY
echo "logs: $OUT"
