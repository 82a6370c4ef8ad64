//! The `.env` parser and the dotenv configuration model.
#![no_main]

use keylint::file_kind::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = keylint::parse::env::parse(data);
    std::hint::black_box(&parsed);
    std::hint::black_box(keylint::config::model(FileKind::Env, data));
});
