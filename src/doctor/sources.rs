//! Where a variable's value comes from, and which one the program sees: the process
//! environment, the `.env` files the code loads (python-dotenv, Node's dotenv, Next.js), or a
//! compose service's `environment` and `env_file`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::file_kind::FileKind;
use crate::file_role::FileRole;
use crate::lint::{Linter, Settings};

/// One place that gives a variable a value.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    /// "the environment", ".env", "compose service `web` environment".
    pub place: String,
    /// The value itself: never shown, never serialized.
    #[serde(skip)]
    pub value: String,
    /// The value masked: its key prefix and last four characters.
    pub shown: String,
    /// The program sees this one.
    pub wins: bool,
}

impl Origin {
    fn new(place: impl Into<String>, value: &str) -> Origin {
        Origin {
            place: place.into(),
            value: value.to_owned(),
            shown: shown(value),
            wins: false,
        }
    }
}

/// The values of every variable, by name, with the winner marked, and why it wins.
#[derive(Default)]
pub struct Resolved {
    pub loader: String,
    pub values: BTreeMap<String, Vec<Origin>>,
    pub why: BTreeMap<String, String>,
    pub notes: Vec<String>,
    /// Variables a compose service's `environment` names but gets no value for.
    pub wanted: Vec<String>,
    /// How to give a variable that nothing sets a value here (`{NAME}` stands for its name);
    /// None: in the environment or the `.env` file the program loads.
    pub unset_fix: Option<String>,
}

impl Resolved {
    fn add(&mut self, name: String, origin: Origin) {
        self.values.entry(name).or_default().push(origin);
    }

    /// The value the program sees of the first of `names` that has one: (name, value).
    /// An empty value counts as unset, as the SDKs take it.
    pub fn first_winner(&self, names: &[&str]) -> Option<(String, String)> {
        names.iter().find_map(|name| {
            let origins = self.values.get(*name)?;
            let winner = origins
                .iter()
                .find(|o| o.wins && !o.value.trim().is_empty())?;
            Some((name.to_string(), winner.value.clone()))
        })
    }
}

/// How the project's code loads `.env` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loader {
    /// Nothing loads one: the program sees the environment only.
    None,
    /// python-dotenv's `load_dotenv()`.
    PythonDotenv { overrides: bool },
    /// Node's `dotenv` (`require("dotenv").config()`, `import "dotenv/config"`).
    NodeDotenv { overrides: bool },
    /// Next.js, which loads `.env*` files itself.
    NextJs,
    /// Another language's loader (Go's godotenv, Rust's dotenvy), which keeps a variable that
    /// is already set unless told to override.
    Other { overrides: bool },
}

impl Loader {
    /// The call that loads `.env`, as the code writes it.
    pub fn call(&self) -> &'static str {
        match self {
            Loader::PythonDotenv { .. } => "load_dotenv()",
            Loader::NodeDotenv { .. } => "dotenv.config()",
            Loader::NextJs => "Next.js",
            Loader::Other { .. } => "the .env loader",
            Loader::None => "nothing",
        }
    }

    /// The call that makes `.env` win over the environment.
    pub fn overriding_call(&self) -> &'static str {
        match self {
            Loader::PythonDotenv { .. } => "load_dotenv(override=True)",
            Loader::NodeDotenv { .. } => "dotenv.config({ override: true })",
            Loader::Other { .. } => {
                "its overriding form (godotenv.Overload, dotenvy::dotenv_override)"
            }
            Loader::NextJs | Loader::None => "nothing",
        }
    }
}

/// Folders that hold other people's code (installed packages, virtual environments) or none.
const NOT_THE_PROJECT: &[&str] = &[
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "site-packages",
    "__pycache__",
    ".tox",
    ".next",
];

/// Where the code reads a key variable.
#[derive(Debug, Clone)]
pub struct Read {
    /// `app.py:3`.
    pub at: String,
    /// The production code cannot do without it (a required read, or an SDK client's key).
    pub needed: bool,
}

/// What the doctor reads of the project.
pub struct Project {
    pub dir: PathBuf,
    pub loader: Loader,
    /// Key variables the code a person runs here reads (production code and examples, not
    /// tests, CI or docs tooling), with where.
    pub key_reads: BTreeMap<String, Vec<Read>>,
    /// The files the loaders are given (`load_dotenv("config/.env")`), relative to the
    /// project folder; empty: `.env`.
    pub dotenv_files: Vec<String>,
    /// What was read of the project but could not be followed.
    pub notes: Vec<String>,
}

