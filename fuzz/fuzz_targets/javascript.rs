//! The JavaScript / TypeScript / TSX front-end, dialect from the first byte, as a scan calls it.
#![no_main]

use keylint::code::regions::Triggers;
use keylint::file_kind::FileKind;
use keylint_fuzz::select;
use libfuzzer_sys::fuzz_target;

const DIALECTS: &[(FileKind, &str)] = &[
    (FileKind::JavaScript, "app.js"),
    (FileKind::TypeScript, "app.ts"),
    (FileKind::TypeScript, "app.tsx"),
];

fuzz_target!(|data: &[u8]| {
    let Some((index, bytes)) = select(data, DIALECTS.len()) else {
        return;
    };
    let (kind, path) = DIALECTS[index];
    static TRIGGERS: std::sync::OnceLock<Triggers> = std::sync::OnceLock::new();
    let triggers = TRIGGERS.get_or_init(|| Triggers::code(&[]));
    std::hint::black_box(keylint::code::facts_for(kind, path, bytes, None));
    // Only the parts the rules judge, as a scan parses them.
    std::hint::black_box(keylint::code::facts_for(kind, path, bytes, Some(triggers)));
});
