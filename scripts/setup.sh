#!/usr/bin/env bash
# Everything webgrad needs on a fresh Debian machine (Rust stable, Node 20), installing only what is
# missing: quick when all is present. Run by `npm run demo` and `npm test`; `setup.sh build` (run by
# `npm pack`) installs only what the build needs, not the browser and driver the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

step() { printf '\n== setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The gates (scripts/gates.sh) run rustfmt and clippy.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    step "rustup component add $component"
    rustup component add "$component"
  fi
done

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock, or wasm-pack tries to download one.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  step "cargo install wasm-bindgen-cli =$want (a few minutes)"
  cargo install wasm-bindgen-cli --version "=$want"
fi

if ! command -v wasm-pack >/dev/null; then
  step "cargo install wasm-pack (a few minutes)"
  cargo install wasm-pack --locked
fi

# The tests' browser, its driver and lavapipe (the build needs none of them).
missing=()
if [ "${1:-}" != build ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null || missing+=(mesa-vulkan-drivers)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# npm ci only when package-lock.json changed since the last install.
stamp=node_modules/.webgrad-installed-lock.json
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  step "npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
