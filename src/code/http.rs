//! `.http`/`.rest` request files (VS Code REST Client, JetBrains HTTP Client): requests
//! separated by `###`, each a request line, header lines up to a blank line, then a body;
//! `@name = value` file variables; `{{name}}` placeholders, `{{$processEnv NAME}}`,
//! `{{$dotenv NAME}}` and `{{$env.NAME}}` environment reads.

use std::ops::Range;

use super::facts::{
    Assignment, CodeFacts, DotenvLoad, EnvRead, Expr, Header, HeaderSource, Request, StringKind,
    StringLit, StringPart,
};

const METHODS: &[&str] = &[
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "HEAD",
    "OPTIONS",
    "CONNECT",
    "TRACE",
    "LOCK",
    "UNLOCK",
    "PROPFIND",
    "PROPPATCH",
    "COPY",
    "MOVE",
    "MKCOL",
    "MKCALENDAR",
    "ACL",
    "SEARCH",
    "GRAPHQL",
    "WEBSOCKET",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the request line: blank lines, comments, variables.
    Preamble,
    Headers,
    Body,
}

struct Pending {
    url: String,
    start: usize,
    end: usize,
    any_header: bool,
}

/// Extracts the facts of a `.http`/`.rest` file.
pub fn facts(source: &[u8]) -> CodeFacts {
    let text = String::from_utf8_lossy(source);
    if text.len() != source.len() {
        // Offsets would not match the bytes; such files are not request files anyway.
        return CodeFacts {
            parse_error: Some("the file is not UTF-8".to_string()),
            ..CodeFacts::default()
        };
    }
    let text: &str = &text;
    let mut facts = CodeFacts::default();
    let mut state = State::Preamble;
    let mut block = 0usize;
    let mut pending: Option<Pending> = None;
    let mut offset = 0usize;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let end = start + line.len();
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        let content = start + indent..start + indent + trimmed.len();

        if trimmed.starts_with("###") && indent == 0 {
            finish(&mut facts, pending.take());
            state = State::Preamble;
            block += 1;
            continue;
        }
        let comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        match state {
            State::Preamble => {
                if trimmed.is_empty() || comment {
                    continue;
                }
                if let Some(rest) = trimmed.strip_prefix('@') {
                    variable(&mut facts, text, rest, content.clone(), block);
                } else {
                    pending = Some(Pending {
                        url: request_url(trimmed),
                        start: content.start,
                        end,
                        any_header: false,
                    });
                    state = State::Headers;
                }
            }
            State::Headers => {
                if trimmed.is_empty() {
                    state = State::Body;
                    continue;
                }
                if comment {
                    continue;
                }
                let Some(request) = pending.as_mut() else {
                    continue;
                };
                request.end = end;
                if !request.any_header && (trimmed.starts_with('?') || trimmed.starts_with('&')) {
                    // A query continued on the next line.
                    request.url.push_str(trimmed);
                    continue;
                }
                match header(text, content.clone()) {
                    Some(h) => {
                        request.any_header = true;
                        if let Expr::Str(lit) = &h.value {
                            facts.strings.push(lit.clone());
                        }
                        facts.headers.push(h);
                    }
                    None => state = State::Body,
                }
            }
            State::Body => {
                if let Some(request) = pending.as_mut() {
                    if !trimmed.is_empty() {
                        request.end = end;
                    }
                }
            }
        }
        if !(comment && state != State::Body) {
            env_reads(&mut facts, text, content, block);
        }
    }
    finish(&mut facts, pending.take());
    facts
}

fn finish(facts: &mut CodeFacts, pending: Option<Pending>) {
    if let Some(request) = pending {
        facts.requests.push(Request {
            tool: "http-file".to_string(),
            url: Some(request.url).filter(|u| !u.is_empty()),
            span: request.start..request.end,
            headers: if request.any_header {
                HeaderSource::Literal
            } else {
                HeaderSource::None
            },
            function: None,
        });
    }
}

/// `POST https://host/path HTTP/1.1` or a bare URL.
fn request_url(line: &str) -> String {
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("");
    let url = if METHODS.contains(&first) {
        words.next().unwrap_or("")
    } else {
        first
    };
    url.to_string()
}

