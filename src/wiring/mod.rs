//! Rules that look across files. During the walk each file that matters to them (code that
//! needs a key, `.env` files, Dockerfiles, compose files, Kubernetes manifests, CI workflows) is
//! summarised; after the walk the summaries are put together: units that run code (compose
//! services, Kubernetes containers, CI jobs) are linked to the code they run, and each key the
//! code needs is followed to what provides it.

pub mod entry;
pub mod env_templates;
pub mod imports;
pub mod names;
pub mod provides;
pub mod reach;
pub mod reads;
pub mod units;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::code::facts::CodeFacts;
use crate::config::ci::CiFile;
use crate::config::compose::{ComposeFile, EnvFileRef};
use crate::config::kubernetes::{KubeModel, KubeObject};
use crate::config::{ConfigModel, Place};
use crate::file_kind::FileKind;
use crate::file_role::FileRole;
use crate::finding::Finding;
use crate::lint::{CrossFileFindings, Linter};
use crate::rules::key_setting::key_variable;
use crate::rules::FileContext;

pub use reads::ReadKind;
pub use units::{Unit, Wiring};

/// The rules that run here; files are summarised only when one of them is selected.
pub const CROSS_FILE_RULES: &[&str] = &["KL301", "KL302", "KL304", "KL305", "KL307", "KL310"];

/// Env files, Dockerfiles and kustomize inputs read from disk beside a summarised file are
/// skipped above this size.
const MAX_NEIGHBOUR_BYTES: u64 = 1_000_000;

/// What the cross-file rules need of one file.
#[derive(Debug)]
pub struct Summary {
    pub path: String,
    /// What the file is for.
    pub role: FileRole,
    /// The file's bytes: kept for configuration files, read again from disk for a source file
    /// only when a message or finding points into it (see [`Summary::bytes`]).
    bytes: OnceLock<Vec<u8>>,
    /// Where a source file is on disk, and its length when it was scanned.
    reread: Option<(PathBuf, usize)>,
    pub kind: FileKind,
    pub kube: KubeModel,
    /// GitHub Actions workflows: jobs, triggers and scripts.
    pub workflow: Option<Box<CiFile>>,
    /// Key variables the file's code needs.
    pub consumers: Vec<Consumer>,
    /// Every variable the file's code reads, key or not.
    pub reads: Vec<String>,
    /// Variables the code sets for itself (`os.environ["X"] = ...`, `process.env.X = ...`).
    pub sets: Vec<String>,
    /// The code loads a `.env` file (`load_dotenv()`, `dotenv.config()`).
    pub loads_dotenv: bool,
    /// Secret files the code reads (`/run/secrets/openai_api_key`).
    pub secret_reads: Vec<SecretRead>,
    pub compose: Option<Box<ComposeSummary>>,
    /// Dockerfiles: variables `ENV` gives a non-empty default.
    pub dockerfile_env: Option<Vec<String>>,
    /// Every variable the file provides, whatever its name, for KL302's close names.
    pub provided: Vec<Provided>,
    /// The modules the file's code imports (see [`imports::imports`]).
    pub imports: Vec<String>,
    /// Where a configuration file is on disk, to read the Makefiles, package.json files and
    /// scripts its commands name.
    pub location: Option<std::path::PathBuf>,
}

/// A source file's summary as the summary cache keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeSummary {
    role: FileRole,
    kind: FileKind,
    /// The file's length, when its bytes are read again for messages.
    reread_len: Option<usize>,
    /// Whether the summary knows where the file is on disk.
    located: bool,
    consumers: Vec<Consumer>,
    reads: Vec<String>,
    sets: Vec<String>,
    loads_dotenv: bool,
    secret_reads: Vec<SecretRead>,
    provided: Vec<Provided>,
    imports: Vec<String>,
}

/// Code that needs a key variable.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Consumer {
    pub variable: String,
    pub span: Range<usize>,
    /// The SDK client that reads the variable by default (`OpenAI`), or None for a direct read.
    pub sdk: Option<String>,
    /// Whether the read makes the code need the variable (see [`ReadKind`]).
    pub kind: ReadKind,
    /// The read runs when the module is imported (Python), or its client is built at the top
    /// level: a test that imports the module runs it.
    pub top_level: bool,
}

impl Consumer {
    /// "reads OPENAI_API_KEY" / "calls `OpenAI()`, which reads OPENAI_API_KEY by default".
    pub fn verb(&self) -> String {
        match &self.sdk {
            Some(sdk) => format!("calls `{sdk}()`, which reads {} by default", self.variable),
            None => format!("reads {}", self.variable),
        }
    }
}

