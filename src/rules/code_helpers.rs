//! What the source-code rules share: reading a header value as text with holes, telling key-like
//! expressions, knowing the endpoint a file talks to.

use std::ops::Range;

use crate::code::facts::{CodeFacts, Expr, Header, StringLit, StringPart};
use crate::providers::catalog;
use crate::rules::key_setting::{key_variable, known_prefix, whole_key};
use crate::rules::FileContext;

/// A header value flattened: literal text and holes (interpolated or concatenated values).
#[derive(Debug, Clone)]
pub enum Segment<'a> {
    Text {
        text: String,
        span: Range<usize>,
        verbatim: bool,
    },
    Hole(&'a Expr),
    /// A placeholder of a template (`{}` of `.format`, `%s` of `Sprintf`) filled by an argument.
    Placeholder,
    /// An interpolation inside a string literal (`{key}` of an f-string, `${key}`, `$KEY`).
    Interpolation {
        code: String,
    },
}

/// The value's segments in order. Plain literals are text (their `{x}` is not filled in).
pub fn segments<'a>(file: &FileContext, expr: &'a Expr) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    flatten(file, expr, &mut out);
    out
}

fn flatten<'a>(file: &FileContext, expr: &'a Expr, out: &mut Vec<Segment<'a>>) {
    match expr {
        Expr::Str(lit) => literal_segments(file, lit, out),
        Expr::Concat { parts, .. } => parts.iter().for_each(|p| flatten(file, p, out)),
        Expr::Format { template, .. } => {
            for segment in template_segments(file, template) {
                out.push(segment);
            }
        }
        other => out.push(Segment::Hole(other)),
    }
}

fn literal_segments(file: &FileContext, lit: &StringLit, out: &mut Vec<Segment<'_>>) {
    for part in &lit.parts {
        match part {
            StringPart::Text { text, span } => out.push(Segment::Text {
                verbatim: file.source.bytes.get(span.clone()) == Some(text.as_bytes()),
                text: text.clone(),
                span: span.clone(),
            }),
            StringPart::Interpolation { code, .. } => {
                out.push(Segment::Interpolation { code: code.clone() })
            }
        }
    }
}

/// A format template's text with its placeholders (`{}`, `{name}`, `%s`, `%v`) as holes.
fn template_segments<'a>(file: &FileContext, template: &StringLit) -> Vec<Segment<'a>> {
    let mut raw = Vec::new();
    literal_segments(file, template, &mut raw);
    let mut out = Vec::new();
    for segment in raw {
        let Segment::Text {
            text,
            span,
            verbatim,
        } = segment
        else {
            out.push(segment);
            continue;
        };
        let mut last = 0;
        for (start, end) in placeholders(&text) {
            if start > last {
                out.push(Segment::Text {
                    text: text[last..start].to_owned(),
                    span: sub_span(&span, verbatim, last..start),
                    verbatim,
                });
            }
            out.push(Segment::Placeholder);
            last = end;
        }
        if last < text.len() {
            out.push(Segment::Text {
                text: text[last..].to_owned(),
                span: sub_span(&span, verbatim, last..text.len()),
                verbatim,
            });
        }
    }
    out
}

/// Byte ranges of `{}` / `{name}` / `{0}` / `%s` / `%v` / `%d` placeholders in a template.
pub fn placeholders(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'{' if bytes.get(at + 1) == Some(&b'{') => at += 2,
            b'{' => match text[at..].find('}') {
                Some(close)
                    if text[at + 1..at + close]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.:?#".contains(&b)) =>
                {
                    found.push((at, at + close + 1));
                    at += close + 1;
                }
                _ => at += 1,
            },
            b'%' if matches!(bytes.get(at + 1), Some(b's' | b'v' | b'd' | b'q')) => {
                found.push((at, at + 2));
                at += 2;
            }
            _ => at += 1,
        }
    }
    found
}

/// The file span of `range` inside a text part: exact when the text is verbatim in the file.
pub fn sub_span(span: &Range<usize>, verbatim: bool, range: Range<usize>) -> Range<usize> {
    if verbatim {
        span.start + range.start..span.start + range.end
    } else {
        span.clone()
    }
}

/// Whether an expression evidently holds a key: an env read of a key variable, a variable named
/// like a key, a key literal, a key file's contents.
pub fn is_key_like(file: &FileContext, expr: &Expr) -> bool {
    match expr {
        Expr::Env(read) => key_variable(file, &read.name).is_some() || name_is_key_like(&read.name),
        Expr::Name { path, .. } => name_is_key_like(path),
        Expr::Str(lit) => lit.text().is_some_and(|text| {
            let text = text.trim();
            whole_key(text, None).is_some() || known_prefix(text).is_some()
        }),
        Expr::FileRead { .. } => true,
        _ => false,
    }
}

