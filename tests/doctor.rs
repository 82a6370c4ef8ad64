//! `keylint doctor` and `check --verify`: end to end, in a temporary environment (never the
//! developer's own), against a mock provider on 127.0.0.1 that answers as the OpenAI API does.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use common::{anthropic_key, code, openai_project_key, stdout, tree};

/// One request the mock saw: its path and headers (names in lower case).
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A provider on 127.0.0.1: answers each key with the status and JSON body given for it, any
/// other key with 401 `invalid_api_key`; keeps every request.
struct Mock {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    fn start(answers: Vec<(String, u16, String)>) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                answer(stream, &answers, &log);
            }
        });
        Mock {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            seen,
        }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn answer(stream: TcpStream, answers: &[(String, u16, String)], log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let path = first.split(' ').nth(1).unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let seen = Seen { path, headers };
    let auth = seen
        .header("authorization")
        .or(seen.header("x-api-key"))
        .unwrap_or("")
        .to_owned();
    log.lock().expect("lock").push(seen);
    let (status, body) = answers
        .iter()
        .find(|(key, _, _)| auth.ends_with(key.as_str()))
        .map(|(_, status, body)| (*status, body.clone()))
        .unwrap_or((401, error_body("Incorrect API key provided: sk-proj-****AAAA. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key")));
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// An error body as the OpenAI API writes it.
fn error_body(message: &str, kind: &str, code: &str) -> String {
    serde_json::json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
        .to_string()
}

/// `keylint doctor ARGS` in `dir`, with only `env` as its environment.
fn doctor(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run(dir, "doctor", args, env)
}

fn run(dir: &Path, command: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keylint"))
        .arg(command)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("keylint runs")
}

/// Human output with the mock's port fixed, for snapshots.
fn human(output: &Output, mock: Option<&Mock>) -> String {
    let text = stdout(output);
    match mock {
        Some(mock) => text.replace(&mock.base_url, "http://127.0.0.1:PORT/v1"),
        None => text,
    }
}

const PYTHON_DOTENV: &str = "import os\nfrom dotenv import load_dotenv\nfrom openai import OpenAI\n\nload_dotenv()\nclient = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n";

fn env_line(name: &str, value: &str) -> String {
    format!("{name}={value}\n")
}

// ---- where the value comes from, and which one wins ----

#[test]
fn the_shell_wins_over_dotenv_and_its_newline_is_flagged() {
    let (shell, file) = (openai_project_key(1), openai_project_key(2));
    let dotenv = env_line("OPENAI_API_KEY", &file);
    let dir = tree(&[
        ("app.py", PYTHON_DOTENV.as_bytes()),
        (".env", dotenv.as_bytes()),
    ]);
    let with_newline = format!("{shell}\n");
    let output = doctor(dir.path(), &[], &[("OPENAI_API_KEY", &with_newline)]);
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(text.contains("python-dotenv: load_dotenv()"), "{text}");
    assert!(
        text.contains("load_dotenv() keeps a variable that is already set"),
        "{text}"
    );
    assert!(text.contains("✗ the value holds a newline"), "{text}");
    assert!(
        !text.contains(&shell) && !text.contains(&file),
        "no key in full: {text}"
    );
    insta::assert_snapshot!("doctor_shell_wins", text);
}

#[test]
fn override_true_lets_dotenv_win() {
    let (shell, file) = (openai_project_key(3), openai_project_key(4));
    let dotenv = env_line("OPENAI_API_KEY", &file);
    let code_text = PYTHON_DOTENV.replace("load_dotenv()", "load_dotenv(override=True)");
    let dir = tree(&[
        ("app.py", code_text.as_bytes()),
        (".env", dotenv.as_bytes()),
    ]);
    let output = doctor(dir.path(), &[], &[("OPENAI_API_KEY", &shell)]);
    assert_eq!(code(&output), 0);
    let text = human(&output, None);
    assert!(
        text.contains(".env wins: the loader is told to override"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_override", text);
}

#[test]
fn without_a_loader_dotenv_reaches_the_program_only_if_its_starter_loads_it() {
    let dotenv = env_line("OPENAI_API_KEY", &openai_project_key(5));
    let dir = tree(&[
        (
            "app.py",
            b"import os\nkey = os.environ[\"OPENAI_API_KEY\"]\n".as_slice(),
        ),
        (".env", dotenv.as_bytes()),
    ]);
    let output = doctor(dir.path(), &[], &[]);
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(
        text.contains("no code here loads .env, so its value reaches the program only if"),
        "{text}"
    );
    assert!(
        text.contains("✗ OPENAI_API_KEY is not set where the program runs"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_no_loader", text);
}

#[test]
fn node_dotenv_keeps_the_shell_value() {
    let (shell, file) = (openai_project_key(6), openai_project_key(7));
    let dotenv = env_line("OPENAI_API_KEY", &file);
    let dir = tree(&[
        (
            "index.js",
            b"require(\"dotenv\").config();\nconst key = process.env.OPENAI_API_KEY;\n".as_slice(),
        ),
        (".env", dotenv.as_bytes()),
    ]);
    let output = doctor(dir.path(), &[], &[("OPENAI_API_KEY", &shell)]);
    assert_eq!(code(&output), 0);
    let text = human(&output, None);
    assert!(text.contains("Node dotenv"), "{text}");
    assert!(
        text.contains("dotenv.config() keeps a variable that is already set"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_node", text);

    let overriding = "require(\"dotenv\").config({ override: true });\nconst key = process.env.OPENAI_API_KEY;\n";
    std::fs::write(dir.path().join("index.js"), overriding).expect("write");
    let output = doctor(dir.path(), &[], &[("OPENAI_API_KEY", &shell)]);
    let text = human(&output, None);
    assert!(
        text.contains(".env wins: the loader is told to override"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_node_override", text);
}

#[test]
fn nextjs_reads_env_local_before_env() {
    let local = env_line("OPENAI_API_KEY", &openai_project_key(8));
    let mode = env_line("OPENAI_API_KEY", &openai_project_key(9));
    let base = env_line("OPENAI_API_KEY", &openai_project_key(10));
    let dir = tree(&[
        (
            "package.json",
            b"{\"dependencies\": {\"next\": \"15.0.0\", \"openai\": \"4.0.0\"}}\n".as_slice(),
        ),
        (
            "app/api/route.ts",
            b"export const key = process.env.OPENAI_API_KEY;\n".as_slice(),
        ),
        (".env.local", local.as_bytes()),
        (".env.development", mode.as_bytes()),
        (".env", base.as_bytes()),
    ]);
    let output = doctor(dir.path(), &[], &[]);
    assert_eq!(code(&output), 0);
    let text = human(&output, None);
    assert!(text.contains(".env.local comes first"), "{text}");
    insta::assert_snapshot!("doctor_nextjs", text);

    // In production .env.production and .env are read, .env.development is not; the
    // environment wins over every file.
    let production = env_line("OPENAI_API_KEY", &openai_project_key(19));
    std::fs::remove_file(dir.path().join(".env.local")).expect("remove");
    std::fs::write(dir.path().join(".env.production"), production).expect("write");
    let shell = openai_project_key(20);
    let output = doctor(
        dir.path(),
        &[],
        &[("NODE_ENV", "production"), ("OPENAI_API_KEY", &shell)],
    );
    let text = human(&output, None);
    assert!(text.contains("Next.js (production)"), "{text}");
    assert!(!text.contains(".env.development"), "{text}");
    assert!(text.contains("Next.js never overrides"), "{text}");
    insta::assert_snapshot!("doctor_nextjs_production", text);
}

#[test]
fn keys_read_only_optionally_or_by_tests_are_not_failures() {
    let dir = tree(&[
        (
            "app.py",
            b"import os\nkey = os.environ[\"OPENAI_API_KEY\"]\nother = os.environ.get(\"GROQ_API_KEY\")\n"
                .as_slice(),
        ),
        (
            "tests/test_app.py",
            b"import os\nKEY = os.environ[\"ANTHROPIC_API_KEY\"]\n".as_slice(),
        ),
    ]);
    let output = doctor(dir.path(), &[], &[]);
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(text.contains("✗ OPENAI_API_KEY is not set"), "{text}");
    assert!(
        text.contains("read only optionally, by examples, or not at all: GROQ_API_KEY"),
        "{text}"
    );
    assert!(!text.contains("ANTHROPIC_API_KEY"), "a test's read: {text}");
    assert_eq!(text.matches('✗').count(), 1, "{text}");
    insta::assert_snapshot!("doctor_optional_reads", text);

    // Set, an optional key is judged like any other.
    let groq = common::groq_key(44);
    let output = doctor(dir.path(), &[], &[("GROQ_API_KEY", &format!("{groq}\n"))]);
    let text = human(&output, None);
    assert!(
        text.contains("GROQ_API_KEY (Groq key), read at app.py:3"),
        "{text}"
    );
    assert!(text.contains("✗ the value holds a newline"), "{text}");
}

// ---- a compose service ----

const COMPOSE: &str = "services:\n  web:\n    image: app\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY}\n    env_file:\n      - web.env\n  worker:\n    image: app\n";

#[test]
fn a_compose_service_fills_from_the_shell_and_overrides_its_env_file() {
    let env_file = env_line("OPENAI_API_KEY", &openai_project_key(11));
    let dir = tree(&[
        ("compose.yaml", COMPOSE.as_bytes()),
        ("web.env", env_file.as_bytes()),
    ]);
    let shell = openai_project_key(12);
    let output = doctor(
        dir.path(),
        &["--service", "web"],
        &[("OPENAI_API_KEY", &shell)],
    );
    assert_eq!(code(&output), 0);
    let text = human(&output, None);
    assert!(text.contains("filled from the shell"), "{text}");
    assert!(text.contains("the service's `environment` wins"), "{text}");
    insta::assert_snapshot!("doctor_compose_shell", text);
}

#[test]
fn a_compose_service_fills_from_the_dotenv_beside_it() {
    let dotenv = env_line("OPENAI_API_KEY", "sk-YOUR_API_KEY_HERE");
    let dir = tree(&[
        ("compose.yaml", COMPOSE.as_bytes()),
        (".env", dotenv.as_bytes()),
    ]);
    let output = doctor(dir.path(), &["--service", "web"], &[]);
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(
        text.contains("filled from .env beside the compose file"),
        "{text}"
    );
    assert!(text.contains("✗ the value is a placeholder"), "{text}");
    insta::assert_snapshot!("doctor_compose_dotenv", text);
}

#[test]
fn a_later_env_file_wins_over_an_earlier_one() {
    let compose = "services:\n  web:\n    image: app\n    env_file: [base.env, local.env]\n";
    let base = env_line("OPENAI_API_KEY", &openai_project_key(21));
    let local = env_line("OPENAI_API_KEY", &openai_project_key(22));
    let dir = tree(&[
        ("docker-compose.yml", compose.as_bytes()),
        ("base.env", base.as_bytes()),
        ("local.env", local.as_bytes()),
    ]);
    let output = doctor(dir.path(), &["--service", "web"], &[]);
    assert_eq!(code(&output), 0);
    let text = human(&output, None);
    assert!(
        text.contains("env_file local.env wins: a later env_file overrides an earlier one"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_compose_env_files", text);
}

#[test]
fn a_compose_service_that_does_not_pass_the_key() {
    let dir = tree(&[
        ("compose.yaml", COMPOSE.as_bytes()),
        (
            "worker.py",
            b"import os\nkey = os.environ[\"OPENAI_API_KEY\"]\n".as_slice(),
        ),
    ]);
    let shell = openai_project_key(13);
    let other = anthropic_key(14);
    let output = doctor(
        dir.path(),
        &["--service", "worker"],
        &[("OPENAI_API_KEY", &shell), ("ANTHROPIC_API_KEY", &other)],
    );
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(
        text.contains("service `worker` does not pass it to its container"),
        "{text}"
    );
    // No code reads the Anthropic key: a note, not a failed check.
    assert!(
        text.contains("the shell sets ANTHROPIC_API_KEY, which service `worker` does not pass"),
        "{text}"
    );
    assert_eq!(text.matches('✗').count(), 1, "{text}");
    insta::assert_snapshot!("doctor_compose_not_passed", text);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tree(&[("compose.yaml", COMPOSE.as_bytes())]);
    let output = doctor(dir.path(), &["--service", "api"], &[]);
    assert_eq!(code(&output), 2);
    assert!(common::stderr(&output).contains("has no service `api` (it has: web, worker)"));
    let output = doctor(dir.path(), &["missing-folder"], &[]);
    assert_eq!(code(&output), 2);
    let empty = tree(&[("a.txt", b"".as_slice())]);
    let output = doctor(empty.path(), &["--service", "web"], &[]);
    assert_eq!(code(&output), 2);
    assert!(common::stderr(&output).contains("no compose file"));
}

// ---- what is wrong with the value ----

/// The doctor's verdict on OPENAI_API_KEY=`value`, set in the environment only.
fn value_report(value: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let mut env = vec![("OPENAI_API_KEY", value)];
    env.extend_from_slice(extra);
    let output = doctor(dir.path(), &[], &env);
    (code(&output), human(&output, None))
}

#[test]
fn each_value_problem_is_named_with_its_fix() {
    let key = openai_project_key(14);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "is set but empty"),
        (
            "placeholder",
            "sk-YOUR_API_KEY_HERE".to_owned(),
            "is a placeholder",
        ),
        ("truncated", key[..60].to_owned(), "truncated or mistyped"),
        ("spaces", format!(" {key} "), "has spaces around it"),
        (
            "carriage_return",
            format!("{key}\r"),
            "holds a carriage return",
        ),
        ("quotes", format!("\"{key}\""), "wrapped in quotes"),
        ("bearer", format!("Bearer {key}"), "starts with `Bearer `"),
        ("other_provider", anthropic_key(15), "holds an Anthropic"),
    ];
    for (name, value, expected) in cases {
        let (exit, text) = value_report(&value, &[]);
        assert_eq!(exit, 1, "{name}: {text}");
        assert!(text.contains(expected), "{name}: {text}");
        assert!(text.contains("fix:"), "{name}: {text}");
        insta::assert_snapshot!(format!("doctor_value_{name}"), text);
    }
    let (exit, text) = value_report(&key, &[]);
    assert_eq!(exit, 0, "{text}");
    assert!(!text.contains('✗'), "{text}");
}

#[test]
fn the_base_url_and_ids_are_judged_against_the_key() {
    let key = openai_project_key(16);
    let (exit, text) = value_report(
        &key,
        &[
            ("OPENAI_BASE_URL", "https://api.groq.com/openai/v1"),
            ("OPENAI_ORG_ID", "my-company"),
            ("OPENAI_PROJECT_ID", "proj_abc123XYZ"),
        ],
    );
    assert_eq!(exit, 1, "{text}");
    assert!(text.contains("✗ OPENAI_BASE_URL points at Groq"), "{text}");
    assert!(
        text.contains("✗ OPENAI_ORG_ID is `my-company`, not an organization id"),
        "{text}"
    );
    assert!(
        text.contains("✓ OPENAI_PROJECT_ID is proj_abc123XYZ"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_base_url_and_ids", text);

    let (exit, text) = value_report(
        &key,
        &[
            ("OPENAI_API_BASE", "https://api.anthropic.com/v1"),
            ("OPENAI_PROJECT_ID", "my project"),
        ],
    );
    assert_eq!(exit, 1, "{text}");
    // The openai SDK 1.x does not read OPENAI_API_BASE: a note, not a failure.
    assert!(
        text.contains("note: OPENAI_API_BASE is set: LangChain and openai<1.0 read it"),
        "{text}"
    );
    assert_eq!(text.matches('✗').count(), 1, "{text}");
    assert!(
        text.contains("✗ OPENAI_PROJECT_ID is `my project`, not a project id"),
        "{text}"
    );
    insta::assert_snapshot!("doctor_api_base_and_project", text);

    // The base URL is the OpenAI SDK's: an Anthropic key beside it is not judged by it.
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let anthropic = anthropic_key(17);
    let output = doctor(
        dir.path(),
        &[],
        &[
            ("ANTHROPIC_API_KEY", &anthropic),
            ("OPENAI_BASE_URL", "https://api.groq.com/openai/v1"),
        ],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(!stdout(&output).contains("OPENAI_BASE_URL"));

    // A key pasted into the wrong variable is not shown in full there either.
    let (_, text) = value_report(&key, &[("OPENAI_ORG_ID", &key)]);
    assert!(text.contains("✗ OPENAI_ORG_ID is `sk-proj-"), "{text}");
    assert!(!text.contains(&key), "{text}");
}

#[test]
fn json_output_names_sources_and_checks_without_the_key() {
    let (shell, file) = (openai_project_key(17), openai_project_key(18));
    let dotenv = env_line("OPENAI_API_KEY", &file);
    let dir = tree(&[
        ("app.py", PYTHON_DOTENV.as_bytes()),
        (".env", dotenv.as_bytes()),
    ]);
    let with_newline = format!("{shell}\n");
    let output = doctor(
        dir.path(),
        &["--format", "json"],
        &[("OPENAI_API_KEY", &with_newline)],
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(!text.contains(&shell) && !text.contains(&file));
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["ok"], false);
    let variable = &json["variables"][0];
    assert_eq!(variable["name"], "OPENAI_API_KEY");
    assert_eq!(variable["provider"], "openai");
    assert_eq!(variable["read_at"][0], "app.py:6");
    assert_eq!(variable["sources"][0]["place"], "the environment");
    assert_eq!(variable["sources"][0]["wins"], true);
    assert_eq!(variable["sources"][1]["place"], ".env");
    assert_eq!(variable["sources"][1]["wins"], false);
    let failed: Vec<&str> = variable["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["what"].as_str().expect("what"))
        .collect();
    assert_eq!(failed, ["the value holds a newline"]);
}

// ---- --live ----

/// `doctor --live` with OPENAI_API_KEY=`key` against a mock answering `status` and `body`.
fn live(key: &str, status: u16, body: String, extra: &[(&str, &str)]) -> (i32, String, Mock) {
    let mock = Mock::start(vec![(key.to_owned(), status, body)]);
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let mut env = vec![("OPENAI_API_KEY", key), ("OPENAI_BASE_URL", &mock.base_url)];
    env.extend_from_slice(extra);
    let output = doctor(dir.path(), &["--live"], &env);
    let text = human(&output, Some(&mock));
    (code(&output), text, mock)
}

#[test]
fn live_answers_are_explained() {
    let cases: Vec<(&str, u16, String, &str, i32)> = vec![
        (
            "ok",
            200,
            r#"{"object":"list","data":[]}"#.to_owned(),
            "the key works from here: if the program still gets 401",
            0,
        ),
        (
            "invalid_key",
            401,
            error_body(
                "Incorrect API key provided: sk-proj-****abcd.",
                "invalid_request_error",
                "invalid_api_key",
            ),
            "the key is wrong or revoked",
            1,
        ),
        (
            "no_organization",
            401,
            error_body(
                "You must be a member of an organization to use the API.",
                "invalid_request_error",
                "no_organization",
            ),
            "belongs to no organization",
            1,
        ),
        (
            "ip_not_authorized",
            401,
            error_body(
                "You are not authorized to access this API from this IP address.",
                "invalid_request_error",
                "ip_not_authorized",
            ),
            "only from some IP addresses",
            1,
        ),
        (
            "forbidden",
            403,
            error_body(
                "Country, region, or territory not supported",
                "request_forbidden",
                "unsupported_country_region_territory",
            ),
            "knows the key but refuses this request",
            1,
        ),
        (
            "missing_scope",
            401,
            error_body(
                "You have insufficient permissions for this operation. Missing scopes: api.model.read.",
                "invalid_request_error",
                "missing_scope",
            ),
            "a restricted key without the permission",
            1,
        ),
        (
            "no_quota",
            429,
            error_body(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            ),
            "a billing problem, not an authentication one",
            1,
        ),
    ];
    for (name, status, body, expected, exit) in cases {
        let key = openai_project_key(20 + u64::from(status) + name.len() as u64);
        let (got, text, mock) = live(&key, status, body, &[]);
        assert_eq!(got, exit, "{name}: {text}");
        assert!(text.contains(expected), "{name}: {text}");
        let requests = mock.requests();
        assert_eq!(requests.len(), 1, "{name}: one request");
        assert_eq!(requests[0].path, "/v1/models");
        assert_eq!(
            requests[0].header("authorization"),
            Some(format!("Bearer {key}").as_str())
        );
        assert!(!text.contains(&key), "{name}: no key in full");
        insta::assert_snapshot!(format!("doctor_live_{name}"), text);
    }
}

#[test]
fn live_sends_the_organization_the_environment_would() {
    let key = openai_project_key(30);
    let body = error_body(
        "OpenAI-Organization header should match organization for API key",
        "invalid_request_error",
        "mismatched_organization",
    );
    let (exit, text, mock) = live(&key, 401, body, &[("OPENAI_ORG_ID", "org-AbC123")]);
    assert_eq!(exit, 1, "{text}");
    assert!(
        text.contains("not one of the organization sent in OpenAI-Organization"),
        "{text}"
    );
    let requests = mock.requests();
    assert_eq!(
        requests[0].header("openai-organization"),
        Some("org-AbC123")
    );
    insta::assert_snapshot!("doctor_live_mismatched_organization", text);
}

#[test]
fn live_without_an_answer_says_so() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let key = openai_project_key(31);
    let base = format!("http://127.0.0.1:{port}/v1");
    let output = doctor(
        dir.path(),
        &["--live"],
        &[("OPENAI_API_KEY", &key), ("OPENAI_BASE_URL", &base)],
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output).replace(&port.to_string(), "PORT");
    assert!(text.contains("no answer"), "{text}");
    assert!(!text.contains(&key));
    insta::assert_snapshot!("doctor_live_no_answer", text);
}

#[test]
fn live_goes_through_the_proxy_the_environment_names() {
    let proxy = Mock::start(vec![]);
    let proxy_url = proxy.base_url.trim_end_matches("/v1").to_owned();
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let key = openai_project_key(35);
    let output = doctor(
        dir.path(),
        &["--live"],
        &[
            ("OPENAI_API_KEY", &key),
            ("OPENAI_BASE_URL", "https://api.example.invalid/v1"),
            ("HTTPS_PROXY", &proxy_url),
        ],
    );
    assert_eq!(code(&output), 1);
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{}", stdout(&output));
    assert!(
        requests[0].path.starts_with("api.example.invalid:443"),
        "{:?}",
        requests[0]
    );
    let text = stdout(&output);
    assert!(text.contains("no answer"), "{text}");
    assert!(!text.contains(&key), "{text}");

    // A plain-http base URL on another machine gets no key at all.
    let output = doctor(
        dir.path(),
        &["--live"],
        &[
            ("OPENAI_API_KEY", &key),
            ("OPENAI_BASE_URL", "http://gateway.example.com/v1"),
            ("HTTP_PROXY", &proxy_url),
        ],
    );
    assert_eq!(proxy.requests().len(), 1);
    assert!(stdout(&output).contains("not asked: http://gateway.example.com/v1 is plain http"));
}

#[test]
fn the_new_user_trial_with_a_newline_and_a_revoked_key() {
    let (shell, file) = (openai_project_key(32), openai_project_key(33));
    let mock = Mock::start(vec![]);
    let dotenv = env_line("OPENAI_API_KEY", &file);
    let dir = tree(&[
        ("app.py", PYTHON_DOTENV.as_bytes()),
        (".env", dotenv.as_bytes()),
    ]);
    let with_newline = format!("{shell}\n");
    let output = doctor(
        dir.path(),
        &["--live"],
        &[
            ("OPENAI_API_KEY", &with_newline),
            ("OPENAI_BASE_URL", &mock.base_url),
        ],
    );
    assert_eq!(code(&output), 1);
    let text = human(&output, Some(&mock));
    assert!(text.contains("✗ the value holds a newline"), "{text}");
    assert!(text.contains("the key is wrong or revoked"), "{text}");
    // Asked with the key alone: the SDK would send the newline, which no server accepts.
    let requests = mock.requests();
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {shell}").as_str())
    );
    insta::assert_snapshot!("doctor_new_user_trial", text);
}

#[test]
fn no_request_without_live() {
    let mock = Mock::start(vec![]);
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let key = openai_project_key(34);
    let output = doctor(
        dir.path(),
        &[],
        &[
            ("OPENAI_API_KEY", &key),
            ("OPENAI_BASE_URL", &mock.base_url),
        ],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(mock.requests().is_empty());
}

// ---- check --verify ----

#[test]
fn verify_marks_live_and_revoked_keys() {
    let (live_key, revoked_key) = (openai_project_key(40), openai_project_key(41));
    let mock = Mock::start(vec![(
        live_key.clone(),
        200,
        r#"{"object":"list","data":[]}"#.to_owned(),
    )]);
    let config = format!("LIVE = \"{live_key}\"\nAGAIN = \"{live_key}\"\n");
    let old = format!("OLD = \"{revoked_key}\"\n");
    let dir = tree(&[("config.py", config.as_bytes()), ("old.py", old.as_bytes())]);
    let env = [("KEYLINT_VERIFY_BASE_URL", mock.base_url.as_str())];
    let output = run(dir.path(), "check", &["--verify", "--format", "json"], &env);
    assert_eq!(code(&output), 1);
    assert_eq!(
        common::finding_fields(&output, &["path", "verified"]),
        ["config.py live", "config.py live", "old.py revoked"]
    );
    let messages = common::finding_messages(&output);
    assert!(
        messages[0].contains("live key (its provider knows it, checked just now):"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("the provider refuses it now"),
        "{messages:?}"
    );
    // One request per distinct key.
    assert_eq!(mock.requests().len(), 2);

    let output = run(
        dir.path(),
        "check",
        &["--verify", "--format", "sarif"],
        &env,
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    let verified: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["properties"]["verified"].as_str().expect("verified"))
        .collect();
    assert_eq!(verified, ["live", "live", "revoked"]);

    let output = run(dir.path(), "check", &["--verify", "--color", "never"], &env);
    let text = stdout(&output);
    assert!(!text.contains(&live_key) && !text.contains(&revoked_key));
    assert!(text.contains("live key (its provider knows it, checked just now)"));
    assert!(
        common::stderr(&output).contains("--verify asks about OpenAI keys at http://127.0.0.1:")
    );
}

#[test]
fn without_verify_no_request_is_made() {
    let key = openai_project_key(42);
    let mock = Mock::start(vec![]);
    let config = format!("KEY = \"{key}\"\n");
    let dir = tree(&[("config.py", config.as_bytes())]);
    let env = [("KEYLINT_VERIFY_BASE_URL", mock.base_url.as_str())];
    for format in ["human", "json", "sarif", "github"] {
        let output = run(dir.path(), "check", &["--format", format], &env);
        assert_eq!(code(&output), 1);
    }
    let output = doctor(
        dir.path(),
        &[],
        &[
            ("OPENAI_API_KEY", &key),
            ("OPENAI_BASE_URL", &mock.base_url),
        ],
    );
    assert_eq!(code(&output), 0);
    assert!(mock.requests().is_empty(), "{:?}", mock.requests());
}

#[cfg(unix)]
#[test]
fn a_variable_that_is_not_utf8_is_passed_over() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let key = openai_project_key(43);
    let output = Command::new(env!("CARGO_BIN_EXE_keylint"))
        .arg("doctor")
        .current_dir(dir.path())
        .env_clear()
        .env("OPENAI_API_KEY", &key)
        .env("LATIN1", std::ffi::OsStr::from_bytes(b"caf\xe9"))
        .output()
        .expect("keylint runs");
    assert_eq!(code(&output), 0, "{}", common::stderr(&output));
    assert!(stdout(&output).contains("looks like an OpenAI project key"));
}

#[test]
fn the_settings_file_adds_key_variables_and_providers() {
    let settings = "[tool.keylint]\nkey-vars = [\"INTERNAL_LLM_KEY\"]\n\n[[tool.keylint.providers]]\nid = \"acme\"\nname = \"Acme Gateway\"\nenv-vars = [\"ACME_GATEWAY_KEY\"]\npattern = \"gw-[a-z0-9]{32}\"\n";
    let dir = tree(&[
        ("pyproject.toml", settings.as_bytes()),
        (
            "app.py",
            b"import os\ngateway = os.environ[\"ACME_GATEWAY_KEY\"]\n".as_slice(),
        ),
    ]);
    let gateway = format!("gw-{}\n", "a1b2c3d4".repeat(4));
    let env = [
        ("ACME_GATEWAY_KEY", gateway.as_str()),
        ("INTERNAL_LLM_KEY", ""),
    ];
    let output = doctor(dir.path(), &[], &env);
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(
        text.contains("ACME_GATEWAY_KEY (Acme Gateway key), read at app.py:2"),
        "{text}"
    );
    assert!(text.contains("✗ the value holds a newline"), "{text}");
    assert!(
        text.contains("✗ INTERNAL_LLM_KEY is set but empty"),
        "{text}"
    );
    assert!(!text.contains("a1b2c3d4a1b2"), "masked: {text}");
    insta::assert_snapshot!("doctor_settings_file", text);

    // --isolated reads no settings file: neither variable is a key variable then.
    let output = doctor(dir.path(), &["--isolated"], &env);
    assert_eq!(code(&output), 0);
    let text = human(&output, None);
    assert!(
        !text.contains("ACME_GATEWAY_KEY") && !text.contains("INTERNAL_LLM_KEY"),
        "{text}"
    );
    // --key-var adds one from the command line.
    let output = doctor(
        dir.path(),
        &["--isolated", "--key-var", "INTERNAL_LLM_KEY"],
        &env,
    );
    assert!(human(&output, None).contains("✗ INTERNAL_LLM_KEY is set but empty"));
}

#[test]
fn verify_sends_found_keys_to_their_provider_never_to_the_shells_base_url() {
    let key = openai_project_key(45);
    let base = Mock::start(vec![]);
    // Every request leaves through this proxy on 127.0.0.1, so the test needs no network.
    let proxy = Mock::start(vec![]);
    let proxy_url = proxy.base_url.trim_end_matches("/v1").to_owned();
    let config = format!("KEY = \"{key}\"\n");
    let dir = tree(&[("config.py", config.as_bytes())]);
    let env = [
        ("OPENAI_BASE_URL", base.base_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("KEYLINT_VERIFY_BASE_URL", "https://gateway.example.com/v1"),
    ];
    let output = run(dir.path(), "check", &["--verify", "--format", "json"], &env);
    assert_eq!(code(&output), 1);
    assert!(base.requests().is_empty(), "{:?}", base.requests());
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0].path.starts_with("api.openai.com"),
        "{requests:?}"
    );
    assert!(common::stderr(&output).contains("KEYLINT_VERIFY_BASE_URL: ignored"));
    assert_eq!(common::finding_fields(&output, &["verified"]), ["unknown"]);
}

#[test]
fn compose_required_variables_and_optional_env_files() {
    let compose = "services:\n  web:\n    image: app\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY:?set the key}\n      OPENAI_ORG_ID: ${ORG:+org-Fixed1}\n    env_file:\n      - path: local.env\n        required: false\n";
    let dir = tree(&[("compose.yaml", compose.as_bytes())]);
    let output = doctor(dir.path(), &["--service", "web"], &[("ORG", "yes")]);
    assert_eq!(code(&output), 1);
    let text = human(&output, None);
    assert!(
        text.contains("compose refuses to start service `web`: its `environment` requires OPENAI_API_KEY (`${OPENAI_API_KEY:?...}`), which neither the shell nor the .env beside compose.yaml sets"),
        "{text}"
    );
    assert!(
        !text.contains("local.env"),
        "an optional env_file may be missing: {text}"
    );
    assert!(text.contains("✓ OPENAI_ORG_ID is org-Fixed1"), "{text}");
    insta::assert_snapshot!("doctor_compose_required", text);
}

#[test]
fn behind_a_gateway_a_key_need_not_look_like_an_openai_key() {
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    for key in ["sk-1234", "gateway-team-key-42", &anthropic_key(46)] {
        let output = doctor(
            dir.path(),
            &[],
            &[
                ("OPENAI_API_KEY", key),
                ("OPENAI_BASE_URL", "https://llm.internal.example.com/v1"),
            ],
        );
        let text = human(&output, None);
        assert_eq!(code(&output), 0, "{text}");
        assert!(
            text.contains(
                "OPENAI_BASE_URL sends the SDK's requests to https://llm.internal.example.com/v1"
            ),
            "{text}"
        );
    }
    // Without the gateway, the same short value is a truncated key.
    let output = doctor(dir.path(), &[], &[("OPENAI_API_KEY", "sk-1234")]);
    assert_eq!(code(&output), 1);
}

#[test]
fn colours_as_check_gives_them() {
    let dir = tree(&[("README.md", b"a project\n".as_slice())]);
    let key = openai_project_key(47);
    let with_newline = format!("{key}\n");
    let env = [("OPENAI_API_KEY", with_newline.as_str())];
    let output = doctor(dir.path(), &["--color", "always"], &env);
    let text = stdout(&output);
    assert!(
        text.contains("\u{1b}[32m✓\u{1b}[0m OPENAI_API_KEY is set"),
        "{text:?}"
    );
    assert!(
        text.contains("\u{1b}[31m✗\u{1b}[0m the value holds a newline"),
        "{text:?}"
    );
    // Not a terminal: no colours unless asked.
    let output = doctor(dir.path(), &[], &env);
    assert!(!stdout(&output).contains('\u{1b}'));
    let output = doctor(dir.path(), &["--color", "never"], &env);
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn a_loader_given_a_path_is_followed() {
    let code_text = PYTHON_DOTENV.replace("load_dotenv()", "load_dotenv(\"config/app.env\")");
    let (there, here) = (openai_project_key(48), openai_project_key(49));
    let there_line = env_line("OPENAI_API_KEY", &format!("{there} "));
    let here_line = env_line("OPENAI_API_KEY", &here);
    let dir = tree(&[
        ("app.py", code_text.as_bytes()),
        ("config/app.env", there_line.as_bytes()),
        (".env", here_line.as_bytes()),
    ]);
    let output = doctor(dir.path(), &[], &[]);
    let text = human(&output, None);
    assert!(text.contains("load_dotenv(), of config/app.env"), "{text}");
    assert!(text.contains("config/app.env"), "{text}");
    assert!(
        !text.contains("  .env "),
        "the .env it does not load: {text}"
    );
    insta::assert_snapshot!("doctor_loader_path", text);

    // A path held in a variable cannot be followed: said, and ./.env judged.
    let code_text = PYTHON_DOTENV.replace("load_dotenv()", "load_dotenv(ENV_FILE)");
    std::fs::write(dir.path().join("app.py"), code_text).expect("write");
    let text = human(&doctor(dir.path(), &[], &[]), None);
    assert!(
        text.contains("app.py loads a .env file whose path keylint cannot read"),
        "{text}"
    );
}