/// A string in code naming a secret file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretRead {
    pub path: String,
    pub span: Range<usize>,
}

/// A compose file: its services, what their `environment` sets, and their env files as read
/// from disk.
#[derive(Debug, Clone)]
pub struct ComposeSummary {
    pub file: ComposeFile,
    /// (service, variable) of every `environment` entry, pass-through included.
    pub environment: Vec<(String, String)>,
    /// (service, value) of the settings that choose a model or provider (`LLM_PROVIDER:
    /// anthropic`, `MODEL: deepseek-chat`), lower-cased.
    pub values: Vec<(String, String)>,
    pub env_files: Vec<ResolvedEnvFile>,
}

#[derive(Debug, Clone)]
pub struct ResolvedEnvFile {
    pub service: String,
    pub reference: EnvFileRef,
    /// The variables the file defines; None when it does not exist, Some(None) when it cannot
    /// be judged (an interpolated path, an unreadable file, a git-ignored file made at setup
    /// from a template beside it).
    pub names: Option<Option<Vec<String>>>,
}

/// A variable a file provides.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provided {
    pub name: String,
    pub span: Range<usize>,
    /// "env file", "compose service `web`", ...
    pub place: String,
}

/// The variable an SDK client reads when it is given no key.
const SDK_DEFAULTS: &[(&str, &str)] = &[
    ("OpenAI", "OPENAI_API_KEY"),
    ("AsyncOpenAI", "OPENAI_API_KEY"),
    ("ChatOpenAI", "OPENAI_API_KEY"),
    ("OpenAIEmbeddings", "OPENAI_API_KEY"),
    ("AzureOpenAI", "AZURE_OPENAI_API_KEY"),
    ("AsyncAzureOpenAI", "AZURE_OPENAI_API_KEY"),
    ("Anthropic", "ANTHROPIC_API_KEY"),
    ("AsyncAnthropic", "ANTHROPIC_API_KEY"),
    ("ChatAnthropic", "ANTHROPIC_API_KEY"),
    ("Groq", "GROQ_API_KEY"),
];

