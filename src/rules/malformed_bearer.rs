//! KL202 malformed-bearer: the Authorization scheme is there but wrong: `Bearer:`, `Bearer`
//! glued to the key, two spaces or a tab, the scheme twice, the key quoted inside the value,
//! trailing whitespace, or `Basic`/`Token` toward OpenAI.

use std::ops::Range;

use crate::rules::code_helpers::{
    authorization_headers, file_mentions, segments, sub_span, Segment, OPENAI_HOST,
};
use crate::rules::endpoint::Endpoint;
use crate::rules::missing_bearer::suggestion;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(facts) = file.code() else { return };
    let file_to_openai = file_mentions(facts, &[OPENAI_HOST]);
    for header in authorization_headers(facts) {
        let endpoint = Endpoint::of_header(facts, header);
        // An API with a scheme of its own (Replicate's `Token`), or no AI API at all.
        if !endpoint.may_take_bearer() {
            continue;
        }
        let to_openai = match endpoint {
            Endpoint::OpenAi => true,
            Endpoint::Unknown => file_to_openai,
            _ => false,
        };
        let parts = segments(file, &header.value);
        // The literal text before the first hole (adjacent literals joined), and whether a
        // hole follows.
        let leading: Vec<(&str, &Range<usize>, bool)> = parts
            .iter()
            .map_while(|part| match part {
                Segment::Text {
                    text,
                    span,
                    verbatim,
                } => Some((text.as_str(), span, *verbatim)),
                _ => None,
            })
            .collect();
        if leading.is_empty() {
            continue;
        }
        let text: String = leading.iter().map(|(t, _, _)| *t).collect();
        let text = text.as_str();
        let has_hole = parts.len() > leading.len();
        let found =
            problem(text, has_hole).map(|(range, what)| (joined_span(&leading, range), what));
        let found = found.or_else(|| {
            let lower = text.trim_start().to_ascii_lowercase();
            let other_scheme = ["basic ", "token "].iter().find(|s| lower.starts_with(**s));
            (other_scheme.is_some() && to_openai).then(|| {
                let start = text.len() - text.trim_start().len();
                (
                    joined_span(&leading, start..start + 5),
                    "uses a scheme other than `Bearer` toward api.openai.com",
                )
            })
        });
        let found = found
            .or_else(|| quoted_key(&parts))
            .or_else(|| trailing_space(&parts));
        if let Some((span, what)) = found {
            let fix = corrected(file, header.value.span(), &span, what)
                .unwrap_or_else(|| suggestion(file).to_owned());
            violations.push(Violation {
                span,
                message: format!("the Authorization header {what}"),
                label: "malformed scheme".into(),
                help: format!(
                    "the API answers 401 unless the value is exactly `Bearer <key>`: {fix}"
                ),
                provider: None,
                secret: None,
            });
        }
    }
}

/// The value's code with the offending characters mended, when the fix is a local edit.
fn corrected(
    file: &FileContext,
    value: &Range<usize>,
    wrong: &Range<usize>,
    what: &str,
) -> Option<String> {
    let bytes = file.source.bytes;
    if wrong.start < value.start || wrong.end > value.end {
        return None;
    }
    let mut end = wrong.end;
    let replacement = if what.contains("colon") {
        if bytes.get(end) == Some(&b' ') {
            ""
        } else {
            " "
        }
    } else if what.contains("glues") {
        "Bearer "
    } else if what.contains("more than one space") {
        " "
    } else if what.contains("twice") {
        if bytes.get(end) == Some(&b' ') {
            end += 1;
        }
        ""
    } else if what.contains("whitespace") {
        ""
    } else {
        return None;
    };
    let before = std::str::from_utf8(&bytes[value.start..wrong.start]).ok()?;
    let after = std::str::from_utf8(&bytes[end..value.end]).ok()?;
    let mut code = format!("{before}{replacement}{after}");
    if file.path.ends_with(".ipynb") {
        code = code.replace("\\\"", "\"");
    }
    (!code.contains('\n')).then(|| {
        let code = crate::keys::redact(&code);
        if code.contains('`') {
            format!("`` {code} ``")
        } else {
            format!("`{code}`")
        }
    })
}

