# Sourced by the scripts: tool paths and a cargo target dir outside the clone (only a cache: builds
# are correct when it is empty).
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/webgrad/target}"
# Vulkan loaders complain on stderr without a runtime dir; give them one.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/webgrad-xdg}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# Never let wasm-pack find Debian's wasm-opt (binaryen 108 corrupts wasm-bindgen output): Cargo.toml
# sets wasm-opt = false for every profile.
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
