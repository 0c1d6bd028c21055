#!/usr/bin/env bash
# Builds the npm package: the release wasm (pkg/) and the TypeScript wrapper (dist/). Prints the wasm
# size raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

wasm-pack --log-level warn build --release --target web --out-dir pkg --no-pack
npx tsc -p ts/tsconfig.json
raw=$(stat -c %s pkg/webgrad_bg.wasm)
gz=$(gzip -9 -c pkg/webgrad_bg.wasm | wc -c)
echo "build: pkg/webgrad_bg.wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzip"