/// The files the `.env` loader calls in `text` name (`load_dotenv("config/.env")`,
/// `dotenv.config({ path: ".env.local" })`, `process.loadEnvFile("x.env")`), and whether a call
/// names one by a variable, which cannot be followed.
fn loaded_paths(text: &str) -> (Vec<String>, bool) {
    static CALLS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static LITERAL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let calls = CALLS.get_or_init(|| {
        regex::Regex::new(
            r#"(?:load_dotenv|loadEnvFile)\(([^()]*(?:\([^()]*\)[^()]*)*)\)|(?:dotenv|\(["']dotenv["']\))\.config\(\s*\{([^{}]*)\}"#,
        )
        .expect("valid regex")
    });
    let literal = LITERAL.get_or_init(|| {
        regex::Regex::new(r#"^\s*(?:(?:dotenv_)?path\s*[=:]\s*)?["'`]([^"'`]+)["'`]"#)
            .expect("valid regex")
    });
    let (mut paths, mut unread) = (Vec::new(), false);
    for call in calls.captures_iter(text) {
        let args = call.get(1).or(call.get(2)).map_or("", |m| m.as_str());
        // The path argument: the first positional one, or `path`/`dotenv_path`.
        let path_arg = args.split(',').map(str::trim).find(|arg| {
            !arg.is_empty()
                && !arg.starts_with("override")
                && !arg.starts_with("verbose")
                && !arg.starts_with("encoding")
                && !arg.starts_with("interpolate")
                && !arg.starts_with("quiet")
                && !arg.starts_with("debug")
        });
        let Some(arg) = path_arg else {
            continue;
        };
        if arg.contains("find_dotenv(") {
            continue;
        }
        match literal.captures(arg) {
            Some(found) => {
                let path = found[1].trim_start_matches("./").to_owned();
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
            None => unread = true,
        }
    }
    (paths, unread)
}

impl Project {
    /// Reads the project's source files through the wiring model: which key variables they
    /// read, and how they load `.env` files.
    /// `key_vars` are variables that hold keys besides the catalog's.
    pub fn read(dir: &Path, key_vars: &[String]) -> Result<Project, String> {
        if !dir.is_dir() {
            return Err(format!("{}: not a directory", dir.display()));
        }
        let settings = Settings {
            select: crate::wiring::CROSS_FILE_RULES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            key_vars: key_vars.to_vec(),
            ..Settings::default()
        };
        let linter = Linter::new(settings)?;
        let mut key_reads: BTreeMap<String, Vec<Read>> = BTreeMap::new();
        let (mut python_loads, mut node_loads, mut other_loads) = (None, None, None);
        let (mut dotenv_files, mut notes): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let walk = ignore::WalkBuilder::new(dir)
            .hidden(false)
            .filter_entry(|e| !NOT_THE_PROJECT.iter().any(|name| e.file_name() == *name))
            .build();
        let mut files: Vec<PathBuf> = walk
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(|e| e.into_path())
            .filter(|p| crate::wiring::followed_code(FileKind::of(p)))
            .collect();
        files.sort();
        for path in files {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let shown = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let kind = FileKind::of(&path);
            let report = linter.lint_bytes(
                &shown,
                &path,
                kind,
                crate::rules::GitStatus::Committable,
                &bytes,
            );
            let Some(summary) = report.summary else {
                continue;
            };
            let runnable = matches!(summary.role, FileRole::Production | FileRole::Example);
            for consumer in summary.consumers.iter().filter(|_| runnable) {
                let key_var = super::provider_of(&consumer.variable).is_some()
                    || key_vars.contains(&consumer.variable);
                if !key_var {
                    continue;
                }
                let read = Read {
                    at: format!(
                        "{}:{}",
                        shown,
                        crate::wiring::line_of(&bytes, consumer.span.start)
                    ),
                    needed: consumer.kind.required() && summary.role == FileRole::Production,
                };
                let reads = key_reads.entry(consumer.variable.clone()).or_default();
                if !reads.iter().any(|r| r.at == read.at) {
                    reads.push(read);
                }
            }
            if summary.loads_dotenv && runnable {
                let text = String::from_utf8_lossy(&bytes);
                let overrides = [
                    "override=True",
                    "override: true",
                    "Overload(",
                    "dotenv_override",
                ]
                .iter()
                .any(|word| text.contains(word));
                let slot = match kind {
                    FileKind::Python | FileKind::Notebook => &mut python_loads,
                    FileKind::JavaScript | FileKind::TypeScript => &mut node_loads,
                    _ => &mut other_loads,
                };
                *slot = Some(slot.unwrap_or(false) || overrides);
                let (paths, unread) = loaded_paths(&text);
                for path in paths {
                    if !dotenv_files.contains(&path) {
                        dotenv_files.push(path);
                    }
                }
                if unread {
                    notes.push(format!(
                        "{shown} loads a .env file whose path keylint cannot read (a variable): \
                         the .env in the project folder is judged"
                    ));
                }
            }
        }
        let next = std::fs::read_to_string(dir.join("package.json"))
            .is_ok_and(|text| text.contains("\"next\""));
        let loader = match (python_loads, next, node_loads, other_loads) {
            (Some(overrides), ..) => Loader::PythonDotenv { overrides },
            (None, true, ..) => Loader::NextJs,
            (None, false, Some(overrides), _) => Loader::NodeDotenv { overrides },
            (None, false, None, Some(overrides)) => Loader::Other { overrides },
            (None, false, None, None) => Loader::None,
        };
        Ok(Project {
            dotenv_files,
            notes,
            dir: dir.to_path_buf(),
            loader,
            key_reads,
        })
    }
}

/// The variables of an env file (the last definition of each), or None when it is missing.
fn env_file(path: &Path) -> Option<Vec<(String, String)>> {
    let bytes = std::fs::read(path).ok()?;
    let file = crate::parse::env::parse(&bytes);
    let mut values: Vec<(String, String)> = Vec::new();
    for entry in file.entries {
        let Some(value) = entry.value else {
            continue;
        };
        values.retain(|(name, _)| *name != entry.name);
        values.push((entry.name, value.text));
    }
    Some(values)
}

/// Values as a program run here sees them: the environment, then the `.env` files its loader
/// reads, in the loader's order.
pub fn resolve_local(project: &Project, environment: &BTreeMap<String, String>) -> Resolved {
    let (files, overrides, loader): (Vec<String>, bool, String) = match &project.loader {
        Loader::None => (
            vec![".env".to_owned()],
            false,
            "no code here loads a .env file".to_owned(),
        ),
        Loader::Other { overrides } => (
            vec![".env".to_owned()],
            *overrides,
            "a .env loader (godotenv, dotenvy)".to_owned(),
        ),
        Loader::PythonDotenv { overrides } => (
            vec![".env".to_owned()],
            *overrides,
            format!(
                "python-dotenv: load_dotenv({})",
                if *overrides { "override=True" } else { "" }
            ),
        ),
        Loader::NodeDotenv { overrides } => (
            vec![".env".to_owned()],
            *overrides,
            format!(
                "Node dotenv: config({})",
                if *overrides { "{ override: true }" } else { "" }
            ),
        ),
        Loader::NextJs => {
            // @next/env: `test` under NODE_ENV=test, else the command decides (`next dev`:
            // development; `next build`/`next start`: production). NODE_ENV=production is
            // taken as the latter, anything else as the former.
            let mode = match environment.get("NODE_ENV").map(String::as_str) {
                Some("test") => "test",
                Some("production") => "production",
                _ => "development",
            };
            let mut files = vec![format!(".env.{mode}.local")];
            if mode != "test" {
                files.push(".env.local".to_owned());
            }
            files.push(format!(".env.{mode}"));
            files.push(".env".to_owned());
            (
                files,
                false,
                match mode {
                    "development" => "Next.js, as `next dev` loads it (`next build` and `next start` read .env.production* instead): the environment, then .env files".to_owned(),
                    _ => format!("Next.js ({mode}): the environment, then .env files"),
                },
            )
        }
    };
    let files = match (&project.loader, project.dotenv_files.is_empty()) {
        (Loader::PythonDotenv { .. } | Loader::NodeDotenv { .. } | Loader::Other { .. }, false) => {
            project.dotenv_files.clone()
        }
        _ => files,
    };
    let loader = match files.as_slice() {
        [only] if only != ".env" => format!("{loader}, of {only}"),
        _ => loader,
    };
    let mut resolved = Resolved {
        loader,
        notes: project.notes.clone(),
        ..Resolved::default()
    };
    for (name, value) in environment {
        resolved.add(name.clone(), Origin::new("the environment", value));
    }
    for file in &files {
        let Some(values) = env_file(&project.dir.join(file)) else {
            continue;
        };
        for (name, value) in values {
            resolved.add(name, Origin::new(file.clone(), &value));
        }
    }
    for (name, origins) in resolved.values.iter_mut() {
        let from_env = origins.iter().position(|o| o.place == "the environment");
        let first_file = origins.iter().position(|o| o.place != "the environment");
        let (winner, why) = match (&project.loader, from_env, first_file) {
            (Loader::None, Some(env), _) => (Some(env), if first_file.is_some() {
                "the environment wins: no code here loads .env".to_owned()
            } else {
                String::new()
            }),
            (Loader::None, None, Some(_)) => (
                None,
                "no code here loads .env, so its value reaches the program only if what starts \
                 the program loads it (`flask run`, `dotenv run`, `uvicorn --env-file`, \
                 pydantic-settings); otherwise call load_dotenv() or dotenv.config() first"
                    .to_owned(),
            ),
            (_, Some(_), Some(file)) if overrides => (
                Some(file),
                format!("{} wins: the loader is told to override the environment", origins[file].place),
            ),
            (Loader::NextJs, Some(env), Some(_)) => (
                Some(env),
                "the environment wins: Next.js never overrides a variable that is already set".to_owned(),
            ),
            (_, Some(env), Some(file)) => (
                Some(env),
                format!(
                    "the environment wins: {} keeps a variable that is already set, so the value in {} is ignored (unset {name} in the shell, or call {})",
                    project.loader.call(),
                    origins[file].place,
                    project.loader.overriding_call()
                ),
            ),
            (_, Some(env), None) => (Some(env), String::new()),
            (_, None, Some(file)) => (
                Some(file),
                if origins.len() > 1 {
                    format!("{} comes first in the loader's order", origins[file].place)
                } else {
                    String::new()
                },
            ),
            (_, None, None) => (None, String::new()),
        };
        if let Some(winner) = winner {
            origins[winner].wins = true;
        }
        if !why.is_empty() {
            resolved.why.insert(name.clone(), why);
        }
    }
    resolved
}

/// Values as the container of compose service `service` sees them: its `environment` (with
/// `${...}` filled from the shell, then the `.env` beside the compose file), then its
/// `env_file`s, the last one first.
pub fn resolve_service(
    project: &Project,
    service: &str,
    environment: &BTreeMap<String, String>,
) -> Result<Resolved, String> {
    let compose_path = [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
    ]
    .iter()
    .map(|name| project.dir.join(name))
    .find(|path| path.is_file())
    .ok_or_else(|| format!("--service: no compose file in {}", project.dir.display()))?;
    let compose_name = compose_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes =
        std::fs::read(&compose_path).map_err(|err| format!("{}: {err}", compose_path.display()))?;
    let model = crate::config::model(FileKind::Compose, &bytes)
        .ok_or_else(|| format!("{compose_name}: not a compose file"))?;
    if let Some(failure) = &model.parse_failure {
        return Err(format!("{compose_name}: {failure}"));
    }
    let compose = model
        .compose
        .as_ref()
        .ok_or_else(|| format!("{compose_name}: no services"))?;
    let Some(unit) = compose.services.iter().find(|s| s.name == service) else {
        let names: Vec<&str> = compose.services.iter().map(|s| s.name.as_str()).collect();
        return Err(format!(
            "--service: {compose_name} has no service `{service}` (it has: {})",
            names.join(", ")
        ));
    };
    let dot_env: BTreeMap<String, String> = env_file(&project.dir.join(".env"))
        .unwrap_or_default()
        .into_iter()
        .collect();
    let lookup = |name: &str| -> Option<(String, &'static str)> {
        environment
            .get(name)
            .map(|v| (v.clone(), "the shell"))
            .or_else(|| {
                dot_env
                    .get(name)
                    .map(|v| (v.clone(), ".env beside the compose file"))
            })
    };
    let mut resolved = Resolved {
        loader: format!("compose service `{service}` ({compose_name})"),
        ..Resolved::default()
    };
    for setting in &model.settings {
        let crate::config::Place::ComposeEnvironment { service: owner, .. } = &setting.place else {
            continue;
        };
        if owner != service {
            continue;
        }
        let place = format!("{compose_name} `environment`");
        let origin = match &setting.value {
            None => match lookup(&setting.name) {
                Some((value, from)) => {
                    Origin::new(format!("{place}, passed through from {from}"), &value)
                }
                None => {
                    resolved.why.insert(
                        setting.name.clone(),
                        format!(
                            "{place} passes {} through, but neither the shell nor .env sets it",
                            setting.name
                        ),
                    );
                    resolved.wanted.push(setting.name.clone());
                    continue;
                }
            },
            Some(value) => {
                let filled = interpolate(&value.text, &lookup);
                if let Some(missing) = filled.missing.first() {
                    resolved.why.insert(
                        setting.name.clone(),
                        format!(
                            "compose refuses to start service `{service}`: its `environment` \
                             requires {missing} (`${{{missing}:?...}}`), which neither the shell \
                             nor the .env beside {compose_name} sets"
                        ),
                    );
                    resolved.wanted.push(setting.name.clone());
                    continue;
                }
                let place = match filled.from {
                    Some(from) => format!("{place}, filled from {from}"),
                    None => place,
                };
                Origin::new(place, &filled.text)
            }
        };
        resolved
            .values
            .entry(setting.name.clone())
            .or_default()
            .push(origin);
    }
    for reference in unit.env_files.iter().rev() {
        let path = compose_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&reference.path);
        let Some(values) = env_file(&path) else {
            if reference.required {
                resolved.notes.push(format!(
                    "env_file {} does not exist: compose refuses to start the service",
                    reference.path
                ));
            }
            continue;
        };
        for (name, value) in values {
            resolved.add(
                name,
                Origin::new(format!("env_file {}", reference.path), &value),
            );
        }
    }
    for (name, origins) in resolved.values.iter_mut() {
        origins[0].wins = true;
        // Passed through empty-handed, but an env_file sets it: that value stands.
        resolved.why.remove(name);
        if origins.len() > 1 {
            let why = if origins[0].place.starts_with("env_file") {
                format!(
                    "{} wins: a later env_file overrides an earlier one",
                    origins[0].place
                )
            } else {
                "the service's `environment` wins: compose gives it precedence over `env_file`"
                    .to_owned()
            };
            resolved.why.insert(name.clone(), why);
        }
    }
    resolved.unset_fix = Some(format!(
        "pass it to service `{service}` in {compose_name}: `environment: [{{NAME}}]` passes the shell's value through, or an env_file that sets it"
    ));
    for name in environment
        .keys()
        .filter(|n| super::provider_of(n).is_some())
    {
        if !resolved.values.contains_key(name) {
            resolved.why.entry(name.clone()).or_insert_with(|| {
                format!("the shell sets {name}, but service `{service}` does not pass it to its container")
            });
        }
    }
    Ok(resolved)
}

/// What compose makes of a value: the text, where its first variable came from, and the
/// variables it requires (`${NAME:?message}`) that nothing sets.
#[derive(Debug, PartialEq, Eq)]
struct Filled {
    text: String,
    from: Option<&'static str>,
    missing: Vec<String>,
}

/// `text` with `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:+alt}`,
/// `${NAME+alt}`, `${NAME:?message}` and `${NAME?message}` filled as compose fills them
/// (defaults may nest), and `$$` as `$`.
fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<(String, &'static str)>) -> Filled {
    let mut filled = Filled {
        text: String::new(),
        from: None,
        missing: Vec::new(),
    };
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        filled.text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            filled.text.push('$');
            rest = stripped;
            continue;
        }
        let (inner, tail) = match after.strip_prefix('{') {
            Some(braced) => match closing_brace(braced) {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => (braced, ""),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        let name_end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let (name, operator) = inner.split_at(name_end);
        let found = lookup(name);
        let empty_counts = operator.starts_with(':');
        let set = found
            .as_ref()
            .is_some_and(|(value, _)| !(empty_counts && value.is_empty()));
        let operator = operator.strip_prefix(':').unwrap_or(operator);
        let nested = |text: &str, filled: &mut Filled| {
            let inner = interpolate(text, lookup);
            filled.text.push_str(&inner.text);
            filled.from = filled.from.or(inner.from);
            filled.missing.extend(inner.missing);
        };
        match (operator.chars().next(), set, found) {
            (Some('+'), true, _) => nested(&operator[1..], &mut filled),
            (Some('+'), false, _) => {}
            (_, true, Some((value, source))) => {
                filled.text.push_str(&value);
                filled.from.get_or_insert(source);
            }
            (Some('-'), _, _) => nested(&operator[1..], &mut filled),
            (Some('?'), _, _) => filled.missing.push(name.to_owned()),
            _ => {}
        }
        rest = tail;
    }
    filled.text.push_str(rest);
    filled
}

/// The offset of the `}` that closes a `${` whose inside starts `text`.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(at),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A value as the doctor shows it: what stands before the key (spaces, quotes, `Bearer `), the
/// key's literal prefix and the value's last four characters, with its length; control
/// characters escaped.
pub fn shown(value: &str) -> String {
    use crate::rules::key_setting::{clean, kept_prefix};
    if value.is_empty() {
        return "(empty)".to_owned();
    }
    let bare = clean(value);
    let leading = value.find(bare).map_or("", |at| &value[..at]);
    let prefix = kept_prefix(bare);
    let visible = format!("{leading}{prefix}");
    let chars: Vec<char> = value.chars().collect();
    let shown = if chars.len() <= visible.chars().count() + 8 {
        format!("{visible}…")
    } else {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{visible}…{tail}")
    };
    let escaped: String = shown
        .chars()
        .map(|c| match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("`{escaped}` ({} characters)", chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_fills_variables_as_compose_does() {
        let env = |name: &str| match name {
            "SET" => Some(("v".to_owned(), "the shell")),
            "EMPTY" => Some((String::new(), "the shell")),
            _ => None,
        };
        let text = |value: &str| interpolate(value, &env).text;
        assert_eq!(
            interpolate("${SET}", &env),
            Filled {
                text: "v".to_owned(),
                from: Some("the shell"),
                missing: vec![]
            }
        );
        assert_eq!(text("x$SET-y"), "xv-y");
        assert_eq!(text("${UNSET:-d}"), "d");
        assert_eq!(text("${EMPTY:-d}"), "d");
        assert_eq!(text("${EMPTY-d}"), "");
        assert_eq!(text("${UNSET}"), "");
        assert_eq!(text("$$SET"), "$SET");
        assert_eq!(text("${SET:+alt}"), "alt");
        assert_eq!(text("${UNSET+alt}"), "");
        assert_eq!(text("${EMPTY+alt}"), "alt");
        assert_eq!(text("${EMPTY:+alt}"), "");
        assert_eq!(text("${UNSET:-${SET}}x"), "vx");
        assert_eq!(interpolate("${UNSET:?set it}", &env).missing, ["UNSET"]);
        assert!(interpolate("${EMPTY?set it}", &env).missing.is_empty());
        assert_eq!(interpolate("${EMPTY:?set it}", &env).missing, ["EMPTY"]);
    }

    #[test]
    fn loader_paths_are_read_from_the_call() {
        assert_eq!(loaded_paths("load_dotenv()"), (vec![], false));
        assert_eq!(loaded_paths("load_dotenv(override=True)"), (vec![], false));
        assert_eq!(
            loaded_paths("load_dotenv('./config/.env', override=True)"),
            (vec!["config/.env".to_owned()], false)
        );
        assert_eq!(
            loaded_paths("load_dotenv(dotenv_path=\"prod.env\")"),
            (vec!["prod.env".to_owned()], false)
        );
        assert_eq!(loaded_paths("load_dotenv(find_dotenv())"), (vec![], false));
        assert_eq!(loaded_paths("load_dotenv(ENV_FILE)"), (vec![], true));
        assert_eq!(
            loaded_paths("require('dotenv').config({ path: '.env.local' })"),
            (vec![".env.local".to_owned()], false)
        );
        assert_eq!(loaded_paths("dotenv.config()"), (vec![], false));
        assert_eq!(loaded_paths("app.config({ path: 'x' })"), (vec![], false));
        assert_eq!(
            loaded_paths("process.loadEnvFile('.env.dev')"),
            (vec![".env.dev".to_owned()], false)
        );
    }

    #[test]
    fn values_are_shown_masked() {
        assert_eq!(shown(""), "(empty)");
        assert_eq!(shown("short"), "`…` (5 characters)");
        assert_eq!(
            shown("sk-abcdefghijklmnop\n"),
            "`sk-…nop\\n` (20 characters)"
        );
        assert_eq!(
            shown(" \"Bearer sk-abcdefghijklmnop\" "),
            "` \"Bearer sk-…op\" ` (30 characters)"
        );
    }
}
