#!/usr/bin/env bash
# The style gates `npm test` runs first: Rust formatting and lints (native and wasm32, warnings are
# errors), TypeScript/JS formatting (Prettier) and lints (ESLint), and the generated TypeScript
# (ts/generated/) current with the Rust tables it comes from. `scripts/gates.sh fix` applies the
# formatters and regenerates instead of checking.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

js_files=("ts/**/*.ts" "www/**/*.{mjs,js,html}" "bench/**/*.{mjs,html}" "scripts/**/*.mjs" "tests/ts/**/*.{mjs,html}" "*.mjs")
js_dirs=(ts www bench scripts tests/ts eslint.config.mjs)

if [ "${1:-}" = fix ]; then
  cargo fmt
  cargo run --quiet --example gen_ts
  npx prettier --log-level warn --write "${js_files[@]}"
  npx eslint --fix "${js_dirs[@]}"
  exit 0
fi

step() { printf -- '-- %s\n' "$*"; }
step "cargo fmt --check"
cargo fmt --check
step "cargo clippy (native, every target) -D warnings"
cargo clippy --quiet --all-targets -- -D warnings
step "cargo clippy (wasm32: the library and its wasm tests) -D warnings"
cargo clippy --quiet --target wasm32-unknown-unknown --lib --test wasm_cpu --test wasm_webgpu -- -D warnings
step "generated TypeScript is current (cargo run --example gen_ts -- --check)"
cargo run --quiet --example gen_ts -- --check
step "prettier --check"
npx prettier --log-level warn --check "${js_files[@]}"
step "eslint"
npx eslint "${js_dirs[@]}"
