//! The whole lint of one file (kind from the first byte) rendered by all four reporters. Every
//! key keylint's detector finds in the input must be masked in every output, and the outputs
//! that reach a terminal hold no raw control character.
#![no_main]

use std::sync::OnceLock;

use keylint::Linter;
use keylint_fuzz::{keys_in, lint_and_render, linter, secrecy_checked, select, LINT_PATHS};
use libfuzzer_sys::fuzz_target;

static LINTER: OnceLock<Linter> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((index, bytes)) = select(data, LINT_PATHS.len()) else {
        return;
    };
    let linter = LINTER.get_or_init(linter);
    let rendered = lint_and_render(linter, LINT_PATHS[index], data[0] / 32, bytes);
    rendered.assert_terminal_safe();
    if secrecy_checked() {
        for key in keys_in(bytes) {
            rendered.assert_hides(&key);
        }
    }
});
