//! The YAML models (compose, Kubernetes, GitHub workflow, GitLab CI, kustomize), kind from the
//! first byte, and the shell of CI scripts.
#![no_main]

use keylint_fuzz::{select, YAML_KINDS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((index, bytes)) = select(data, YAML_KINDS.len()) else {
        return;
    };
    let kind = YAML_KINDS[index];
    std::hint::black_box(keylint::config::model(kind, bytes));
    std::hint::black_box(keylint::code::facts_for(kind, "file.yaml", bytes, None));
});