/// The file span of a range of joined literal texts: exact inside one verbatim literal,
/// otherwise the literal where the range starts.
fn joined_span(leading: &[(&str, &Range<usize>, bool)], range: Range<usize>) -> Range<usize> {
    let mut offset = 0;
    for &(text, span, verbatim) in leading {
        let end = offset + text.len();
        if range.start < end {
            return if range.end <= end {
                sub_span(span, verbatim, range.start - offset..range.end - offset)
            } else {
                span.clone()
            };
        }
        offset = end;
    }
    leading.last().map_or(0..0, |(_, span, _)| (*span).clone())
}

/// Mistakes in the text before the key.
fn problem(text: &str, has_hole: bool) -> Option<(Range<usize>, &'static str)> {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    if !rest.get(..6)?.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let after = &rest[6..];
    let at = start + 6;
    if after.trim_start().starts_with(':') {
        let colon = at + after.find(':')?;
        return Some((colon..colon + 1, "writes `Bearer:` with a colon"));
    }
    if after.is_empty() && has_hole {
        return Some((start..at, "glues `Bearer` to the key with no space"));
    }
    if !after.is_empty() && !after.starts_with(' ') && !after.starts_with('\t') {
        // `Bearersk-...` in one literal.
        return Some((start..at, "glues `Bearer` to the key with no space"));
    }
    let blanks = after.len() - after.trim_start().len();
    if after.starts_with('\t') || blanks > 1 {
        return Some((
            at..at + blanks,
            "separates `Bearer` from the key with more than one space",
        ));
    }
    let tail = after.trim_start();
    if tail
        .get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
    {
        let second = at + blanks;
        return Some((second..second + 6, "holds the `Bearer` scheme twice"));
    }
    None
}

/// `Bearer "{key}"` / `f"Bearer '{key}'"`: quotes around the key inside the value.
fn quoted_key(parts: &[Segment]) -> Option<(Range<usize>, &'static str)> {
    let (
        Segment::Text {
            text: before,
            span,
            verbatim,
        },
        Some(Segment::Text { text: after, .. }),
    ) = (parts.first()?, parts.get(2))
    else {
        return None;
    };
    let quote = before.trim_end_matches(' ').chars().last()?;
    if matches!(quote, '"' | '\'') && after.starts_with(quote) {
        let at = before.rfind(quote)?;
        return Some((
            sub_span(span, *verbatim, at..at + 1),
            "puts quotes around the key",
        ));
    }
    None
}

/// Whitespace or a newline after the key.
fn trailing_space(parts: &[Segment]) -> Option<(Range<usize>, &'static str)> {
    if parts.len() < 2 {
        return None;
    }
    let Segment::Text {
        text,
        span,
        verbatim,
    } = parts.last()?
    else {
        return None;
    };
    let trimmed = text.trim_end().len();
    (trimmed < text.len() && text[..trimmed].trim().is_empty()).then(|| {
        (
            sub_span(span, *verbatim, trimmed..text.len()),
            "ends with whitespace or a newline after the key",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn schemes() {
        assert_eq!(problem("Bearer: ", true).map(|p| p.0), Some(6..7));
        assert_eq!(problem("Bearer", true).map(|p| p.0), Some(0..6));
        assert_eq!(problem("Bearer  ", true).map(|p| p.0), Some(6..8));
        assert_eq!(problem("Bearer\t", true).map(|p| p.0), Some(6..7));
        assert_eq!(problem("Bearer Bearer ", true).map(|p| p.0), Some(7..13));
        assert_eq!(problem("Bearer ", true), None);
        assert_eq!(problem("Basic ", true), None);
    }
}
