//! Secrecy: for every rule, a tree where the rule fires with a synthetic key exactly where its
//! message, label, help or related messages could quote it; no output format, stdout or stderr,
//! may show the key or any 24 consecutive characters of its secret body.

mod common;

use base64::Engine;
use common::*;

/// Characters of a key's body that may never appear together in an output.
const WINDOW: usize = 24;

const FORMATS: &[&[&str]] = &[
    &["check", "--format", "human", "--color", "never"],
    &["check", "--format", "json"],
    &["check", "--format", "sarif"],
    &["check", "--format", "github"],
];

/// A key put in a tree, and the documented prefix that masking may leave visible.
struct Secret {
    text: String,
    keep: &'static str,
}

impl Secret {
    fn new(text: String, keep: &'static str) -> Self {
        assert!(text.starts_with(keep) && text.len() - keep.len() >= WINDOW);
        Secret { text, keep }
    }

    fn body(&self) -> &str {
        &self.text[self.keep.len()..]
    }

    /// The lines of `output` holding `WINDOW` or more consecutive characters of the body,
    /// with those characters elided so that a failing test does not print the key.
    fn leaked_lines(&self, output: &str) -> Vec<String> {
        let body = self.body();
        let windows: Vec<&str> = (0..=body.len() - WINDOW)
            .map(|at| &body[at..at + WINDOW])
            .collect();
        output
            .lines()
            .filter_map(|line| {
                let mut covered = vec![false; line.len()];
                for window in &windows {
                    for (at, _) in line.match_indices(window) {
                        covered[at..at + WINDOW].fill(true);
                    }
                }
                covered.contains(&true).then(|| elide(line, &covered))
            })
            .collect()
    }
}

/// `line` with each run of covered bytes cut to its first four characters and `…`.
fn elide(line: &str, covered: &[bool]) -> String {
    let mut out = String::new();
    let mut at = 0;
    while at < line.len() {
        let end = (at..line.len())
            .find(|&i| covered[i] != covered[at])
            .unwrap_or(line.len());
        if covered[at] {
            out.push_str(&line[at..at + 4]);
            out.push_str(&format!("…[{} key chars]", end - at));
        } else {
            out.push_str(&line[at..end]);
        }
        at = end;
    }
    out
}

