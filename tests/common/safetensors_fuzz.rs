//! The safetensors fuzzer: seeded mutations of the files Hugging Face's library wrote
//! (tests/fixtures/safetensors/) — bit flips, truncation, extra bytes, a lying length field, and
//! edits of the header's JSON (offsets, shapes, dtypes, a repeated name). Each must load or be an
//! Error naming `safetensors.load`, never panic, and never allocate past a bound of the file's size.

use webgrad::safetensors::load;
use webgrad::Device;

const FILES: [&[u8]; 5] = [
    include_bytes!("../fixtures/safetensors/dtypes_numpy.safetensors"),
    include_bytes!("../fixtures/safetensors/bf16.safetensors"),
    include_bytes!("../fixtures/safetensors/written.safetensors"),
    include_bytes!("../fixtures/safetensors/i64_out_of_range.safetensors"),
    include_bytes!("../fixtures/safetensors/f64.safetensors"),
];

/// A 64-bit LCG: the cases only need to be fixed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The file with its header's JSON replaced by `json` (the length field rewritten to match).
fn with_header(file: &[u8], json: &str) -> Vec<u8> {
    let n = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(&file[8 + n..]);
    out
}

fn header(file: &[u8]) -> String {
    let n = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    String::from_utf8(file[8..8 + n].to_vec()).unwrap()
}

/// One mutation of a fixture, and what it did.
fn mutate(rng: &mut Rng) -> (Vec<u8>, String) {
    let file = FILES[rng.below(FILES.len())];
    let mut f = file.to_vec();
    let edits = [
        "1",
        "0",
        "-1",
        "4294967296",
        "18446744073709551615",
        "99999999",
        "[]",
        "null",
        "\"F32\"",
        "\"F64\"",
        "\"BF16\"",
        "\"U8\"",
        "\"I64\"",
        "\"X9\"",
    ];
    match rng.below(8) {
        0 => {
            // Half the flips land in the tensors' bytes, half anywhere.
            let data = 8 + header(file).len();
            let at = if rng.below(2) == 0 && data < f.len() { data + rng.below(f.len() - data) } else { rng.below(f.len()) };
            f[at] ^= 1 << rng.below(8);
            (f, format!("bit flip at {at}"))
        }
        1 => {
            let len = rng.below(f.len());
            f.truncate(len);
            (f, format!("truncated to {len}"))
        }
        2 => {
            let extra = 1 + rng.below(16);
            f.extend(std::iter::repeat_n(0u8, extra));
            (f, format!("{extra} extra bytes"))
        }
        3 => {
            let n = [0u64, 1, 7, 1 << 20, u32::MAX as u64, u64::MAX, f.len() as u64][rng.below(7)];
            f[..8].copy_from_slice(&n.to_le_bytes());
            (f, format!("length field {n}"))
        }
        4 | 5 => {
            // Replace one number, string or list of the header by an edit.
            let json = header(file);
            let spots: Vec<usize> = json.match_indices(|c: char| c.is_ascii_digit() || c == '"' || c == '[').map(|(i, _)| i).collect();
            let at = spots[rng.below(spots.len())];
            let end = json[at + 1..].find([',', '}', ']', ':']).map_or(json.len(), |e| at + 1 + e);
            let edit = edits[rng.below(edits.len())];
            let text = format!("{}{}{}", &json[..at], edit, &json[end.min(json.len())..]);
            (with_header(file, &text), format!("header {:?} -> {edit}", &json[at..end.min(json.len())]))
        }
        6 => {
            // A tensor entry repeated, or the first tensor's name given to the second.
            let json = header(file);
            let body = &json[1..json.len() - 1];
            let first = body.find("},").map_or(body.len(), |e| e + 1);
            let text = format!("{{{},{}}}", &body[..first], body);
            (with_header(file, &text), "an entry repeated".to_string())
        }
        _ => {
            // Shapes and offsets scaled up.
            let json = header(file).replace("\"shape\":[", "\"shape\":[65536,65536,");
            (with_header(file, &json), "shapes scaled up".to_string())
        }
    }
}

/// Runs `cases` mutations; returns (loaded, refused) and panics on a failure, naming the case.
pub fn fuzz(cases: usize, seed: u64) -> (usize, usize) {
    let mut rng = Rng(seed);
    let (mut loaded, mut refused) = (0, 0);
    for i in 0..cases {
        let (bytes, what) = mutate(&mut rng);
        match load(&bytes, &Device::Cpu) {
            Ok(file) => {
                // What was made is bounded by the bytes given: at most 4 bytes a value (I8/U8 widen
                // to int32), and a value takes at least one byte.
                let values: usize = file.tensors.iter().map(|(_, t)| t.numel()).sum();
                assert!(values <= bytes.len(), "case {i} ({what}): {values} values from {} bytes", bytes.len());
                loaded += 1;
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.starts_with("safetensors.load: "), "case {i} ({what}): {msg}");
                refused += 1;
            }
        }
    }
    (loaded, refused)
}