/// An interpolation's code that evidently reads a key (`key`, `api_key`, `os.environ['X_KEY']`,
/// `process.env.OPENAI_API_KEY`, `$OPENAI_API_KEY`).
pub fn code_is_key_like(code: &str) -> bool {
    let code = code
        .trim()
        .trim_start_matches(['$', '{'])
        .trim_end_matches('}');
    // A fallback keeps the key when it is set: `api_key or ''`, `key ?? ""`, `${KEY:-none}`.
    let code = [" or ", "||", "??", ":-", ":="]
        .iter()
        .filter_map(|operator| code.find(operator))
        .min()
        .map_or(code, |at| code[..at].trim());
    let last = code
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|word| !word.is_empty())
        .unwrap_or(code);
    name_is_key_like(last) || name_is_key_like(code)
}

/// `api_key`, `apiKey`, `OPENAI_API_KEY`, `self.key`, `token`: named like a key or token.
pub fn name_is_key_like(path: &str) -> bool {
    let last = path.rsplit(['.', ':']).next().unwrap_or(path);
    let lower = last.to_ascii_lowercase();
    let lower = lower.trim_end_matches(['"', '\'', ']', ')']);
    lower == "key"
        || lower.ends_with("_key")
        || lower.ends_with("apikey")
        || lower.ends_with("api_key")
        || lower.ends_with("token")
        || lower.ends_with("secret")
}

/// The lower-case words of a name, a path or a piece of code: split at anything that is not
/// an ASCII letter or digit and at camelCase humps (`OPENAI_MTLS_KEY_PATH`: openai mtls key
/// path; `caCert`: ca cert; `TLSKey`: tls key).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let bytes = run.as_bytes();
        let mut start = 0;
        for at in 1..bytes.len() {
            let (before, here) = (bytes[at - 1], bytes[at]);
            let lower_before = before.is_ascii_lowercase() || before.is_ascii_digit();
            let acronym_ends = before.is_ascii_uppercase()
                && bytes.get(at + 1).is_some_and(u8::is_ascii_lowercase);
            if here.is_ascii_uppercase() && (lower_before || acronym_ends) {
                out.push(run[start..at].to_ascii_lowercase());
                start = at;
            }
        }
        if start < run.len() {
            out.push(run[start..].to_ascii_lowercase());
        }
    }
    out
}

/// Words that name TLS certificates and private keys, not API keys.
const TLS_WORDS: &[&str] = &[
    "ca",
    "cacert",
    "cacerts",
    "cafile",
    "capath",
    "cer",
    "cert",
    "certificate",
    "certificates",
    "certs",
    "crt",
    "der",
    "mtls",
    "p12",
    "passphrase",
    "pem",
    "pfx",
    "pkcs12",
    "private",
    "privkey",
    "rsa",
    "ssh",
    "ssl",
    "tls",
    "x509",
];

/// Whether a name, a path or a read's code names TLS material (`OPENAI_MTLS_KEY_PATH`,
/// `tls_key`, `caCert`, `"certs/client.pem"`, `private_key`).
pub fn names_tls_material(text: &str) -> bool {
    words(text).iter().any(|w| TLS_WORDS.contains(&w.as_str()))
}

/// Words that make a key name a flag or a setting about a key (`has_api_key`, `useApiKey`).
const FLAG_WORDS: &[&str] = &[
    "enable", "has", "is", "missing", "need", "needs", "no", "require", "requires", "show", "use",
    "uses", "valid", "with", "without",
];