/// `@name = value`.
fn variable(facts: &mut CodeFacts, text: &str, rest: &str, line: Range<usize>, block: usize) {
    let Some(eq) = rest.find('=') else {
        return;
    };
    let name = rest[..eq].trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return;
    }
    let name_start = line.start + 1 + (rest.len() - rest.trim_start().len());
    let value_range = trimmed_range(text, line.start + 1 + eq + 1..line.end);
    let lit = lit(text, value_range);
    facts.strings.push(lit.clone());
    facts.assignments.push(Assignment {
        target: name.to_string(),
        target_span: name_start..name_start + name.len(),
        value: Expr::Str(lit),
        span: line,
        top_level: Some(block),
        exported: false,
    });
}

/// `Name: value`; None when the line is not a header.
fn header(text: &str, line: Range<usize>) -> Option<Header> {
    let content = &text[line.clone()];
    let colon = content.find(':')?;
    let name = content[..colon].trim_end();
    if name.is_empty() || !name.chars().all(is_token_char) {
        return None;
    }
    let value = trimmed_range(text, line.start + colon + 1..line.end);
    Some(Header {
        name: name.to_string(),
        name_span: line.start..line.start + name.len(),
        value: Expr::Str(lit(text, value)),
        span: line,
        function: None,
    })
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn trimmed_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.end - (slice.len() - slice.trim_end().len());
    start..end.max(start)
}

/// `{{...}}` placeholders in `range`: (whole span, inner code).
fn placeholders(text: &str, range: Range<usize>) -> Vec<(Range<usize>, String)> {
    let slice = &text[range.clone()];
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(open) = slice[pos..].find("{{") {
        let open = pos + open;
        let Some(close) = slice[open + 2..].find("}}") else {
            break;
        };
        let close = open + 2 + close;
        let code = slice[open + 2..close].trim().to_string();
        out.push((range.start + open..range.start + close + 2, code));
        pos = close + 2;
    }
    out
}

/// A value as a literal: Interpolated when it has `{{...}}` placeholders.
fn lit(text: &str, range: Range<usize>) -> StringLit {
    let mut parts = Vec::new();
    let mut pos = range.start;
    let found = placeholders(text, range.clone());
    for (span, code) in &found {
        if span.start > pos {
            parts.push(StringPart::Text {
                text: text[pos..span.start].to_string(),
                span: pos..span.start,
            });
        }
        parts.push(StringPart::Interpolation {
            code: code.clone(),
            span: span.clone(),
        });
        pos = span.end;
    }
    if range.end > pos {
        parts.push(StringPart::Text {
            text: text[pos..range.end].to_string(),
            span: pos..range.end,
        });
    }
    StringLit {
        span: range,
        kind: if found.is_empty() {
            StringKind::Plain
        } else {
            StringKind::Interpolated
        },
        parts,
    }
}

