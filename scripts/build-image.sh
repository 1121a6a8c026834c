#!/usr/bin/env bash
# Builds the container images of the API and the worker without a Docker daemon or a registry:
#   .engram/image/engram-api-TAG.tar and .engram/image/engram-worker-TAG.tar
# Each archive is an OCI image layout that also carries Docker's manifest.json, so `docker load`,
# `podman load` and `skopeo copy oci-archive:…` all read it. Two layers:
#   1. the base: Debian bookworm with its -updates and -security suites (from the machine's own apt
#      mirrors) with openjdk-17-jre-headless and the user engram (uid/gid 10001), assembled by
#      mmdebstrap and cached in .engram/image/ for at most ENGRAM_IMAGE_BASE_MAX_DAYS (7) days, so
#      the JRE and the libraries get Debian's fixes at least weekly;
#   2. the application: the module's jar and its runtime classpath (target/lib) under /app,
#      owned by root and read-only to the process.
# The images run as 10001, need nothing writable but /tmp (the chart mounts an emptyDir there:
# ONNX Runtime extracts its native libraries into java.io.tmpdir, DJL's tokenizers into
# DJL_CACHE_DIR=/tmp/djl, JNA into ~/.cache with HOME=/tmp), and default to the prod profile.
#
# usage: scripts/build-image.sh [--tag TAG] [--skip-build] [--rebuild-base] [--check] [--print-sources]
#   --skip-build     use the jars already in api/target and workers/target
#   --rebuild-base   assemble the Debian base again (otherwise reused while younger than
#                    ENGRAM_IMAGE_BASE_MAX_DAYS days and assembled from the same apt sources)
#   --check          after building, verify both archives: every blob's
#                    digest, the layer diff_ids, and that both processes start from the unpacked image
#                    as uid 10001 on a read-only root with only /tmp writable
#   --print-sources  print the apt source lines the base is assembled from (read from
#                    ENGRAM_APT_DIR, default /etc/apt) and exit
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${ENGRAM_HOME:-$ROOT/.engram}"
OUT="$STATE/image"
# The JRE the project builds and tests with (Java 17) from Debian bookworm, the distribution of the
# development machines; pinned by suite, updated by rebuilding the base.
SUITE="bookworm"
BASE_PACKAGES="openjdk-17-jre-headless,ca-certificates,libstdc++6"
APP_UID=10001
# Image names: the Helm chart's values (api.image.repository, worker.image.repository) use them.
API_IMAGE="engram-api"
WORKER_IMAGE="engram-worker"

log() { printf '[image] %s\n' "$*" >&2; }
die() { printf '[image] %s\n' "$*" >&2; exit 1; }

# A cached base older than this many days is assembled again, with Debian's latest fixes.
BASE_MAX_DAYS="${ENGRAM_IMAGE_BASE_MAX_DAYS:-7}"
# The apt configuration the mirrors are read from.
APT_DIR="${ENGRAM_APT_DIR:-/etc/apt}"

TAG=""; SKIP_BUILD=0; REBUILD_BASE=0; CHECK=0; PRINT_SOURCES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --rebuild-base) REBUILD_BASE=1; shift ;;
    --check) CHECK=1; shift ;;
    --print-sources) PRINT_SOURCES=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
if [ -z "$TAG" ]; then
  # The chart's appVersion is the project's version without -SNAPSHOT.
  TAG=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$ROOT/pom.xml" | head -n1)
  TAG="${TAG%-SNAPSHOT}"
fi

