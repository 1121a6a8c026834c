#!/usr/bin/env bash
# Runs the launcher's `faults` with every action on a service stubbed, so that nothing real is
# started, stopped or asked: a service "runs" while a file of its name is in $STATE, and each start
# and stop is appended to $STATE/log (a start with the LLM endpoint the process would be given).
# Usage: faults-stubbed.sh LAUNCHER WORKDIR [faults options...]
# Environment: LLM_BEFORE=1 (the local LLM runs at the start), COLLECTION_CODE and COLLECTION_BODY
# (the API's answer about the collection), FAULT_FAILS=1 or FAULT_INTERRUPTED=1 (worker-ingest
# fails, or the run gets SIGINT while it runs).
set -u
launcher="$1" work="$2"; shift 2
mkdir -p "$work/scripts" "$work/data" "$work/home" "$work/state"
printf '#!/bin/sh\nexit 0\n' >"$work/scripts/install-deps.sh"
chmod +x "$work/scripts/install-deps.sh"
# Everything but the line that runs main, so the functions can be stubbed before it runs.
sed '$d' "$launcher" >"$work/engram"
echo '{"_id":"1","text":"q"}' >"$work/data/queries.jsonl"
echo '{"_id":"d","text":"t"}' >"$work/data/corpus.jsonl"
export ENGRAM_HOME="$work/home" STATE="$work/state" ENGRAM_API_PORT=1 ENGRAM_LLM_PORT=2
unset DATABASE_URL TEMPORAL_ADDRESS ENGRAM_LLM_PROVIDER ENGRAM_LLM_BASE_URL ENGRAM_LLM_MODEL
cd "$work"
exec bash -c '
source ./engram
log() { echo "$*" >>"$STATE/log"; }
alive() { [ -f "$STATE/$1" ]; }
stop_pid() { if alive "$1"; then log "stop $1"; fi; rm -f "$STATE/$1"; }
start_java() {
  if alive "$1"; then return 0; fi
  export_llm_env
  log "start $1 llm=${ENGRAM_LLM_BASE_URL:-none}"
  touch "$STATE/$1"
}
launch_llm_server() { log "start llm"; touch "$STATE/llm"; }
port_open() { return 1; }
wait_for() { return 0; }
api_healthy() { alive api; }
worker_polling() { alive worker; }
ensure_built() { :; }
require_built() { :; }
pg_target() { :; }
export_service_env() { :; }
await_query() { echo 1; }
curl() {
  local found="{\"name\":\"scifact\",\"active\":5}"
  printf "%s\n%s" "${COLLECTION_BODY-$found}" "${COLLECTION_CODE:-200}"
}
fault_postgres_restart() { log "fault postgres-query"; }
fault_worker_kill() {
  log "fault worker-ingest"
  if [ -n "${FAULT_FAILS:-}" ]; then return 1; fi
  if [ -n "${FAULT_INTERRUPTED:-}" ]; then kill -INT $$; fi
}
fault_temporal_restart() { log "fault temporal-ingest"; }
fault_postgres_ingest() { log "fault postgres-ingest"; }
fault_llm() { log "fault llm-$1"; fault_row "llm $1" - - - - - -; }
touch "$STATE/api" "$STATE/worker" "$STATE/postgres"
if [ -n "${LLM_BEFORE:-}" ]; then
  touch "$STATE/llm"
  export ENGRAM_LLM_PROVIDER=openai ENGRAM_LLM_BASE_URL="http://127.0.0.1:$LLM_PORT/v1" ENGRAM_LLM_MODEL=m
fi
cmd_faults --data "$PWD/data" "$@"
' faults-stubbed "$@"
