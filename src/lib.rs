//! keylint finds the causes of the OpenAI API's `401 Unauthorized`, and the leaked keys behind
//! many of them, before they ship.
//!
//! Data flows one way: walk -> file kind -> prefilter -> rules -> lint context (code, severity,
//! suppression, redaction) -> sort -> reporter.

pub mod baseline;
pub mod changed_lines;
pub mod cli;
pub mod code;
pub mod config;
pub mod doctor;
pub mod file_kind;
pub mod file_role;
pub mod finding;
pub mod git_status;
pub mod git_tree;
pub mod history;
pub mod keys;
pub mod lint;
pub mod parallel;
pub mod parse;
pub mod prefilter;
pub mod providers;
pub mod report;
pub mod rules;
pub mod settings_file;
pub mod snapshot;
pub mod source;
pub mod staged;
pub mod summary_cache;
pub mod suppression;
pub mod verify;
pub mod walk;
pub mod wiring;

pub use finding::Finding;
pub use lint::{Linter, Settings};
pub use walk::{scan, Note, NoteLevel, ScanOutcome};