impl Summary {
    pub fn of(file: &FileContext) -> Option<Summary> {
        let parsed_here;
        let config = match file.config() {
            Some(model) => Some(model),
            None if structural(file.kind, file.source.bytes) => {
                parsed_here = crate::config::model(file.kind, file.source.bytes);
                parsed_here.as_ref()
            }
            None => None,
        };
        let dir = file.location.and_then(Path::parent);
        let mut kube = config.map(|m| m.kube.clone()).unwrap_or_default();
        if let Some(dir) = dir {
            resolve_generated(&mut kube, dir);
        }
        let workflow = match file.kind {
            FileKind::GithubWorkflow => config.and_then(|m| m.ci.clone()).map(Box::new),
            _ => None,
        };
        let facts = file.kind.is_source().then(|| file.code()).flatten();
        let consumers = facts.map(|f| consumers(file, f)).unwrap_or_default();
        let reads = facts
            .map(|f| f.env_reads.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_default();
        let mut sets: Vec<String> = facts
            .map(|f| {
                f.assignments
                    .iter()
                    .filter_map(|a| set_variable(&a.target))
                    .collect()
            })
            .unwrap_or_default();
        if facts.is_some() {
            sets.extend(reads::set_by_calls(file.source.bytes));
        }
        let secret_reads = facts.map(secret_reads).unwrap_or_default();
        let compose = match (file.kind, config) {
            (FileKind::Compose, Some(model)) => model
                .compose
                .as_ref()
                .map(|compose| Box::new(compose_summary(compose, model, dir, file.scan_top))),
            _ => None,
        };
        let dockerfile_env = (file.kind == FileKind::Dockerfile).then(|| {
            config
                .map(|m| {
                    m.settings
                        .iter()
                        .filter(|s| matches!(s.place, Place::DockerEnv { .. }))
                        .filter(|s| s.value.as_ref().is_some_and(|v| !v.text.is_empty()))
                        .map(|s| s.name.clone())
                        .collect()
                })
                .unwrap_or_default()
        });
        let mut provided = config.map(provided_by).unwrap_or_default();
        if let Some(facts) = facts.filter(|_| file.kind == FileKind::Shell) {
            provided.extend(
                facts
                    .assignments
                    .iter()
                    .filter(|a| a.exported)
                    .map(|a| Provided {
                        name: a.target.clone(),
                        span: a.target_span.clone(),
                        place: "shell export".into(),
                    }),
            );
        }
        let imports = imports::imports(file.kind, file.source.bytes);
        let empty =
            kube.objects.is_empty() && kube.containers.is_empty() && kube.patched.is_empty();
        if followed_code(file.kind) && consumers.is_empty() && secret_reads.is_empty() {
            let mut summary = Summary::code_with(file.path, file.kind, file.role, imports);
            summary.reads = reads;
            summary.sets = sets;
            summary.loads_dotenv = facts.is_some_and(|f| !f.dotenv_loads.is_empty());
            summary.provided = provided;
            return Some(summary);
        }
        if empty
            && workflow.is_none()
            && consumers.is_empty()
            && secret_reads.is_empty()
            && compose.is_none()
            && dockerfile_env.is_none()
            && provided.is_empty()
            && facts.is_none_or(|f| f.dotenv_loads.is_empty())
        {
            return None;
        }
        // A scan of a large tree would otherwise hold every source file that reads a key.
        let reread = file
            .location
            .filter(|_| file.kind.is_source())
            .map(|location| (location.to_path_buf(), file.source.bytes.len()));
        let bytes = match reread {
            Some(_) => OnceLock::new(),
            None => OnceLock::from(file.source.bytes.to_vec()),
        };
        Some(Summary {
            path: file.path.to_owned(),
            role: file.role,
            bytes,
            reread,
            kind: file.kind,
            kube,
            workflow,
            consumers,
            reads,
            sets,
            loads_dotenv: facts.is_some_and(|f| !f.dotenv_loads.is_empty()),
            secret_reads,
            compose,
            dockerfile_env,
            provided,
            imports,
            location: file.location.map(Path::to_path_buf),
        })
    }

    /// What a source file's summary holds, to keep between runs (see [`crate::summary_cache`]);
    /// None for other files, whose summaries are not kept.
    pub fn cached_form(&self) -> Option<CodeSummary> {
        let has_config = !self.kube.objects.is_empty()
            || !self.kube.containers.is_empty()
            || !self.kube.patched.is_empty()
            || self.workflow.is_some()
            || self.compose.is_some()
            || self.dockerfile_env.is_some();
        (self.kind.is_source() && !has_config).then(|| CodeSummary {
            role: self.role,
            kind: self.kind,
            reread_len: self.reread.as_ref().map(|(_, len)| *len),
            located: self.location.is_some(),
            consumers: self.consumers.clone(),
            reads: self.reads.clone(),
            sets: self.sets.clone(),
            loads_dotenv: self.loads_dotenv,
            secret_reads: self.secret_reads.clone(),
            provided: self.provided.clone(),
            imports: self.imports.clone(),
        })
    }

    /// The summary a [`CodeSummary`] was made from, for the file at `path` (shown) and
    /// `location` (on disk).
    pub fn from_cached(cached: CodeSummary, path: &str, location: &Path) -> Summary {
        let reread = cached.reread_len.map(|len| (location.to_path_buf(), len));
        Summary {
            path: path.to_owned(),
            role: cached.role,
            bytes: match reread {
                Some(_) => OnceLock::new(),
                None => OnceLock::from(Vec::new()),
            },
            reread,
            kind: cached.kind,
            kube: KubeModel::default(),
            workflow: None,
            consumers: cached.consumers,
            reads: cached.reads,
            sets: cached.sets,
            loads_dotenv: cached.loads_dotenv,
            secret_reads: cached.secret_reads,
            compose: None,
            dockerfile_env: None,
            provided: cached.provided,
            imports: cached.imports,
            location: cached.located.then(|| location.to_path_buf()),
        }
    }

    /// A source file that needs no key itself: kept for its imports, so that units can be
    /// followed through it (its bytes are not kept: no finding points into it).
    pub fn code(path: &str, kind: FileKind, role: FileRole, bytes: &[u8]) -> Summary {
        Summary::code_with(path, kind, role, imports::imports(kind, bytes))
    }

    fn code_with(path: &str, kind: FileKind, role: FileRole, imports: Vec<String>) -> Summary {
        Summary {
            path: path.to_owned(),
            role,
            bytes: OnceLock::from(Vec::new()),
            reread: None,
            kind,
            kube: KubeModel::default(),
            workflow: None,
            consumers: Vec::new(),
            reads: Vec::new(),
            sets: Vec::new(),
            loads_dotenv: false,
            secret_reads: Vec::new(),
            compose: None,
            dockerfile_env: None,
            provided: Vec::new(),
            imports,
            location: None,
        }
    }

    /// The file's bytes. A source file's are read again from disk the first time; if it
    /// changed since the scan, they are empty (spans are clamped where they are shown).
    pub fn bytes(&self) -> &[u8] {
        self.bytes.get_or_init(|| {
            let Some((location, len)) = &self.reread else {
                return Vec::new();
            };
            crate::snapshot::read(location)
                .ok()
                .filter(|bytes| bytes.len() == *len)
                .unwrap_or_default()
        })
    }

    /// The 1-based line of a byte offset, for messages.
    pub fn line(&self, offset: usize) -> usize {
        line_of(self.bytes(), offset)
    }

    /// `path:line` of a byte offset.
    pub fn at(&self, offset: usize) -> String {
        format!("{}:{}", self.path, self.line(offset))
    }
}

/// The 1-based line of a byte offset in `bytes`.
pub fn line_of(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Source files the wiring follows from a unit's entry file to what it imports.
pub fn followed_code(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Python | FileKind::JavaScript | FileKind::TypeScript | FileKind::Go
    )
}

/// Whether a file of this kind can tell the cross-file rules anything: source code, and the
/// configuration files that have a model.
pub fn may_summarize(kind: FileKind) -> bool {
    kind.is_source()
        || matches!(
            kind,
            FileKind::Env
                | FileKind::EnvExample
                | FileKind::Dockerfile
                | FileKind::Compose
                | FileKind::Yaml
                | FileKind::GithubWorkflow
                | FileKind::GitlabCi
                | FileKind::Kustomization
        )
}

/// Files whose structure the wiring needs even when they never name a key: compose files,
/// Dockerfiles and env files always (they are few and small), other YAML when it holds
/// containers.
pub fn structural(kind: FileKind, bytes: &[u8]) -> bool {
    match kind {
        FileKind::Compose
        | FileKind::Dockerfile
        | FileKind::Env
        | FileKind::EnvExample
        | FileKind::Kustomization
        | FileKind::GithubWorkflow => true,
        FileKind::Yaml => bytes
            .windows(b"containers:".len())
            .any(|w| w == b"containers:"),
        _ => false,
    }
}

/// The variable an assignment target sets in the process environment: `os.environ["X"]`,
/// `process.env.X`, `process.env["X"]`.
fn set_variable(target: &str) -> Option<String> {
    let compact: String = target.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = ["os.environ[", "environ[", "process.env[", "process.env."]
        .iter()
        .find_map(|prefix| compact.strip_prefix(prefix))?;
    let name: String = rest
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Where values become an SDK client's key: the key arguments, and the values assigned to a
/// name that is a key argument. Built once per file, so each read is a binary search.
struct ClientKeySpans {
    /// Span starts, sorted.
    starts: Vec<usize>,
    /// The furthest end of the spans up to each start.
    reach: Vec<usize>,
    /// The spans of clients built, and key names assigned, at the top level of a module.
    top_level: Vec<Range<usize>>,
}

impl ClientKeySpans {
    fn of(facts: &CodeFacts) -> Self {
        use crate::code::facts::Expr;
        let keys: Vec<&Expr> = facts
            .clients
            .iter()
            .filter_map(|c| c.key.as_ref())
            .collect();
        let names: std::collections::HashSet<&str> = keys
            .iter()
            .filter_map(|key| match key {
                Expr::Name { path, .. } => Some(path.as_str()),
                _ => None,
            })
            .collect();
        let mut top_level: Vec<Range<usize>> = facts
            .clients
            .iter()
            .filter(|c| c.top_level.is_some())
            .filter_map(|c| c.key.as_ref().map(|key| key.span().clone()))
            .collect();
        top_level.extend(
            facts
                .assignments
                .iter()
                .filter(|a| a.top_level.is_some() && names.contains(a.target.as_str()))
                .map(|a| a.value.span().clone()),
        );
        let mut spans: Vec<Range<usize>> = keys.iter().map(|key| key.span().clone()).collect();
        spans.extend(
            facts
                .assignments
                .iter()
                .filter(|a| names.contains(a.target.as_str()))
                .map(|a| a.value.span().clone()),
        );
        spans.sort_by_key(|span| span.start);
        let mut furthest = 0;
        let reach = spans
            .iter()
            .map(|span| {
                furthest = furthest.max(span.end);
                furthest
            })
            .collect();
        ClientKeySpans {
            starts: spans.iter().map(|span| span.start).collect(),
            reach,
            top_level,
        }
    }

    /// Whether a read's value is an SDK client's key: inside one of the spans.
    fn feed(&self, read: &crate::code::facts::EnvRead) -> bool {
        let before = self
            .starts
            .partition_point(|start| *start <= read.span.start);
        before > 0 && self.reach[before - 1] >= read.span.end
    }

    /// Whether a read that feeds a client runs at the top level of its module.
    fn top_level(&self, read: &crate::code::facts::EnvRead) -> bool {
        self.top_level
            .iter()
            .any(|span| span.start <= read.span.start && read.span.end <= span.end)
    }
}

/// Key variables the code reads, directly or through an SDK's default.
fn consumers(file: &FileContext, facts: &CodeFacts) -> Vec<Consumer> {
    let client_keys = ClientKeySpans::of(facts);
    let cx = reads::ReadContext::new(file.path, file.kind, file.source.bytes, facts);
    let python = file.kind == FileKind::Python;
    let mut found: Vec<Consumer> = facts
        .env_reads
        .iter()
        .filter(|read| key_variable(file, &read.name).is_some())
        .map(|read| {
            let feeds = client_keys.feed(read);
            Consumer {
                variable: read.name.clone(),
                span: read.span.clone(),
                sdk: None,
                kind: reads::read_kind(&cx, read, feeds),
                top_level: python && reads::python_top_level(cx.bytes, read.span.start)
                    || feeds && client_keys.top_level(read),
            }
        })
        .collect();
    for client in facts
        .clients
        .iter()
        .filter(|c| c.key.is_none() && !other_credentials(file.source.bytes, &c.span))
    {
        let class = client.sdk.rsplit('.').next().unwrap_or(&client.sdk);
        if let Some((sdk, variable)) = SDK_DEFAULTS.iter().find(|(sdk, _)| *sdk == class) {
            found.push(Consumer {
                variable: (*variable).to_owned(),
                span: client.span.clone(),
                sdk: Some((*sdk).to_owned()),
                kind: reads::client_kind(&cx, client.span.start, variable),
                top_level: client.top_level.is_some(),
            });
        }
    }
    found.sort_by_key(|c| c.span.start);
    // Kept until the end of the scan: no spare capacity.
    found.shrink_to_fit();
    found
}

/// A client given another credential than its key (`admin_api_key=`, `workload_identity=`,
/// `azure_ad_token_provider=`, `credential=`): it does not read the default key variable.
fn other_credentials(bytes: &[u8], call: &Range<usize>) -> bool {
    let text = &bytes[call.start.min(bytes.len())..call.end.min(bytes.len())];
    let Some(open) = text.iter().position(|&b| b == b'(') else {
        return false;
    };
    let arguments = String::from_utf8_lossy(&text[open..]).to_ascii_lowercase();
    ["_key=", "_key:", "token", "credential", "identity", "**"]
        .iter()
        .any(|word| arguments.contains(word))
}

/// Directories where containers find secret files.
const SECRET_DIRS: &[&str] = &[
    "/run/secrets/",
    "/var/run/secrets/",
    "/etc/secrets/",
    "/mnt/secrets/",
];

/// Secret files of Kubernetes itself and of cloud identity, never the application's key.
const PLATFORM_SECRETS: &[&str] = &[
    "/var/run/secrets/kubernetes.io/",
    "/run/secrets/kubernetes.io/",
    "/var/run/secrets/eks.amazonaws.com/",
    "/var/run/secrets/azure/",
    "/var/run/secrets/tokens/",
];

/// String literals that name a secret file holding a key: a path under a secrets directory
/// whose file name speaks of a key or token.
fn secret_reads(facts: &CodeFacts) -> Vec<SecretRead> {
    let mut found: Vec<SecretRead> = facts
        .strings
        .iter()
        .filter_map(|lit| {
            let text = lit.text()?;
            let dir = SECRET_DIRS.iter().find(|d| text.starts_with(**d))?;
            if PLATFORM_SECRETS.iter().any(|p| text.starts_with(p)) {
                return None;
            }
            let name = text[dir.len()..].to_ascii_lowercase();
            let key_like = ["key", "token", "openai", "anthropic", "api"]
                .iter()
                .any(|word| name.contains(word));
            (key_like && !name.is_empty() && !text.contains(char::is_whitespace)).then(|| {
                SecretRead {
                    path: text.clone(),
                    span: lit.span.clone(),
                }
            })
        })
        .collect();
    found.sort_by_key(|r| r.span.start);
    found.dedup_by(|a, b| a.path == b.path);
    found
}

fn compose_summary(
    compose: &ComposeFile,
    model: &ConfigModel,
    dir: Option<&Path>,
    scan_top: Option<&Path>,
) -> ComposeSummary {
    let environment = model
        .settings
        .iter()
        .filter_map(|s| match &s.place {
            Place::ComposeEnvironment { service, .. } => Some((service.clone(), s.name.clone())),
            _ => None,
        })
        .collect();
    let values = model
        .settings
        .iter()
        .filter(|s| crate::providers::is_selector(&s.name))
        .filter_map(|s| match (&s.place, &s.value) {
            (Place::ComposeEnvironment { service, .. }, Some(value)) => {
                // `${LLM_PROVIDER:-anthropic}` selects its default.
                let text = value.text.to_ascii_lowercase();
                let text = match text.split_once(":-") {
                    Some((_, default)) if text.starts_with("${") => {
                        default.trim_end_matches('}').to_owned()
                    }
                    _ if text.contains("${") => return None,
                    _ => text,
                };
                (!text.is_empty()).then(|| (service.clone(), text))
            }
            _ => None,
        })
        .collect();
    let env_files = compose
        .services
        .iter()
        .flat_map(|service| {
            service.env_files.iter().map(|reference| ResolvedEnvFile {
                service: service.name.clone(),
                reference: reference.clone(),
                names: env_file_names(dir, &reference.path, scan_top),
            })
        })
        .collect();
    ComposeSummary {
        file: compose.clone(),
        environment,
        values,
        env_files,
    }
}

/// The variables an env file beside a compose file defines (see `ResolvedEnvFile::names`).
fn env_file_names(
    dir: Option<&Path>,
    path: &str,
    scan_top: Option<&Path>,
) -> Option<Option<Vec<String>>> {
    let Some(dir) = dir else {
        return Some(None);
    };
    if path.contains('$') {
        return Some(None);
    }
    let full = dir.join(path);
    if !crate::snapshot::is_file(&full) {
        return env_templates::setup_template(&full, scan_top).map(|_| None);
    }
    Some(read_env_names(&full))
}

fn read_env_names(path: &Path) -> Option<Vec<String>> {
    let text = crate::snapshot::read_text(path, MAX_NEIGHBOUR_BYTES)?;
    let model = crate::config::model(FileKind::Env, text.as_bytes())?;
    Some(model.settings.into_iter().map(|s| s.name).collect())
}

/// Gives kustomize-generated objects the keys of their `envs` and `files`, read from disk (an
/// object whose files cannot be read is open: it may hold anything), and reads the names of
/// the workloads patch files patch.
fn resolve_generated(kube: &mut KubeModel, dir: &Path) {
    for generated in std::mem::take(&mut kube.generated) {
        let mut object: KubeObject = generated.object.clone();
        let mut complete = true;
        for env_file in &generated.env_files {
            match read_env_names(&dir.join(env_file)) {
                Some(names) => object.keys.extend(names),
                None => complete = false,
            }
        }
        for file in &generated.files {
            let key = match file.split_once('=') {
                Some((key, _)) => key,
                None => file.rsplit('/').next().unwrap_or(file),
            };
            object.keys.push(key.to_owned());
        }
        // A file not in the repository (git-ignored, made by CI): the object may hold anything.
        object.open = !complete;
        kube.objects.push(object);
        kube.generated.push(generated);
    }
    for file in std::mem::take(&mut kube.patch_files) {
        let path = dir.join(&file);
        if let Some(text) = crate::snapshot::read_text(&path, MAX_NEIGHBOUR_BYTES) {
            kube.patched
                .extend(crate::config::kubernetes::patched_names(&text));
        }
        kube.patch_files.push(file);
    }
}

/// Every variable a configuration file provides, for close-name matching.
fn provided_by(model: &ConfigModel) -> Vec<Provided> {
    model
        .settings
        .iter()
        // Secret and ConfigMap keys become variables only through an `envFrom` (the wiring
        // adds those); build arguments never reach the running code.
        .filter(|s| {
            !matches!(
                s.place,
                Place::DockerArg { .. }
                    | Place::ComposeBuildArg { .. }
                    | Place::KubeSecret { .. }
                    | Place::KubeConfigMap { .. }
                    | Place::KustomizeLiteral { .. }
            )
        })
        .map(|s| Provided {
            name: s.name.clone(),
            span: s.name_span.clone(),
            place: s.place.describe(),
        })
        .collect()
}

/// What the cross-file pass gives besides its findings.
#[derive(Debug, Default)]
pub struct Outcome {
    /// For `--verbose`: each unit whose command could not be traced to code (path, message).
    pub notes: Vec<(String, String)>,
    /// Settings of key variables that the code of their unit reads only optionally, as (path,
    /// 1-based line, variable): KL107 and KL303 say nothing about them.
    pub optional_settings: Vec<(String, usize, String)>,
}

/// Runs the cross-file rules over every summary.
pub fn check(summaries: &[Summary], linter: &Linter) -> (Vec<Finding>, Outcome) {
    use crate::rules::{
        ci_env_not_passed, dangling_secret_ref, env_name_mismatch, env_not_provided,
        missing_env_file, secret_file_not_mounted,
    };
    let wiring = Wiring::new(summaries);
    let needs = wiring.needs();
    let out = CrossFileFindings::new(linter);
    let mut findings = dangling_secret_ref::check_across(summaries, &out);
    findings.extend(ci_env_not_passed::check_across(&wiring, &out));
    findings.extend(env_not_provided::check_across(&wiring, &needs, &out));
    findings.extend(env_name_mismatch::check_across(&wiring, &out));
    findings.extend(missing_env_file::check_across(&wiring, &needs, &out));
    findings.extend(secret_file_not_mounted::check_across(&wiring, &out));
    let notes = wiring
        .units
        .iter()
        .filter(|unit| unit.reached.is_none())
        .map(|unit| {
            let root = if unit.root.is_empty() {
                "."
            } else {
                &unit.root
            };
            (
                unit.summary.path.clone(),
                format!(
                    "{}: what it runs could not be traced to code, so it is linked to the \
                     production code under {root} (not tests, examples, docs or scripts)",
                    unit.name
                ),
            )
        })
        .collect();
    let mut optional_settings = Vec::new();
    for unit in &wiring.units {
        let Some(optional) = unit.read_only_optionally(&wiring).filter(|o| !o.is_empty()) else {
            continue;
        };
        for (file, provided) in unit.provided(&wiring) {
            if optional.contains(&provided.name.as_str()) {
                optional_settings.push((
                    file.path.clone(),
                    file.line(provided.span.start),
                    provided.name.clone(),
                ));
            }
        }
    }
    (
        findings,
        Outcome {
            notes,
            optional_settings,
        },
    )
}

/// The rules that judge a key's value.
const VALUE_RULES: &[&str] = &[
    "KL102", "KL103", "KL104", "KL105", "KL106", "KL107", "KL403",
];

/// (object, entry name, how a container takes it).
type Reference = (String, String, String);

/// Secret and ConfigMap entries whose value a container takes as a key variable, while their
/// own name is no key variable (`secretKeyRef: {name: llm, key: token}` into `OPENAI_API_KEY`,
/// or `envFrom` with the prefix `OPENAI_` over `API_KEY`): by file, (object, entry name, how
/// it is taken: "container `api` of Deployment `api` takes it as OPENAI_API_KEY").
fn referenced_entries(summaries: &[Summary], linter: &Linter) -> Vec<(usize, Vec<Reference>)> {
    let key_variable = |name: &str| {
        crate::providers::catalog()
            .iter()
            .any(|p| p.env.iter().any(|e| e == name))
            || linter.settings().key_vars.iter().any(|v| v == name)
    };
    let mut wanted: Vec<(&str, &str, String, String)> = Vec::new();
    for container in summaries.iter().flat_map(|s| &s.kube.containers) {
        let taken = |variable: &str| {
            format!(
                "container `{}` of {} takes it as {variable}",
                container.name, container.workload
            )
        };
        for reference in &container.env_refs {
            if key_variable(&reference.variable) && !key_variable(&reference.key) {
                wanted.push((
                    &reference.kind,
                    &reference.object,
                    reference.key.clone(),
                    taken(&reference.variable),
                ));
            }
        }
        for from in &container.env_from {
            let prefix = from.prefix.as_deref().unwrap_or("");
            for object in summaries.iter().flat_map(|s| &s.kube.objects) {
                if object.kind != from.kind || object.name != from.object {
                    continue;
                }
                for key in &object.keys {
                    let variable = format!("{prefix}{key}");
                    if key_variable(&variable) && !key_variable(key) {
                        wanted.push((&from.kind, &from.object, key.clone(), taken(&variable)));
                    }
                }
            }
        }
    }
    let mut found: Vec<(usize, Vec<Reference>)> = Vec::new();
    for (at, summary) in summaries.iter().enumerate() {
        let mut names: Vec<(String, String, String)> = summary
            .kube
            .objects
            .iter()
            .flat_map(|o| {
                wanted
                    .iter()
                    .filter(move |(kind, name, key, _)| {
                        o.kind == *kind && o.name == *name && o.keys.contains(key)
                    })
                    .map(|(_, name, key, how)| (name.to_string(), key.clone(), how.clone()))
            })
            .collect();
        names.sort();
        names.dedup();
        if !names.is_empty() {
            found.push((at, names));
        }
    }
    found
}

/// The value rules (KL102–KL107, KL403) on Secret and ConfigMap entries that reach a key
/// variable by reference, whatever the entry is called; findings already made are not repeated.
pub fn judge_referenced_values(
    summaries: &[Summary],
    linter: &Linter,
    findings: &[Finding],
) -> Vec<Finding> {
    let mut more = Vec::new();
    for (at, names) in referenced_entries(summaries, linter) {
        let summary = &summaries[at];
        let Some(location) = summary.location.as_deref() else {
            continue;
        };
        let keys: Vec<String> = names.iter().map(|(_, key, _)| key.clone()).collect();
        let narrowed = linter.narrowed(VALUE_RULES, &keys);
        let report = narrowed.lint_bytes_under(
            None,
            summary.role,
            &summary.path,
            location,
            summary.kind,
            crate::rules::GitStatus::Committable,
            summary.bytes(),
        );
        // Only the entries named: the extra key names must not judge other settings.
        let lines: Vec<(usize, &str)> = crate::config::model(summary.kind, summary.bytes())
            .map(|model| {
                model
                    .settings
                    .iter()
                    .filter_map(|s| {
                        let object = match &s.place {
                            Place::KubeSecret { name, .. } | Place::KubeConfigMap { name } => name,
                            _ => return None,
                        };
                        let (_, _, how) = names
                            .iter()
                            .find(|(o, key, _)| o == object && *key == s.name)?;
                        Some((summary.line(s.name_span.start), how.as_str()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for mut finding in report.findings {
            let Some((_, how)) = lines.iter().find(|(line, _)| *line == finding.start.line) else {
                continue;
            };
            let known = findings.iter().any(|g| {
                g.rule.code == finding.rule.code
                    && g.path == finding.path
                    && g.start == finding.start
            });
            if !known {
                finding.message = format!("{} ({how})", finding.message);
                more.push(finding);
            }
        }
    }
    more
}

/// Drops the per-file findings of KL107 (empty key) and KL303 (unset interpolation) on settings
/// that the unit's code reads only optionally (see [`Outcome::optional_settings`]).
pub fn quiet_optional_settings(findings: &mut Vec<Finding>, outcome: &Outcome, linter: &Linter) {
    if outcome.optional_settings.is_empty() {
        return;
    }
    findings.retain(|f| {
        !matches!(f.rule.code, "KL107" | "KL303")
            || !outcome
                .optional_settings
                .iter()
                .any(|(path, line, variable)| {
                    linter.redact_path(path) == f.path
                        && *line == f.start.line
                        && f.message.contains(&format!("`{variable}`"))
                })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_reads_feed_a_client_in_its_key_argument_or_through_the_name_given() {
        let src = b"import os\nfrom openai import OpenAI\n\
            key = os.getenv(\"OPENAI_API_KEY\")\n\
            OpenAI(api_key=key)\n\
            OpenAI(api_key=os.environ.get(\"OPENAI_API_KEY\"))\n\
            other = os.getenv(\"OPENAI_API_KEY\")\n\
            OpenAI(api_key=\"\")\n";
        let facts = crate::code::python::facts(src);
        let client_keys = ClientKeySpans::of(&facts);
        let fed: Vec<bool> = facts
            .env_reads
            .iter()
            .map(|r| client_keys.feed(r))
            .collect();
        assert_eq!(fed, [true, true, false]);
    }

    #[test]
    fn a_source_file_is_read_again_for_its_bytes_and_not_if_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let location = dir.path().join("app.py");
        let text = b"import os\nKEY = os.environ[\"OPENAI_API_KEY\"]\n";
        std::fs::write(&location, text).unwrap();
        let linter = Linter::new(crate::lint::Settings::default()).unwrap();
        let summary = || {
            let report = linter.lint_bytes(
                "app.py",
                &location,
                FileKind::Python,
                crate::rules::GitStatus::Committable,
                text,
            );
            report.summary.expect("the file reads a key")
        };
        let kept = summary();
        assert!(kept.bytes.get().is_none(), "not held during the scan");
        assert_eq!(kept.bytes(), text);
        assert_eq!(kept.line(text.len() - 1), 2);

        let changed = summary();
        std::fs::write(&location, b"print()\n").unwrap();
        assert_eq!(changed.bytes(), b"");
        assert_eq!(changed.line(20), 1);
    }
}
