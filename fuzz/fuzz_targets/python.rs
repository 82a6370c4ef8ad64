//! The Python front-end (tree-sitter), on whole files and on the parts a scan parses.
#![no_main]

use keylint::code::regions::Triggers;
use keylint::file_kind::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static TRIGGERS: std::sync::OnceLock<Triggers> = std::sync::OnceLock::new();
    let triggers = TRIGGERS.get_or_init(|| Triggers::code(&[]));
    std::hint::black_box(keylint::code::facts_for(FileKind::Python, "app.py", data, None));
    // Only the parts the rules judge, as a scan parses them.
    std::hint::black_box(keylint::code::facts_for(
        FileKind::Python,
        "app.py",
        data,
        Some(triggers),
    ));
});