/// Whether a name says it holds an API key: `api_key`, `apiKey`, `APIKEY`, `openai_key`; not a
/// flag about one (`has_api_key`), nor any `key` or `token`.
pub fn names_api_key(name: &str) -> bool {
    let words = words(name);
    if words
        .first()
        .is_some_and(|w| FLAG_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    match words.as_slice() {
        [.., last] if last == "apikey" => true,
        [.., before, last] if last == "key" => {
            before == "api"
                || catalog()
                    .iter()
                    .any(|p| p.id.split('-').next() == Some(before.as_str()))
        }
        _ => false,
    }
}

/// The last segment of a path: `response.data["api_key"]`: `api_key`; `self.key`: `key`.
pub fn last_segment(path: &str) -> &str {
    path.trim_end_matches(['"', '\'', ']', ')'])
        .rsplit(['.', '[', '"', '\''])
        .next()
        .unwrap_or(path)
}

/// Hosts of OpenAI's and Azure OpenAI's APIs.
pub const OPENAI_HOST: &str = "api.openai.com";
pub const AZURE_HOSTS: &[&str] = &[".openai.azure.com", ".cognitiveservices.azure.com"];

/// The Authorization headers among the file's headers (any case), but for those a mock
/// transport answers.
pub fn authorization_headers(facts: &CodeFacts) -> impl Iterator<Item = &Header> {
    facts
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authorization") && !facts.is_mocked(&h.span))
}

/// Whether the file talks to one of `hosts`: a request URL or any string literal names it.
pub fn file_mentions(facts: &CodeFacts, hosts: &[&str]) -> bool {
    let mentions = |text: &str| hosts.iter().any(|host| text.contains(host));
    facts
        .requests
        .iter()
        .any(|r| r.url.as_deref().is_some_and(mentions))
        || facts.strings.iter().any(|s| {
            s.parts
                .iter()
                .any(|p| matches!(p, StringPart::Text { text, .. } if mentions(text)))
        })
}

/// The language of a source file, by its name; shell also for Dockerfiles and CI files, whose
/// scripts are shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    JavaScript,
    Go,
    Rust,
    Shell,
    Http,
    Other,
}

impl Language {
    pub fn of(path: &str) -> Language {
        match path.rsplit('.').next().unwrap_or("") {
            "py" | "ipynb" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Language::JavaScript,
            "go" => Language::Go,
            "rs" => Language::Rust,
            "http" | "rest" => Language::Http,
            "sh" | "bash" | "zsh" | "yml" | "yaml" => Language::Shell,
            _ if path
                .rsplit('/')
                .next()
                .is_some_and(|n| n.to_ascii_lowercase().contains("dockerfile")) =>
            {
                Language::Shell
            }
            _ => Language::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolated_code_with_a_fallback_is_still_the_key() {
        for code in [
            "api_key",
            "{api_key or ''}",
            "apiKey ?? \"\"",
            "key || ''",
            "${OPENAI_API_KEY:-none}",
            "${OPENAI_API_KEY}",
        ] {
            assert!(code_is_key_like(code), "{code}");
        }
        for code in [
            "model or 'gpt-4o'",
            "${MODEL:-api_key}",
            "user_id",
            "key_id",
        ] {
            assert!(!code_is_key_like(code), "{code}");
        }
    }

    #[test]
    fn words_split_at_separators_and_humps() {
        assert_eq!(
            words("OPENAI_MTLS_KEY_PATH"),
            ["openai", "mtls", "key", "path"]
        );
        assert_eq!(words("caCert"), ["ca", "cert"]);
        assert_eq!(words("TLSKey"), ["tls", "key"]);
        assert_eq!(words("x509Cert"), ["x509", "cert"]);
        assert_eq!(
            words("readFile('certs/client.pem')"),
            ["read", "file", "certs", "client", "pem"]
        );
        assert!(words("").is_empty());
    }

    #[test]
    fn tls_material_by_name() {
        assert!(names_tls_material("OPENAI_MTLS_KEY_PATH"));
        assert!(names_tls_material("tls_key"));
        assert!(names_tls_material("private_key"));
        assert!(names_tls_material("open(\"client.pem\").read()"));
        assert!(!names_tls_material(
            "open(\"/run/secrets/openai_api_key\").read()"
        ));
        assert!(!names_tls_material("apiKey"));
        assert!(!names_tls_material("cache_key"));
    }

    #[test]
    fn api_key_names() {
        for name in [
            "api_key",
            "apiKey",
            "APIKEY",
            "OPENAI_API_KEY",
            "openai_key",
            "ApiKey",
        ] {
            assert!(names_api_key(name), "{name}");
        }
        for name in [
            "key",
            "token",
            "has_api_key",
            "hasApiKey",
            "api_key_env",
            "cache_key",
        ] {
            assert!(!names_api_key(name), "{name}");
        }
    }

    #[test]
    fn last_segments() {
        assert_eq!(last_segment("response.data[\"api_key\"]"), "api_key");
        assert_eq!(last_segment("data['api_key']"), "api_key");
        assert_eq!(last_segment("self.key"), "key");
        assert_eq!(last_segment("key"), "key");
        assert_eq!(last_segment(""), "");
    }
}
