//! The JavaScript / TypeScript / TSX front-end, dialect from the first byte, as a scan calls it.
#![no_main]

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
    std::hint::black_box(keylint::code::facts_for(kind, path, bytes));
});
