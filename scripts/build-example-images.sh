#!/usr/bin/env bash
# Build the ten images of the example stack (stackctl-example/<service>:dev) with `docker build`,
# then print each one's build time and size.
# Usage: scripts/build-example-images.sh [--no-cache] [SERVICE...]   (default: all ten)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ALL=(postgres redis platform-services airtable-gateway mcp-server llm-orchestrator
     automation-services saga-orchestrator api-gateway frontend)
cache_flag=()
selected=()
for arg in "$@"; do
  case "$arg" in
    --no-cache) cache_flag=(--no-cache) ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) selected+=("$arg") ;;
  esac
done
[ ${#selected[@]} -gt 0 ] || selected=("${ALL[@]}")

docker image inspect debian:bookworm-slim >/dev/null 2>&1 || bash "$root/scripts/ensure-base-image.sh"

# postgres and redis are built from images/<name>; the Python services from services/ (so the
# context holds pyairtable-common) with services/<name>/Dockerfile.
build_args() {
  case "$1" in
    postgres|redis) echo "images/$1" ;;
    *) echo "-f services/$1/Dockerfile services" ;;
  esac
}

rows=()
failed=()
log_dir=$(mktemp -d /tmp/stackctl-example-build.XXXXXX)
for service in "${selected[@]}"; do
  tag="stackctl-example/$service:dev"
  log="$log_dir/$service.log"
  printf 'building %-22s ' "$tag" >&2
  start_ns=$(date +%s%N)
  # shellcheck disable=SC2046  # build_args is split on purpose
  if docker build "${cache_flag[@]}" -t "$tag" $(build_args "$service") >"$log" 2>&1; then
    ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    bytes=$(docker image inspect -f '{{.Size}}' "$tag")
    printf 'ok\n' >&2
    rows+=("$(printf '%-22s %6d.%d s %8s MB' "$service" $((ms / 1000)) $((ms % 1000 / 100)) "$((bytes / 1000000))")")
  else
    printf 'FAILED (log: %s)\n' "$log" >&2
    tail -n 15 "$log" | sed 's/^/    /' >&2
    failed+=("$service")
  fi
done

printf '\n%-22s %10s %11s\n' service "build time" size
for row in "${rows[@]}"; do echo "$row"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
rm -rf "$log_dir"
