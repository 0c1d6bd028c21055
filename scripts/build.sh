#!/usr/bin/env bash
# Builds the npm package: the release wasm (pkg/, optimised by wasm-opt) and the TypeScript wrapper
# (dist/). Two binaries
# share one JS glue: pkg/webgrad_bg.wasm (simd128) and pkg/webgrad_relaxed_bg.wasm (simd128 +
# relaxed-simd fused multiply-add), chosen at load time by feature detection. Prints their sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

relaxed_dir=$(mktemp -d)
trap 'rm -rf "$relaxed_dir"' EXIT
wasm-pack --log-level warn build --release --target web --out-dir pkg --no-pack
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  wasm-pack --log-level warn build --release --target web --out-dir "$relaxed_dir" --no-pack -- --target-dir "$CARGO_TARGET_DIR/relaxed"
# One glue must serve both binaries: they come from the same source, so it is identical.
if ! cmp -s pkg/webgrad.js "$relaxed_dir/webgrad.js"; then
  echo "build: the relaxed-simd build produced different JS glue; refusing to mix them" >&2
  exit 1
fi
cp "$relaxed_dir/webgrad_bg.wasm" pkg/webgrad_relaxed_bg.wasm
# Shrink with binaryen's wasm-opt from npm (132), never Debian's (108 corrupts wasm-bindgen output).
# Only the features rustc's wasm32 target emits (plus SIMD): newer encodings would not load everywhere.
features=(--enable-bulk-memory --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-reference-types --enable-sign-ext --enable-simd)
node_modules/.bin/wasm-opt -O3 "${features[@]}" pkg/webgrad_bg.wasm -o pkg/webgrad_bg.wasm
node_modules/.bin/wasm-opt -O3 "${features[@]}" --enable-relaxed-simd pkg/webgrad_relaxed_bg.wasm -o pkg/webgrad_relaxed_bg.wasm
npx tsc -p ts/tsconfig.json
node scripts/make-mnist.mjs
for f in pkg/webgrad_bg.wasm pkg/webgrad_relaxed_bg.wasm; do
  echo "build: $f $(($(stat -c %s "$f") / 1024)) KiB raw, $(($(gzip -9 -c "$f" | wc -c) / 1024)) KiB gzip"
done
