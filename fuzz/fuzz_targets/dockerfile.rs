//! The Dockerfile parser, its configuration model and the shell of its `RUN` instructions.
#![no_main]

use keylint::file_kind::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = keylint::parse::dockerfile::parse(data);
    std::hint::black_box(&parsed);
    std::hint::black_box(keylint::config::model(FileKind::Dockerfile, data));
    std::hint::black_box(keylint::code::facts_for(
        FileKind::Dockerfile,
        "Dockerfile",
        data,
        None,
    ));
});
