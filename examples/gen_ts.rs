//! Writes the TypeScript generated from the Rust tables (`ts/generated/`, and the marked regions of
//! ts/tensor.ts and README.md); with `--check`, writes nothing and fails when a checked-in file
//! differs from what the tables give (a gate in `npm test`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for file in webgrad::codegen::files() {
        let path = root.join(file.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        let wanted = match file.apply(&current) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("gen_ts: {e}");
                return ExitCode::FAILURE;
            }
        };
        if current == wanted {
            continue;
        }
        if check {
            stale.push(file.path);
        } else if let Err(e) = std::fs::create_dir_all(path.parent().unwrap_or(root)).and_then(|()| std::fs::write(&path, &wanted)) {
            eprintln!("gen_ts: cannot write {}: {e}", file.path);
            return ExitCode::FAILURE;
        } else {
            println!("gen_ts: wrote {}", file.path);
        }
    }
    if stale.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("gen_ts: out of date with the Rust tables: {} (run `cargo run --example gen_ts`)", stale.join(", "));
    ExitCode::FAILURE
}
