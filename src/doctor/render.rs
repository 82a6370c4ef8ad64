//! The doctor's output: one block per variable, one line per check (✓ or ✗, then the fix), or
//! the diagnosis as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::Diagnosis;

/// The JSON format's version; bumped when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// The diagnosis for people, with ANSI colours when `color`.
pub fn human(diagnosis: &Diagnosis, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        paint("1", "keylint doctor:"),
        diagnosis.loader
    );
    for note in &diagnosis.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    for variable in &diagnosis.variables {
        out.push('\n');
        let mut heading = paint("1", &variable.name);
        if let Some(provider) = &variable.provider_name {
            let _ = write!(heading, " ({provider} key)");
        }
        match variable.read_at.as_slice() {
            [] => {}
            [first, second, third, rest @ ..] if !rest.is_empty() => {
                let _ = write!(
                    heading,
                    ", read at {first}, {second}, {third} and {} more places",
                    rest.len()
                );
            }
            all => {
                let _ = write!(heading, ", read at {}", all.join(", "));
            }
        }
        let _ = writeln!(out, "{heading}");
        let width = variable
            .sources
            .iter()
            .map(|s| s.place.chars().count())
            .max()
            .unwrap_or(0);
        for source in &variable.sources {
            let mark = if source.wins {
                paint("1", "  <- the program sees this one")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:width$}  {}{mark}",
                source.place,
                source.shown,
                width = width
            );
        }
        if !variable.why.is_empty() {
            let _ = writeln!(out, "  {}", variable.why);
        }
        for check in &variable.checks {
            let mark = if check.ok {
                paint("32", "✓")
            } else {
                paint("31", "✗")
            };
            let _ = writeln!(out, "  {mark} {}", check.what);
            if let Some(fix) = &check.fix {
                let _ = writeln!(out, "    {} {fix}", paint("36", "fix:"));
            }
        }
        if let Some(live) = &variable.live {
            let mark = if live.endpoint.is_empty() {
                "-".to_owned()
            } else if live.ok {
                paint("32", "✓")
            } else {
                paint("31", "✗")
            };
            let _ = writeln!(out, "  {mark} live: {}", live.explanation);
            if !live.endpoint.is_empty() {
                let answer = match (live.status, &live.code) {
                    (Some(status), Some(code)) => format!("{status} {code}"),
                    (Some(status), None) => status.to_string(),
                    (None, _) => "no answer".to_owned(),
                };
                let _ = writeln!(out, "    asked: GET {} -> {answer}", live.endpoint);
            }
        }
    }
    let problems = diagnosis
        .variables
        .iter()
        .map(|v| {
            v.checks.iter().filter(|c| !c.ok).count()
                + usize::from(v.live.as_ref().is_some_and(|l| !l.ok))
        })
        .sum::<usize>();
    out.push('\n');
    let summary = match problems {
        0 => "Nothing wrong found.".to_owned(),
        n => format!("{} found.", crate::report::plural(n, "problem")),
    };
    let _ = writeln!(
        out,
        "{}",
        paint(if problems == 0 { "32" } else { "31" }, &summary)
    );
    out
}

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    ok: bool,
    #[serde(flatten)]
    diagnosis: &'a Diagnosis,
}

/// The diagnosis as one JSON document.
pub fn json(diagnosis: &Diagnosis) -> String {
    let document = Json {
        version: JSON_VERSION,
        ok: !diagnosis.failed(),
        diagnosis,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
