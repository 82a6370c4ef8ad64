//! KL309 dotenv-loaded-late: a dotenv load runs after the client that needs the key was built,
//! or after the key was read, in the module's top-level flow.

use crate::code::facts::Expr;
use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    let Some(load) = facts
        .dotenv_loads
        .iter()
        .filter(|l| l.top_level.is_some())
        .min_by_key(|l| l.top_level)
    else {
        return;
    };
    let load_at = load.top_level.unwrap_or_default();
    let load_line = file.source.position(load.span.start).line;
    let reads_env = |expr: Option<&Expr>| match expr {
        None => true,
        Some(Expr::Env(read)) => key_variable(file, &read.name).is_some(),
        _ => false,
    };
    let mut early: Vec<(std::ops::Range<usize>, String)> = facts
        .clients
        .iter()
        .filter(|c| c.top_level.is_some_and(|at| at < load_at) && reads_env(c.key.as_ref()))
        .map(|c| (c.span.clone(), format!("the `{}` client is built", c.sdk)))
        .collect();
    early.extend(
        facts
            .assignments
            .iter()
            .filter(|a| a.top_level.is_some_and(|at| at < load_at))
            .filter_map(|a| match &a.value {
                Expr::Env(read) if key_variable(file, &read.name).is_some() => {
                    Some((read.span.clone(), format!("`{}` is read", read.name)))
                }
                _ => None,
            }),
    );
    for (span, what) in early {
        violations.push(Violation {
            span,
            message: format!("{what} before the dotenv load on line {load_line}"),
            label: "runs before the .env file is loaded".into(),
            help: "the key is not in the environment yet, so the client gets none and the API \
                   answers 401; call the dotenv load first, at the top of the module"
                .into(),
            provider: None,
            secret: None,
        });
    }
}
