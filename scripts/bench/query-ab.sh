#!/usr/bin/env bash
# Compares POST /v1/query latency of two builds of the API side by side on the same data, so a
# change is judged by a ratio measured in one run rather than by figures from different days on a
# shared, noisy machine.
#
# usage: scripts/bench/query-ab.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]
#   Each checkout must be built (./engram build). Needs a running stack (./engram up) whose database
#   holds the SciFact corpus in collection 'scifact' (./engram eval ../shared/data/scifact). Starts
#   each build's API afresh on a port of its own against that stack, runs `bench query` (the same
#   client, the same warm-up: 50 queries) against it, stops it, in the order old, new, new, old, ...
#   for ROUNDS pairs (default 1), and prints each run's figures and the new/old ratios.
#   ENGRAM_AB_COLLECTION asks another collection than bench query's default (e.g. a smaller corpus).
set -euo pipefail

OLD="$(cd "${1:?usage: query-ab.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]}" && pwd)"
NEW="$(cd "${2:?usage: query-ab.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]}" && pwd)"
ROUNDS="${3:-1}"
PORT="${ENGRAM_AB_PORT:-8095}"
QUERIES="${ENGRAM_AB_QUERIES:-$NEW/../shared/data/scifact/queries.jsonl}"
[ -r "$QUERIES" ] || { echo "cannot read $QUERIES; set ENGRAM_AB_QUERIES" >&2; exit 2; }
JAVA_OPTS="${ENGRAM_JAVA_OPTS:--Xms256m -Xmx2g}"
OUT="$(mktemp -d)"

classpath() { # checkout module
  local jar
  jar=$(ls "$1/$2"/target/engram-"$2"-*.jar | grep -v -- '-tests.jar' | head -n1)
  printf '%s:%s/%s/target/lib/*' "$jar" "$1" "$2"
}

run() { # label checkout
  local label="$1" dir="$2" pid
  # shellcheck disable=SC2086
  ENGRAM_API_PORT="$PORT" ENGRAM_MIGRATE_ON_START=false \
    java $JAVA_OPTS -cp "$(classpath "$dir" api)" io.engram.api.Application >"$OUT/$label.api.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '"status":"UP"' && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$PORT/health" | grep -q '"status":"UP"' \
    || { echo "the $label API did not come up; see $OUT/$label.api.log" >&2; kill "$pid"; exit 1; }
  ENGRAM_API_URL="http://127.0.0.1:$PORT" java -Xmx512m -cp "$(classpath "$NEW" cli)" \
    io.engram.cli.EngramCli bench-query --queries "$QUERIES" ${ENGRAM_AB_COLLECTION:+--collection "$ENGRAM_AB_COLLECTION"} \
    2>"$OUT/$label.err" | tee -a "$OUT/$label.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
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
