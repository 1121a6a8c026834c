#!/usr/bin/env bash
# Discovery's JSONL scan, streamed against the whole-file scan it replaced, side by side.
# Usage: scripts/bench/jsonl-scan.sh CORPUS.jsonl   (after a build: core/target/classes)
set -euo pipefail
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] || [ $# -ne 1 ]; then
  echo "usage: scripts/bench/jsonl-scan.sh CORPUS.jsonl — prints the median scan time of the streamed"
  echo "and the whole-file JSONL scan (build first: mvn -o -q compile -pl db-migrations,contract,core)"
  [ $# -eq 1 ] && exit 0 || exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLASSES="$ROOT/core/target/classes"
[ -d "$CLASSES" ] || { echo "error: $CLASSES is missing; build core first" >&2; exit 1; }
JARS=$(find "$HOME/.m2/repository/com/fasterxml/jackson/core" -name 'jackson-*-2.*.jar' ! -name '*sources*' \
  | sort -V | awk -F/ '{k=$(NF-2); last[k]=$0} END {for (k in last) print last[k]}' | paste -sd:)
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
javac -d "$OUT" -cp "$CLASSES:$JARS" "$ROOT/scripts/bench/jsonl-scan/ScanBench.java"
java -cp "$CLASSES:$JARS:$OUT" ScanBench "$1"
