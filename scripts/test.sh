#!/usr/bin/env bash
# Every test harness, in order; each one runs even when an earlier one failed, and the summary says
# which failed. GPU harnesses fail (never skip) when they find no WebGPU adapter.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh || exit 1
export WASM_BINDGEN_TEST_TIMEOUT=300

passed=0
failed=()
harness() {
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '== %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed+=("$name")
    printf '== %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
  fi
}

gates() {
  bash scripts/gates.sh
}
native() {
  cargo run --quiet --example adapter_info && cargo test --quiet
}
wasm_node() {
  wasm-pack --log-level warn test --node -- --test wasm_cpu
}
wasm_chrome() {
  wasm-pack --log-level warn test --headless --chrome --chromedriver "$CHROMEDRIVER" -- --test wasm_webgpu -- --nocapture
}
ts_node() {
  bash scripts/build.sh && node tests/fixtures/check_tfjs_models.mjs && node --test tests/ts/node.test.mjs
}
ts_chrome() {
  node --test tests/ts/browser.test.mjs
}
hardening() {
  node --test tests/ts/hardening.test.mjs
}
consumers() {
  node --test --test-timeout=900000 tests/consumers/consumers.test.mjs
}

harness "1/8 the gates (rustfmt, clippy native and wasm32, generated TS current, Prettier, ESLint)" gates
harness "2/8 cargo test (native: CPU, and WebGPU on the native adapter)" native
harness "3/8 wasm-pack test --node (CPU in wasm)" wasm_node
harness "4/8 wasm-pack test --headless --chrome (WebGPU in Chromium)" wasm_chrome
harness "5/8 TypeScript API in Node (CPU)" ts_node
harness "6/8 TypeScript API and the MNIST demo in headless Chromium (WebGPU)" ts_chrome
harness "7/8 the fuzzer and the soaks (Node on the CPU, Chromium on WebGPU)" hardening
harness "8/8 the npm pack tarball in its consumers (Vite, webpack, workers, Node ESM/CJS, TypeScript)" consumers

printf '\nharnesses: %d passed, %d failed\n' "$passed" "${#failed[@]}"
for f in "${failed[@]}"; do echo "  failed: $f"; done
[ ${#failed[@]} -eq 0 ]
