//! Compose-style variable interpolation in a value: `${VAR}`, `$VAR`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, and `$$` for a literal dollar.

use std::ops::Range;

/// One reference to a variable inside a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolation {
    pub name: String,
    /// Byte range inside the value's text, `$` to the closing brace.
    pub range: Range<usize>,
    /// `${VAR:-x}` / `${VAR-x}`: the default.
    pub default: Option<String>,
    /// `${VAR:?msg}` / `${VAR?msg}`: compose refuses to start without the variable.
    pub required: bool,
    /// The `:` forms also treat an empty value as unset.
    pub empty_is_unset: bool,
}

/// The references in `text`, in order.
pub fn references(text: &str) -> Vec<Interpolation> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'$' {
            at += 1;
            continue;
        }
        match bytes.get(at + 1) {
            Some(b'$') => at += 2,
            Some(b'{') => {
                let Some(close) = text[at + 2..].find('}').map(|i| at + 2 + i) else {
                    break;
                };
                let inner = &text[at + 2..close];
                let name_len = name_length(inner.as_bytes());
                if name_len > 0 {
                    let (name, rest) = inner.split_at(name_len);
                    let (empty_is_unset, operator) = match rest.strip_prefix(':') {
                        Some(rest) => (true, rest),
                        None => (false, rest),
                    };
                    let word = operator.get(1..).unwrap_or("").to_owned();
                    let (default, required) = match operator.bytes().next() {
                        Some(b'-') => (Some(word), false),
                        Some(b'?') => (None, true),
                        _ => (None, false),
                    };
                    found.push(Interpolation {
                        name: name.to_owned(),
                        range: at..close + 1,
                        default,
                        required,
                        empty_is_unset,
                    });
                }
                at = close + 1;
            }
            Some(_) => {
                let len = name_length(&bytes[at + 1..]);
                if len > 0 {
                    found.push(Interpolation {
                        name: text[at + 1..at + 1 + len].to_owned(),
                        range: at..at + 1 + len,
                        default: None,
                        required: false,
                        empty_is_unset: false,
                    });
                }
                at += 1 + len;
            }
            None => break,
        }
    }
    found
}

fn name_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form() {
        let refs = references("a ${A} $B ${C:-x y} ${D-} ${E:?must be set} ${F?} $$G $1");
        let summary: Vec<(&str, &str, Option<&str>, bool, bool)> = refs
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    &"a ${A} $B ${C:-x y} ${D-} ${E:?must be set} ${F?} $$G $1"[r.range.clone()],
                    r.default.as_deref(),
                    r.required,
                    r.empty_is_unset,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("A", "${A}", None, false, false),
                ("B", "$B", None, false, false),
                ("C", "${C:-x y}", Some("x y"), false, true),
                ("D", "${D-}", Some(""), false, false),
                ("E", "${E:?must be set}", None, true, true),
                ("F", "${F?}", None, true, false),
            ]
        );
    }
}
