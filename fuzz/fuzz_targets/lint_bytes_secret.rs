//! The whole lint of one file with a known synthetic key spliced in at a place the input picks:
//! no output of any reporter may show the key in full.
//!
//! Input: byte 0 picks the file kind, byte 1 the key and the delimiters around it, bytes 2-3 the
//! position; the rest is the file.
#![no_main]

use std::sync::OnceLock;

use keylint::Linter;
use keylint_fuzz::{known_keys, lint_and_render, linter, secrecy_checked, DELIMITERS, LINT_PATHS};
use libfuzzer_sys::fuzz_target;

static LINTER: OnceLock<Linter> = OnceLock::new();
static KEYS: OnceLock<Vec<String>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let [kind, choice, hi, lo, rest @ ..] = data else {
        return;
    };
    let keys = KEYS.get_or_init(known_keys);
    let key = &keys[usize::from(choice % 3)];
    let before = DELIMITERS[usize::from(choice / 3) % DELIMITERS.len()];
    let after = DELIMITERS[usize::from(choice / 18) % DELIMITERS.len()];
    // The input's own copies of a known key could be glued into a longer token, which is not a
    // key; break them so the spliced one is the only copy.
    let mut file = rest.to_vec();
    for known in keys {
        break_copies(&mut file, known.as_bytes());
    }
    let mut at = usize::from(u16::from_be_bytes([*hi, *lo])) % (file.len() + 1);
    while at < file.len() && (file[at] & 0xC0) == 0x80 {
        at += 1; // not inside a UTF-8 sequence
    }
    let mut spliced = Vec::with_capacity(file.len() + key.len() + 2);
    spliced.extend_from_slice(&file[..at]);
    spliced.push(before);
    spliced.extend_from_slice(key.as_bytes());
    spliced.push(after);
    spliced.extend_from_slice(&file[at..]);

    let path = LINT_PATHS[usize::from(*kind) % LINT_PATHS.len()];
    let linter = LINTER.get_or_init(linter);
    let rendered = lint_and_render(linter, path, kind / 32, &spliced);
    if secrecy_checked() {
        rendered.assert_hides(key);
    }
});

fn break_copies(file: &mut [u8], key: &[u8]) {
    let mut from = 0;
    while let Some(at) = file[from..]
        .windows(key.len())
        .position(|w| w == key)
        .map(|i| from + i)
    {
        file[at + key.len() - 1] ^= 0x01;
        from = at + 1;
    }
}