# The first URI of the machine's apt configuration whose path ends in /$1 (deb822 .sources first,
# then one-line .list files); empty if none.
apt_uri() {
  local path="$1" uri
  uri=$(grep -hE '^\s*URIs:' "$APT_DIR"/sources.list.d/*.sources 2>/dev/null \
        | awk '{for(i=2;i<=NF;i++) print $i}' | grep -E "/$path/?\$" | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^\s*deb\s' "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/*.list 2>/dev/null \
          | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; break}}' | grep -E "/$path/?\$" | head -n1 || true)
  fi
  printf '%s' "${uri%/}"
}

# The Debian mirror this machine already uses, read from its own apt configuration.
debian_mirror() {
  local uri; uri=$(apt_uri debian)
  [ -n "$uri" ] || die "cannot find a Debian mirror in $APT_DIR"
  printf '%s\n' "$uri"
}

# The Debian security mirror of the apt configuration; failing that, the Debian mirror's
# debian-security beside its debian, where Debian's own mirrors serve it.
debian_security_mirror() {
  local uri; uri=$(apt_uri debian-security)
  if [ -z "$uri" ]; then
    uri="$(debian_mirror)-security" || exit 1
    log "no debian-security source in $APT_DIR; using $uri"
  fi
  printf '%s\n' "$uri"
}

# The apt source lines of the base: the suite and its -updates from the Debian mirror, -security
# from the security mirror.
base_sources() {
  local mirror security
  # A command substitution does not inherit set -e: each failure ends the caller explicitly.
  mirror=$(debian_mirror) || exit 1
  security=$(debian_security_mirror) || exit 1
  printf 'deb %s %s main\n' "$mirror" "$SUITE" "$mirror" "$SUITE-updates" "$security" "$SUITE-security"
}

if [ "$PRINT_SOURCES" -eq 1 ]; then
  base_sources
  exit 0
fi

sha() { sha256sum "$1" | cut -d' ' -f1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Puts file $1 into the blob store $2 under its digest; prints the digest.
add_blob() {
  local d; d=$(sha "$1")
  mkdir -p "$2/blobs/sha256"
  cp "$1" "$2/blobs/sha256/$d"
  printf '%s' "$d"
}

build_base() {
  local rootfs="$OUT/base-rootfs.tar" sources
  sources=$(base_sources) || exit 1
  if [ "$REBUILD_BASE" -eq 0 ] && [ -s "$OUT/base-layer.tar.gz" ] && [ -s "$OUT/base-layer.diffid" ]; then
    if [ "$(cat "$OUT/base-layer.sources" 2>/dev/null)" != "$sources" ]; then
      log "the cached base was assembled from other apt sources; assembling it again"
    elif [ -n "$(find "$OUT/base-layer.tar.gz" -mmin +$((BASE_MAX_DAYS * 24 * 60)))" ]; then
      log "the cached base is older than $BASE_MAX_DAYS days; assembling it again with Debian's fixes"
    else
      return 0
    fi
  fi
  local -a mirrors
  mapfile -t mirrors <<<"$sources"
  command -v mmdebstrap >/dev/null || {
    log "installing mmdebstrap"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >&2
  }
  log "assembling the base (Debian $SUITE, $SUITE-updates, $SUITE-security + $BASE_PACKAGES) with mmdebstrap; a few minutes"
  mkdir -p "$OUT"
  # Documentation, man pages and locales are left out; update-alternatives still needs the man1
  # directory of openjdk's alternatives to exist.
  mmdebstrap --variant=essential --include="$BASE_PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook="echo 'engram:x:$APP_UID:$APP_UID:Engram:/tmp:/usr/sbin/nologin' >> \"\$1/etc/passwd\"" \
    --customize-hook="echo 'engram:x:$APP_UID:' >> \"\$1/etc/group\"" \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
    "$SUITE" "$rootfs" "${mirrors[@]}" >"$OUT/mmdebstrap.log" 2>&1 \
    || die "mmdebstrap failed; see $OUT/mmdebstrap.log"
  sha "$rootfs" >"$OUT/base-layer.diffid"
  gzip -n -6 -c "$rootfs" >"$OUT/base-layer.tar.gz"
  printf '%s\n' "$sources" >"$OUT/base-layer.sources"
  rm -f "$rootfs"
  log "base layer: $(du -h "$OUT/base-layer.tar.gz" | cut -f1) compressed"
}

# build_image NAME MODULE MAIN_CLASS PORT
build_image() {
  local name="$1" module="$2" main="$3" port="$4"
  local jar
  jar=$(ls "$ROOT/$module"/target/engram-"$module"-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -n1 || true)
  [ -n "$jar" ] && [ -d "$ROOT/$module/target/lib" ] || die "module $module is not packaged (mvn package)"
  local work="$TMP/build-$name"
  rm -rf "$work"; mkdir -p "$work/app/lib" "$work/layout"
  cp "$jar" "$work/app/engram-$module.jar"
  cp "$ROOT/$module"/target/lib/*.jar "$work/app/lib/"
  chmod -R a+rX,go-w "$work/app"
  # Reproducible: fixed order, owner and time, so an unchanged classpath gives the same layer.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -C "$work" -cf "$work/app.tar" app
  local app_diff; app_diff=$(sha "$work/app.tar")
  gzip -n -6 -c "$work/app.tar" >"$work/app.tar.gz"

  local L="$work/layout" base_gz app_gz
  base_gz=$(add_blob "$OUT/base-layer.tar.gz" "$L")
  app_gz=$(add_blob "$work/app.tar.gz" "$L")
  local classpath="/app/engram-$module.jar:/app/lib/*"
  jq -n --arg base_diff "sha256:$(cat "$OUT/base-layer.diffid")" --arg app_diff "sha256:$app_diff" \
     --arg uid "$APP_UID" --arg cp "$classpath" --arg main "$main" --arg port "$port/tcp" \
     --arg title "$name" '{
      architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
      config: {
        User: ($uid + ":" + $uid),
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
              "ENGRAM_PROFILE=prod",
              "DJL_CACHE_DIR=/tmp/djl",
              "HOME=/tmp",
              "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"],
        Entrypoint: ["java", "-cp", $cp, $main],
        WorkingDir: "/app",
        ExposedPorts: {($port): {}},
        Labels: {"org.opencontainers.image.title": $title}
      },
      rootfs: {type: "layers", diff_ids: [$base_diff, $app_diff]},
      history: [{created: "1970-01-01T00:00:00Z", created_by: "mmdebstrap (scripts/build-image.sh)"},
                {created: "1970-01-01T00:00:00Z", created_by: "application classpath (scripts/build-image.sh)"}]
    }' >"$work/config.json"
  local cfg; cfg=$(add_blob "$work/config.json" "$L")
  jq -n --arg cfg "$cfg" --argjson cfgsize "$(stat -c %s "$work/config.json")" \
     --arg b "$base_gz" --argjson bsize "$(stat -c %s "$OUT/base-layer.tar.gz")" \
     --arg a "$app_gz" --argjson asize "$(stat -c %s "$work/app.tar.gz")" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: ("sha256:" + $cfg), size: $cfgsize},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: ("sha256:" + $b), size: $bsize},
               {mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: ("sha256:" + $a), size: $asize}]
    }' >"$work/manifest.json"
  local man; man=$(add_blob "$work/manifest.json" "$L")
  jq -n --arg man "$man" --argjson size "$(stat -c %s "$work/manifest.json")" \
     --arg ref "$name:$TAG" --arg tag "$TAG" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: ("sha256:" + $man), size: $size,
                   annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $tag}}]
    }' >"$L/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
  # Docker's own index of the same blobs, for `docker load` of older Dockers.
  jq -n --arg cfg "blobs/sha256/$cfg" --arg ref "$name:$TAG" --arg b "blobs/sha256/$base_gz" \
     --arg a "blobs/sha256/$app_gz" '[{Config: $cfg, RepoTags: [$ref], Layers: [$b, $a]}]' >"$L/manifest.json"
  mkdir -p "$OUT"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -C "$L" -cf "$OUT/$name-$TAG.tar" .
  log "$name:$TAG -> $OUT/$name-$TAG.tar ($(du -h "$OUT/$name-$TAG.tar" | cut -f1))"
}

# check_image NAME [COMMAND...]: digests and diff_ids, then COMMAND (default: the entrypoint with
# --help) runs from the unpacked image as a pod with readOnlyRootFilesystem would run it.
check_image() {
  local name="$1"; shift
  local archive="$OUT/$name-$TAG.tar"
  [ -s "$archive" ] || die "no image $archive; build it first"
  local work="$TMP/check-$name"
  rm -rf "$work"; mkdir -p "$work/layout" "$work/rootfs"
  tar -C "$work/layout" -xf "$archive"
  local f
  for f in "$work"/layout/blobs/sha256/*; do
    [ "$(sha "$f")" = "$(basename "$f")" ] || die "$name: blob $(basename "$f") does not match its digest"
  done
  local manifest config
  manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$work/layout/index.json")
  config=$(jq -r '.config.digest | sub("sha256:"; "")' "$work/layout/blobs/sha256/$manifest")
  [ "$(jq -r '.[0].RepoTags[0]' "$work/layout/manifest.json")" = "$name:$TAG" ] || die "$name: wrong RepoTags"
  [ "$(jq -r '.config.User' "$work/layout/blobs/sha256/$config")" = "$APP_UID:$APP_UID" ] || die "$name: not user $APP_UID"
  local i=0 layer
  for layer in $(jq -r '.layers[].digest | sub("sha256:"; "")' "$work/layout/blobs/sha256/$manifest"); do
    local want; want=$(jq -r ".rootfs.diff_ids[$i] | sub(\"sha256:\"; \"\")" "$work/layout/blobs/sha256/$config")
    [ "$(gzip -dc "$work/layout/blobs/sha256/$layer" | sha256sum | cut -d' ' -f1)" = "$want" ] \
      || die "$name: layer $i does not match its diff_id"
    gzip -dc "$work/layout/blobs/sha256/$layer" | tar -C "$work/rootfs" -x --numeric-owner
    i=$((i + 1))
  done
  local -a cmd env
  if [ $# -gt 0 ]; then cmd=("$@"); else
    mapfile -t cmd < <(jq -r '.config.Entrypoint[]' "$work/layout/blobs/sha256/$config")
    cmd+=(--help)
  fi
  mapfile -t env < <(jq -r '.config.Env[]' "$work/layout/blobs/sha256/$config")
  # As a pod with readOnlyRootFilesystem would: a read-only root, a fresh /tmp, uid 10001.
  local out
  out=$(unshare --mount --fork sh -c '
      set -e
      root="$1"; shift
      mount --bind "$root" "$root"
      mount -o remount,bind,ro "$root"
      mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
      mount -t proc proc "$root/proc"
      exec chroot --userspec='"$APP_UID:$APP_UID"' "$root" "$@"' sh "$work/rootfs" \
      env -i "${env[@]}" "${cmd[@]}" 2>&1) \
    || die "$name did not start from its image: $out"
  log "$name:$TAG ok: digests match; as uid $APP_UID on a read-only root, $(printf '%s\n' "${cmd[@]}" | grep '^io\.engram' | head -n1) printed: $(printf '%s' "$out" | grep -v '^Picked up' | head -n1)"
}

main() {
  mkdir -p "$OUT"
  if [ "$SKIP_BUILD" -eq 0 ]; then
    log "packaging the API and the worker (mvn package, tests skipped)"
    (cd "$ROOT" && mvn -B -q -DskipTests -Dspotless.check.skip=true \
      -Dengram.commit="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
      -pl api,workers -am package) >&2
  fi
  build_base
  build_image "$API_IMAGE" api io.engram.api.Application 8080
  build_image "$WORKER_IMAGE" workers io.engram.workers.WorkerMain 9464
  if [ "$CHECK" -eq 1 ]; then
    check_image "$API_IMAGE"
    check_image "$WORKER_IMAGE"
    # The Helm chart's migration job runs this command in the worker image.
    check_image "$WORKER_IMAGE" java -cp "/app/engram-workers.jar:/app/lib/*" io.engram.migrations.Migrations --help
  fi
}
main
