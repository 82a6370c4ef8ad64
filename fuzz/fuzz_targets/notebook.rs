//! The notebook front-end (JSON cells, Python code), as a scan calls it.
#![no_main]

use keylint::file_kind::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(keylint::code::facts_for(
        FileKind::Notebook,
        "explore.ipynb",
        data,
        None,
    ));
});
