#!/usr/bin/env bash
# Create .env from .env.example with a fresh random secret for every "change-me" value.
# Never overwrites an existing .env. Prints which variables it generated, never their values.
# Usage: scripts/gen-env.sh [TARGET (default: .env beside stack.yaml)]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
example="$root/.env.example"
target=${1:-"$root/.env"}

if [ -e "$target" ]; then
  echo "gen-env: $target exists: left as it is"
  exit 0
fi
[ -r "$example" ] || { echo "gen-env: cannot read $example" >&2; exit 1; }

# 24 random bytes as 48 hex characters: safe inside URLs and redis.conf without escaping.
random_hex() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 24
  else
    od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
  fi
}

umask 077   # the file holds secrets: readable by its owner only
tmp=$(mktemp "$target.XXXXXX")
trap 'rm -f "$tmp"' EXIT
generated=()
while IFS= read -r line || [ -n "$line" ]; do
  if [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=change-me$ ]]; then
    name=${BASH_REMATCH[1]}
    printf '%s=%s\n' "$name" "$(random_hex)" >>"$tmp"
    generated+=("$name")
  else
    printf '%s\n' "$line" >>"$tmp"
  fi
done <"$example"
mv "$tmp" "$target"
trap - EXIT
echo "gen-env: wrote $target with new random values for: ${generated[*]:-(none)}"