/// One rule's input: files where the rule fires and keys where its texts could quote them.
struct Case {
    /// Where the key sits.
    spot: &'static str,
    secrets: Vec<Secret>,
    files: Vec<(&'static str, String)>,
}

impl Case {
    fn tree(&self) -> tempfile::TempDir {
        let files: Vec<(&str, &[u8])> = self
            .files
            .iter()
            .map(|(path, text)| (*path, text.as_bytes()))
            .collect();
        tree(&files)
    }
}

fn legacy(seed: u64) -> Secret {
    Secret::new(openai_legacy_key(seed), "sk-")
}

fn project(seed: u64) -> Secret {
    Secret::new(openai_project_key(seed), "sk-proj-")
}

fn anthropic(seed: u64) -> Secret {
    Secret::new(anthropic_key(seed), "sk-ant-api03-")
}

fn groq(seed: u64) -> Secret {
    Secret::new(groq_key(seed), "gsk_")
}

fn base64_of(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Runs the case in every format and fails with every leak found, elided.
fn assert_secret(code: &str, case: Case) {
    let dir = case.tree();
    let mut leaks = Vec::new();
    for args in FORMATS {
        let output = keylint(dir.path(), args);
        let format = args[2];
        if format == "json" {
            let report = json(&output);
            let rules: Vec<&str> = report["findings"]
                .as_array()
                .expect("findings array")
                .iter()
                .filter_map(|f| f["rule"].as_str())
                .collect();
            assert!(
                rules.contains(&code),
                "{code} does not fire ({}); it found {rules:?}\n{}",
                case.spot,
                stderr(&output)
            );
            for secret in &case.secrets {
                leaks.extend(json_leaks(&report, secret));
            }
        }
        for (stream, text) in [("stdout", stdout(&output)), ("stderr", stderr(&output))] {
            for secret in &case.secrets {
                for line in secret.leaked_lines(&text) {
                    leaks.push(format!("{format} {stream}: {line}"));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{code}, key {}: the key reaches the output\n{}",
        case.spot,
        leaks.join("\n")
    );
}

/// Which fields of which findings of a JSON report hold the key: `KL205 .message: …`.
fn json_leaks(report: &serde_json::Value, secret: &Secret) -> Vec<String> {
    fn walk(value: &serde_json::Value, path: String, secret: &Secret, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) => {
                for line in secret.leaked_lines(text) {
                    out.push(format!("{path}: {line}"));
                }
            }
            serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, format!("{path}[{index}]"), secret, out);
                }
            }
            serde_json::Value::Object(fields) => {
                for (name, field) in fields {
                    walk(field, format!("{path}.{name}"), secret, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        let rule = finding["rule"].as_str().unwrap_or("?");
        walk(finding, format!("json finding {rule} "), secret, &mut out);
    }
    out
}

fn kl101() -> Case {
    let key = legacy(101);
    Case {
        spot: "in an SDK's api_key argument",
        files: vec![(
            "app.py",
            format!(
                "from openai import OpenAI\n\nclient = OpenAI(api_key=\"{}\")\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl102() -> Case {
    let key = legacy(102);
    Case {
        spot: "as the name of the Secret whose data holds it in base64",
        files: vec![(
            "k8s/secret.yaml",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {}\ndata:\n  OPENAI_API_KEY: {}\n",
                key.text,
                base64_of(&key.text)
            ),
        )],
        secrets: vec![key],
    }
}

fn kl103() -> Case {
    // Once a key in brackets counts as a key, these lines are KL101's; the Groq placeholder
    // keeps KL103 firing in the same file.
    let key = legacy(103);
    let k = &key.text;
    Case {
        spot: "inside a placeholder's angle brackets (.env, SDK argument, Secret stringData)",
        files: vec![
            (
                ".env",
                format!("OPENAI_API_KEY=<{k}>\nGROQ_API_KEY=gsk_YOUR_KEY_HERE\n"),
            ),
            (
                "app.py",
                format!("from openai import OpenAI\n\nclient = OpenAI(api_key=\"<{k}>\")\n"),
            ),
            (
                "k8s/secret.yaml",
                format!(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\nstringData:\n  \
                     OPENAI_API_KEY: \"<{k}>\"\n"
                ),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl104() -> Case {
    let key = legacy(104);
    let k = &key.text;
    Case {
        spot: "in a quoted compose list entry, whose corrected line the help quotes",
        files: vec![(
            "compose.yaml",
            format!(
                "services:\n  api:\n    image: example/api:1.0\n    environment:\n      \
                 - OPENAI_API_KEY=\"{k}\"\n"
            ),
        )],
        secrets: vec![key],
    }
}

fn kl105() -> Case {
    // The secret is what the file holds: a project key cut short, still 120 characters of it.
    let whole = openai_project_key(105);
    let cut = Secret::new(whole[..128].to_owned(), "sk-proj-");
    Case {
        spot: "cut short in an env file",
        files: vec![(".env", format!("OPENAI_API_KEY={}\n", cut.text))],
        secrets: vec![cut],
    }
}

fn kl106() -> Case {
    let key = anthropic(106);
    let k = &key.text;
    Case {
        spot: "given to the OpenAI SDK and to OPENAI_API_KEY",
        files: vec![
            (
                "app.py",
                format!("from openai import OpenAI\n\nclient = OpenAI(api_key=\"{k}\")\n"),
            ),
            ("deploy/.env", format!("OPENAI_API_KEY={k}\n")),
        ],
        secrets: vec![key],
    }
}

fn kl107() -> Case {
    let key = legacy(107);
    Case {
        spot: "as the name of the compose service whose key is empty",
        files: vec![(
            "compose.yaml",
            format!(
                "services:\n  {}:\n    image: example/api:1.0\n    environment:\n      \
                 OPENAI_API_KEY: \"\"\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl108() -> Case {
    let key = legacy(108);
    Case {
        spot: "in the path of the key file read without stripping",
        files: vec![(
            "app.py",
            format!(
                "from openai import OpenAI\n\nclient = OpenAI(api_key=open(\"/etc/keys/{}\").read())\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl109() -> Case {
    let key = legacy(109);
    Case {
        spot: "as the value of the ignored module-level `openai.api_key`",
        files: vec![(
            "app.py",
            format!(
                "import openai\nfrom openai import OpenAI\n\nopenai.api_key = \"{}\"\nclient = OpenAI()\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl201() -> Case {
    // A Mistral key is a key only beside the word "mistral": the help's rewrite of the header
    // value leaves that word behind.
    let key = legacy(201);
    let mistral = Secret::new(mistral_key(201), "");
    Case {
        spot: "as the default of the env read the help rewrites with `Bearer `",
        files: vec![
            (
                "client.py",
                format!(
                    "import os\nimport requests\n\n\
                     headers = {{\"Authorization\": os.environ.get(\"OPENAI_API_KEY\", \"{}\")}}\n\
                     requests.post(\"https://api.openai.com/v1/chat/completions\", headers=headers)\n",
                    key.text
                ),
            ),
            (
                "mistral_client.py",
                format!(
                    "import os\nimport requests\n\n\
                     headers = {{\"Authorization\": os.environ.get(\"LLM_API_KEY\", \"{}\")}}  # mistral\n\
                     requests.post(\"https://api.mistral.ai/v1/chat/completions\", headers=headers)\n",
                    mistral.text
                ),
            ),
        ],
        secrets: vec![key, mistral],
    }
}

fn kl202() -> Case {
    let key = legacy(202);
    let k = &key.text;
    Case {
        spot: "after `Bearer:` and glued to `Bearer` in the header value the help corrects",
        files: vec![(
            "client.py",
            format!(
                "import requests\n\nURL = \"https://api.openai.com/v1/models\"\n\
                 requests.get(URL, headers={{\"Authorization\": \"Bearer: {k}\"}})\n\
                 requests.get(URL, headers={{\"Authorization\": \"Bearer{k}\"}})\n"
            ),
        )],
        secrets: vec![key],
    }
}

fn kl203() -> Case {
    let key = groq(203);
    Case {
        spot: "as the `{name}` a plain string never fills in (a Groq key is an identifier)",
        files: vec![(
            "client.py",
            format!(
                "import requests\n\nrequests.get(\"https://api.groq.com/openai/v1/models\", \
                 headers={{\"Authorization\": \"Bearer {{{}}}\"}})\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl204() -> Case {
    let key = legacy(204);
    Case {
        spot: "in the X-Api-Key header api.openai.com ignores",
        files: vec![(
            "client.py",
            format!(
                "import requests\n\nrequests.get(\"https://api.openai.com/v1/models\", \
                 headers={{\"X-Api-Key\": \"{}\"}})\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl205() -> Case {
    let key = legacy(205);
    let project_key = project(205);
    Case {
        spot: "in the OpenAI-Organization and OpenAI-Project headers, on lines ignoring KL101",
        files: vec![(
            "client.py",
            format!(
                "import os\nimport requests\n\nheaders = {{\n    \
                 \"Authorization\": f\"Bearer {{os.environ['OPENAI_API_KEY']}}\",\n    \
                 \"OpenAI-Organization\": \"{}\",  # keylint: ignore[KL101]\n    \
                 \"OpenAI-Project\": \"{}\",  # keylint: ignore[KL101]\n}}\n\
                 requests.get(\"https://api.openai.com/v1/models\", headers=headers)\n",
                key.text, project_key.text
            ),
        )],
        secrets: vec![key, project_key],
    }
}

fn kl206() -> Case {
    let key = legacy(206);
    Case {
        spot: "in the query string of a request that sends no Authorization header",
        files: vec![(
            "client.py",
            format!(
                "import requests\n\nrequests.get(\"https://api.openai.com/v1/models?api_key={}\")\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl301() -> Case {
    let key = legacy(301);
    Case {
        spot: "as the name of the compose service that provides no key",
        files: vec![
            (
                "compose.yaml",
                format!(
                    "services:\n  {}:\n    build: ./worker\n    command: [\"python\", \"main.py\"]\n",
                    key.text
                ),
            ),
            (
                "worker/main.py",
                "from openai import OpenAI\n\nclient = OpenAI()\n".into(),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl302() -> Case {
    let key = legacy(302);
    Case {
        spot: "as the name of the compose service that provides the close name",
        files: vec![
            (
                "compose.yaml",
                format!(
                    "services:\n  {}:\n    build: ./app\n    command: python main.py\n    \
                     environment:\n      OPENAI_KEY: ${{OPENAI_KEY}}\n",
                    key.text
                ),
            ),
            (
                "app/main.py",
                "from openai import OpenAI\n\nclient = OpenAI()\n".into(),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl303() -> Case {
    let key = legacy(303);
    Case {
        spot: "in a comment on the unguarded interpolation's line",
        files: vec![(
            "compose.yaml",
            format!(
                "services:\n  api:\n    image: example/api:1.0\n    environment:\n      \
                 OPENAI_API_KEY: ${{OPENAI_API_KEY}}  # was {}\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl304() -> Case {
    let key = legacy(304);
    Case {
        spot: "as the name of the missing env file",
        files: vec![
            (
                "compose.yaml",
                format!(
                    "services:\n  api:\n    build: ./app\n    command: python main.py\n    \
                     env_file: {}.env\n",
                    key.text
                ),
            ),
            (
                "app/main.py",
                "from openai import OpenAI\n\nclient = OpenAI()\n".into(),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl305() -> Case {
    let key = legacy(305);
    Case {
        spot: "pasted as the `key` of a secretKeyRef the Secret does not hold",
        files: vec![
            (
                "k8s/deployment.yaml",
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  \
                     template:\n    spec:\n      containers:\n        - name: api\n          \
                     image: example/api:1.0\n          env:\n            - name: OPENAI_API_KEY\n              \
                     valueFrom:\n                secretKeyRef:\n                  name: openai\n                  \
                     key: {}\n",
                    key.text
                ),
            ),
            (
                "k8s/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\nstringData:\n  \
                 api-key: \"${OPENAI_API_KEY}\"\n"
                    .into(),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl306() -> Case {
    let key = legacy(306);
    Case {
        spot: "pasted as the `key` of an optional secretKeyRef",
        files: vec![(
            "k8s/deployment.yaml",
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  \
                 template:\n    spec:\n      containers:\n        - name: api\n          \
                 image: example/api:1.0\n          env:\n            - name: OPENAI_API_KEY\n              \
                 valueFrom:\n                secretKeyRef:\n                  name: openai\n                  \
                 key: {}\n                  optional: true\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl307() -> Case {
    let key = legacy(307);
    Case {
        spot: "as the job's name and in the workflow `run:` line the message quotes",
        files: vec![
            (
                ".github/workflows/test.yml",
                format!(
                    "name: test\non: [push]\njobs:\n  {k}:\n    runs-on: ubuntu-latest\n    \
                     steps:\n      - uses: actions/checkout@v4\n      - run: K={k} python main.py\n",
                    k = key.text
                ),
            ),
            (
                "main.py",
                "from openai import OpenAI\n\nclient = OpenAI()\n".into(),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl308() -> Case {
    let key = legacy(308);
    let k = &key.text;
    Case {
        spot: "as the unexported value and on the command line of the program run after it",
        files: vec![(
            "run.sh",
            format!("#!/bin/sh\nOPENAI_API_KEY={k}\npython app.py --api-key {k}\n"),
        )],
        secrets: vec![key],
    }
}

fn kl309() -> Case {
    let key = legacy(309);
    Case {
        spot: "as the default of the key read before the dotenv load",
        files: vec![(
            "app.py",
            format!(
                "import os\nfrom dotenv import load_dotenv\n\n\
                 api_key = os.environ.get(\"OPENAI_API_KEY\", \"{}\")\nload_dotenv()\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl310() -> Case {
    let key = legacy(310);
    Case {
        spot: "in the path of the secret file the code reads and no service mounts",
        files: vec![
            (
                "compose.yaml",
                "services:\n  web:\n    build: ./web\n".into(),
            ),
            (
                "web/app.py",
                format!(
                    "from pathlib import Path\n\nfrom openai import OpenAI\n\n\
                     client = OpenAI(api_key=Path(\"/run/secrets/openai/{}\").read_text().strip())\n",
                    key.text
                ),
            ),
        ],
        secrets: vec![key],
    }
}

fn kl401() -> Case {
    // The key sits in the committed `.env`, whose path the message quotes; a key in the file's
    // own name would show in every finding's location, which this table does not cover.
    let key = legacy(401);
    Case {
        spot: "in a `.env` file git would commit",
        files: vec![(
            "config/.env",
            format!("# backup: {}\nOPENAI_API_KEY={}\n", key.text, key.text),
        )],
        secrets: vec![key],
    }
}

fn kl402() -> Case {
    let key = legacy(402);
    Case {
        spot: "as the name of the compose service passing the key as a build argument",
        files: vec![(
            "compose.yaml",
            format!(
                "services:\n  {}:\n    build:\n      context: .\n      args:\n        \
                 - OPENAI_API_KEY\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl403() -> Case {
    let key = legacy(403);
    Case {
        spot: "as the name of the ConfigMap holding the key setting",
        files: vec![(
            "k8s/configmap.yaml",
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n  \
                 OPENAI_API_KEY: \"{}\"\n",
                key.text, key.text
            ),
        )],
        secrets: vec![key],
    }
}

fn kl404() -> Case {
    let key = legacy(404);
    Case {
        spot: "as the literal a print call logs",
        files: vec![(
            "app.py",
            format!(
                "import os\n\napi_key = os.environ[\"OPENAI_API_KEY\"]\nprint(\"{}\", api_key)\n",
                key.text
            ),
        )],
        secrets: vec![key],
    }
}

macro_rules! cases {
    ($($test:ident: $code:literal => $build:ident,)*) => {
        /// One case per rule of the registry.
        const CASES: &[(&str, fn() -> Case)] = &[$(($code, $build)),*];

        $(
            #[test]
            fn $test() {
                assert_secret($code, $build());
            }
        )*
    };
}

cases! {
    kl101_hardcoded_key: "KL101" => kl101,
    kl102_encoded_key: "KL102" => kl102,
    kl103_placeholder_key: "KL103" => kl103,
    kl104_malformed_key_value: "KL104" => kl104,
    kl105_truncated_key: "KL105" => kl105,
    kl106_wrong_provider_key: "KL106" => kl106,
    kl107_empty_key: "KL107" => kl107,
    kl108_unstripped_key_file: "KL108" => kl108,
    kl109_module_key_ignored: "KL109" => kl109,
    kl201_missing_bearer: "KL201" => kl201,
    kl202_malformed_bearer: "KL202" => kl202,
    kl203_uninterpolated_header: "KL203" => kl203,
    kl204_wrong_auth_header: "KL204" => kl204,
    kl205_malformed_org_header: "KL205" => kl205,
    kl206_missing_auth_header: "KL206" => kl206,
    kl301_env_not_provided: "KL301" => kl301,
    kl302_env_name_mismatch: "KL302" => kl302,
    kl303_unset_interpolation: "KL303" => kl303,
    kl304_missing_env_file: "KL304" => kl304,
    kl305_dangling_secret_ref: "KL305" => kl305,
    kl306_optional_secret_ref: "KL306" => kl306,
    kl307_ci_env_not_passed: "KL307" => kl307,
    kl308_unexported_shell_var: "KL308" => kl308,
    kl309_dotenv_loaded_late: "KL309" => kl309,
    kl310_secret_file_not_mounted: "KL310" => kl310,
    kl401_dotenv_not_ignored: "KL401" => kl401,
    kl402_build_arg_secret: "KL402" => kl402,
    kl403_secret_in_configmap: "KL403" => kl403,
    kl404_key_logged: "KL404" => kl404,
}

#[test]
fn every_rule_has_a_case() {
    let mut registry: Vec<&str> = keylint::rules::RULES.iter().map(|r| r.code).collect();
    let mut table: Vec<&str> = CASES.iter().map(|(code, _)| *code).collect();
    registry.sort_unstable();
    table.sort_unstable();
    assert_eq!(table, registry, "one secrecy case per rule of the registry");
}

#[test]
fn show_secrets_shows_the_key() {
    // The check above can fail: with --show-secrets the key is in the output.
    let case = kl101();
    let dir = case.tree();
    let output = keylint(
        dir.path(),
        &[
            "check",
            "--format",
            "human",
            "--color",
            "never",
            "--show-secrets",
        ],
    );
    let text = stdout(&output);
    let secret = &case.secrets[0];
    assert!(text.contains(&secret.text));
    assert!(!secret.leaked_lines(&text).is_empty());
}

#[test]
fn leaks_are_found_and_elided() {
    let secret = legacy(7);
    let body = secret.body();
    let partial = format!("x `{}` y", &body[3..3 + WINDOW]);
    assert_eq!(
        secret.leaked_lines(&format!("a\n{partial}\nb")),
        vec![format!("x `{}…[24 key chars]` y", &body[3..7])]
    );
    assert!(secret.leaked_lines(&body[..WINDOW - 1]).is_empty());
    let masked = format!(
        "sk-{}{}",
        "*".repeat(body.len() - 4),
        &body[body.len() - 4..]
    );
    assert!(secret.leaked_lines(&masked).is_empty());
}

#[test]
fn a_key_in_a_path_is_masked() {
    // A folder and a binary file named with a key: finding paths and notes show neither.
    let key = legacy(900);
    let folder = key.text.clone();
    let inner = legacy(901);
    let dir = tree(&[
        (
            format!("{folder}/app.py").as_str(),
            format!("API_KEY = \"{}\"\n", inner.text).as_bytes(),
        ),
        (format!("{folder}/blob.bin").as_str(), b"\0\x01\x02 binary"),
    ]);
    let mut leaks = Vec::new();
    for args in FORMATS {
        let args: Vec<&str> = args.iter().copied().chain(["--verbose"]).collect();
        let output = keylint(dir.path(), &args);
        assert_eq!(code(&output), 1, "{args:?}");
        for text in [stdout(&output), stderr(&output)] {
            for secret in [&key, &inner] {
                leaks.extend(secret.leaked_lines(&text));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}