fn env_reads(facts: &mut CodeFacts, text: &str, range: Range<usize>, block: usize) {
    for (span, code) in placeholders(text, range) {
        let (how, name) = if let Some(rest) = code.strip_prefix("$processEnv") {
            ("$processEnv", rest)
        } else if let Some(rest) = code.strip_prefix("$dotenv") {
            ("$dotenv", rest)
        } else if let Some(rest) = code.strip_prefix("$env.") {
            ("$env", rest)
        } else {
            continue;
        };
        if how == "$dotenv" {
            facts.dotenv_loads.push(DotenvLoad {
                span: span.clone(),
                top_level: Some(block),
            });
        }
        if how != "$env" && !name.starts_with(char::is_whitespace) {
            continue;
        }
        let name = name.trim();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            facts.env_reads.push(EnvRead {
                name: name.to_string(),
                span,
                how: how.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "@baseUrl = https://api.openai.com/v1\n\
        @token = {{$dotenv OPENAI_API_KEY}}\n\
        \n\
        # @name models\n\
        GET {{baseUrl}}/models HTTP/1.1\n\
        Authorization: Bearer {{token}}\n\
        \n\
        ###\n\
        // chat\n\
        POST https://api.openai.com/v1/chat/completions\n\
        Authorization: {{$processEnv OPENAI_API_KEY}}\n\
        Content-Type: application/json\n\
        \n\
        {\"model\": \"gpt-4o\"}\n\
        \n\
        ###\n\
        https://api.openai.com/v1/models\n";

    fn slice<'a>(range: &Range<usize>) -> &'a str {
        &FILE[range.clone()]
    }

    #[test]
    fn requests_are_separated_by_three_hashes() {
        let facts = facts(FILE.as_bytes());
        assert_eq!(facts.parse_error, None);
        let got: Vec<(&str, Option<&str>, HeaderSource)> = facts
            .requests
            .iter()
            .map(|r| (r.tool.as_str(), r.url.as_deref(), r.headers))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "http-file",
                    Some("{{baseUrl}}/models"),
                    HeaderSource::Literal
                ),
                (
                    "http-file",
                    Some("https://api.openai.com/v1/chat/completions"),
                    HeaderSource::Literal
                ),
                (
                    "http-file",
                    Some("https://api.openai.com/v1/models"),
                    HeaderSource::None
                ),
            ]
        );
        assert!(slice(&facts.requests[0].span).starts_with("GET {{baseUrl}}"));
        assert!(slice(&facts.requests[0].span).ends_with("Bearer {{token}}"));
        assert!(slice(&facts.requests[1].span).ends_with("{\"model\": \"gpt-4o\"}"));
    }

    #[test]
    fn headers_with_placeholders() {
        let facts = facts(FILE.as_bytes());
        let [bearer, env, content_type] = facts.headers.as_slice() else {
            panic!("{:?}", facts.headers)
        };
        assert_eq!(bearer.name, "Authorization");
        assert_eq!(slice(&bearer.name_span), "Authorization");
        assert_eq!(slice(&bearer.span), "Authorization: Bearer {{token}}");
        let Expr::Str(value) = &bearer.value else {
            panic!()
        };
        assert_eq!(value.kind, StringKind::Interpolated);
        assert_eq!(slice(&value.span), "Bearer {{token}}");
        let [StringPart::Text {
            text,
            span: text_span,
        }, StringPart::Interpolation { code, span }] = value.parts.as_slice()
        else {
            panic!("{:?}", value.parts)
        };
        assert_eq!((text.as_str(), slice(text_span)), ("Bearer ", "Bearer "));
        assert_eq!((code.as_str(), slice(span)), ("token", "{{token}}"));

        let Expr::Str(value) = &env.value else {
            panic!()
        };
        assert!(matches!(value.parts.as_slice(),
            [StringPart::Interpolation { code, .. }] if code == "$processEnv OPENAI_API_KEY"));
        let Expr::Str(value) = &content_type.value else {
            panic!()
        };
        assert_eq!(value.kind, StringKind::Plain);
        assert_eq!(value.text().as_deref(), Some("application/json"));
    }

    #[test]
    fn environment_reads_and_variables() {
        let facts = facts(FILE.as_bytes());
        let reads: Vec<(&str, &str, &str)> = facts
            .env_reads
            .iter()
            .map(|r| (r.name.as_str(), r.how.as_str(), slice(&r.span)))
            .collect();
        assert_eq!(
            reads,
            [
                ("OPENAI_API_KEY", "$dotenv", "{{$dotenv OPENAI_API_KEY}}"),
                (
                    "OPENAI_API_KEY",
                    "$processEnv",
                    "{{$processEnv OPENAI_API_KEY}}"
                ),
            ]
        );
        assert_eq!(facts.dotenv_loads.len(), 1);
        let targets: Vec<(&str, &str)> = facts
            .assignments
            .iter()
            .map(|a| (a.target.as_str(), slice(&a.target_span)))
            .collect();
        assert_eq!(targets, [("baseUrl", "baseUrl"), ("token", "token")]);
        let Expr::Str(value) = &facts.assignments[0].value else {
            panic!()
        };
        assert_eq!(slice(&value.span), "https://api.openai.com/v1");
        assert_eq!(value.kind, StringKind::Plain);
        assert_eq!(
            slice(&facts.assignments[1].span),
            "@token = {{$dotenv OPENAI_API_KEY}}"
        );
    }

    #[test]
    fn odd_inputs() {
        for input in [
            &b""[..],
            b"###\n###\n",
            b"GET",
            b"Authorization: x\n",
            b"\xff\xfe",
            b"POST x\r\nAuthorization: {{\r\n\r\n",
        ] {
            let _ = facts(input);
        }
        let crlf = "POST https://api.openai.com/v1/x\r\nAuthorization: Bearer k\r\n\r\nbody\r\n";
        let facts = facts(crlf.as_bytes());
        assert_eq!(
            &crlf[facts.headers[0].span.clone()],
            "Authorization: Bearer k"
        );
    }
}
