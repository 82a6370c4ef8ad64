use std::process::ExitCode;

fn main() -> ExitCode {
    keylint::cli::run()
}
