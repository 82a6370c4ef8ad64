//! keylint's settings file: `keylint.toml`, `.keylint.toml`, or `[tool.keylint]` in
//! `pyproject.toml`, found from the scanned path upward (the closest wins). Keys are
//! kebab-case, as in ruff. A wrong key, type or value is an error that points into the file.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Deserialize;
use toml::Spanned;

use crate::file_role::FileRole;
use crate::providers::CustomProvider;
use crate::rules::registry::{self, selects};
use crate::rules::{RuleInfo, Severity};

/// The files looked for in each directory, in this order.
pub const FILE_NAMES: [&str; 3] = ["keylint.toml", ".keylint.toml", "pyproject.toml"];

/// The settings a file holds, each with where it stands in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileSettings {
    pub select: Option<Vec<Spanned<String>>>,
    pub extend_select: Option<Vec<Spanned<String>>>,
    pub ignore: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
    pub key_vars: Option<Vec<Spanned<String>>>,
    /// Glob → rule selectors not reported for the files it matches.
    pub per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    /// Rule selector → the severity its findings get.
    pub severity: Option<BTreeMap<Spanned<String>, Severity>>,
    /// Glob → the role of the files it matches.
    pub roles: Option<BTreeMap<Spanned<String>, FileRole>>,
    /// Providers the catalog does not know (`[[providers]]`).
    pub providers: Option<Vec<ProviderSettings>>,
}

/// A provider of the settings file: an internal LLM gateway's keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProviderSettings {
    pub id: String,
    pub name: String,
    /// Variables that hold its keys (`GATEWAY_API_KEY`).
    #[serde(default)]
    pub env_vars: Vec<String>,
    /// A regex that matches the whole key.
    pub pattern: Spanned<String>,
    /// A word that must stand in the name a key is given to.
    pub keyword: Option<String>,
}

impl ProviderSettings {
    pub fn custom(&self) -> CustomProvider<'_> {
        CustomProvider {
            id: &self.id,
            name: &self.name,
            env_vars: &self.env_vars,
            pattern: self.pattern.get_ref(),
            keyword: self.keyword.as_deref(),
        }
    }
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    keylint: Option<FileSettings>,
}

/// A settings file read and checked.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub settings: FileSettings,
}

/// What is wrong with a settings file, and where.
#[derive(Debug)]
pub struct SettingsError(Box<Details>);

#[derive(Debug)]
struct Details {
    path: PathBuf,
    source: NamedSource<String>,
    span: Option<Range<usize>>,
    message: String,
    help: Option<String>,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid settings in {}: {}",
            self.0.path.display(),
            self.0.message
        )
    }
}

impl std::error::Error for SettingsError {}

impl Diagnostic for SettingsError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0
            .span
            .as_ref()
            .map(|_| &self.0.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span.clone()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            span,
        ))))
    }
}

impl SettingsError {
    fn new(path: &Path, text: &str, span: Option<Range<usize>>, message: String) -> Self {
        SettingsError(Box::new(Details {
            path: path.to_owned(),
            source: NamedSource::new(path.display().to_string(), text.to_owned()),
            span,
            message,
            help: None,
        }))
    }

    /// `--config` named a `pyproject.toml` without a `[tool.keylint]` table.
    pub fn without_table(path: &Path) -> Self {
        SettingsError::new(path, "", None, "it has no [tool.keylint] table".to_owned())
    }

    fn with_help(mut self, help: String) -> Self {
        self.0.help = Some(help);
        self
    }

    /// The error as people read it: the message, the file's line with the place underlined
    /// (path, line and column above it), then the help. No colours.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
        if handler.render_report(&mut out, self).is_err() {
            return format!("keylint: error: {self}\n");
        }
        out
    }
}

/// The settings file that applies to `start` (a file or directory): the closest one above
/// it, a `pyproject.toml` counting only when it has a `[tool.keylint]` table.
pub fn discover(start: &Path) -> Result<Option<Loaded>, SettingsError> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_owned());
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(here) = dir {
        for name in FILE_NAMES {
            let candidate = here.join(name);
            if !candidate.is_file() {
                continue;
            }
            if let Some(loaded) = load(&candidate)? {
                return Ok(Some(loaded));
            }
        }
        dir = here.parent();
    }
    Ok(None)
}

/// Reads a settings file; None for a `pyproject.toml` without `[tool.keylint]`.
pub fn load(path: &Path) -> Result<Option<Loaded>, SettingsError> {
    let bytes = std::fs::read(path)
        .map_err(|err| SettingsError::new(path, "", None, format!("cannot read it: {err}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| SettingsError::new(path, "", None, "it is not valid UTF-8".to_owned()))?;
    let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let parsed = if pyproject {
        toml::from_str::<Pyproject>(&text).map(|p| p.tool.and_then(|t| t.keylint))
    } else {
        toml::from_str::<FileSettings>(&text).map(Some)
    };
    let settings = match parsed {
        Ok(Some(settings)) => settings,
        Ok(None) => return Ok(None),
        Err(err) => return Err(toml_error(path, &text, &err)),
    };
    check(path, &text, &settings)?;
    Ok(Some(Loaded {
        path: path.to_owned(),
        settings,
    }))
}

/// A TOML or schema error as a `SettingsError`; an unknown key gets the closest valid one.
fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> SettingsError {
    let message = err.message().trim().to_owned();
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_owned);
    let mut error = SettingsError::new(path, text, err.span(), first_sentence(&message));
    // serde lists what the table or value takes: `..., expected one of `a`, `b``.
    let expected = message.split_once("expected").map_or("", |(_, list)| list);
    let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    if let Some(value) = message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split('`').next())
    {
        let help = match closest(value, &valid, 2) {
            Some(known) => format!("did you mean `{known}`? One of: {}", valid.join(", ")),
            None => format!("one of: {}", valid.join(", ")),
        };
        error.0.message = format!("unknown value `{value}`");
        return error.with_help(help);
    }
    match unknown {
        Some(key) => {
            let help = match closest(&key, &valid, 2) {
                Some(known) => format!("did you mean `{known}`? The keys: {}", valid.join(", ")),
                None => format!("the keys: {}", valid.join(", ")),
            };
            error.0.message = format!("unknown key `{key}`");
            error.with_help(help)
        }
        None => error,
    }
}

/// serde's message up to its list of what was expected (the help says that better).
fn first_sentence(message: &str) -> String {
    message
        .split(", expected one of")
        .next()
        .unwrap_or(message)
        .to_owned()
}

/// The valid word closest to `word`, when it is a likely typo of it.
fn closest<'k>(word: &str, valid: &[&'k str], max_distance: usize) -> Option<&'k str> {
    valid
        .iter()
        .map(|k| (crate::wiring::names::edit_distance(word, k), *k))
        .filter(|(distance, _)| *distance <= max_distance)
        .min()
        .map(|(_, k)| k)
}

/// Values serde cannot judge: rule selectors and globs.
fn check(path: &Path, text: &str, settings: &FileSettings) -> Result<(), SettingsError> {
    let lists = [&settings.select, &settings.extend_select, &settings.ignore];
    let per_file = settings
        .per_file_ignores
        .iter()
        .flatten()
        .flat_map(|(_, codes)| codes);
    let severity = settings.severity.iter().flat_map(|map| map.keys());
    let selectors = lists
        .into_iter()
        .flatten()
        .flatten()
        .chain(per_file)
        .chain(severity);
    for selector in selectors {
        if !registry::is_valid_selector(selector.get_ref()) {
            let codes: Vec<&str> = crate::rules::RULES.iter().map(|r| r.code).collect();
            let names: Vec<&str> = crate::rules::RULES.iter().map(|r| r.name).collect();
            let likely = closest(selector.get_ref(), &codes, 1)
                .or_else(|| closest(selector.get_ref(), &names, 2));
            let help = match likely {
                Some(code) => format!("did you mean `{code}`? See `keylint rules`"),
                None => "a rule code (KL101), a prefix (KL1) or a name (hardcoded-key); see \
                         `keylint rules`"
                    .to_owned(),
            };
            return Err(SettingsError::new(
                path,
                text,
                Some(selector.span()),
                format!("unknown rule selector `{}`", selector.get_ref()),
            )
            .with_help(help));
        }
    }
    for provider in settings.providers.iter().flatten() {
        if let Err(reason) = provider.custom().build() {
            return Err(SettingsError::new(
                path,
                text,
                Some(provider.pattern.span()),
                format!("provider `{}`: {reason}", provider.id),
            ));
        }
    }
    let per_file_globs = settings.per_file_ignores.iter().flat_map(|map| map.keys());
    let role_globs = settings.roles.iter().flat_map(|map| map.keys());
    let globs = settings
        .exclude
        .iter()
        .flatten()
        .chain(per_file_globs)
        .chain(role_globs);
    for pattern in globs {
        if let Err(err) = glob(pattern.get_ref()) {
            return Err(SettingsError::new(
                path,
                text,
                Some(pattern.span()),
                format!("invalid glob `{}`: {}", pattern.get_ref(), err.kind()),
            ));
        }
    }
    Ok(())
}

fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern.trim_start_matches('/'))
        .literal_separator(true)
        .build()
}

/// Paths left out of a scan: globs relative to the settings file's directory. A glob without
/// `/` matches a file or directory by its name at any depth (`*.min.js`, `vendor`); one with
/// `/` matches the path from that directory (`tests/fixtures/**`).
#[derive(Debug, Clone)]
pub struct Exclude {
    base: PathBuf,
    anchored: GlobSet,
    named: GlobSet,
}

impl Exclude {
    pub fn new(base: &Path, patterns: &[String]) -> Result<Exclude, String> {
        let mut anchored = GlobSetBuilder::new();
        let mut named = GlobSetBuilder::new();
        for pattern in patterns {
            let built = glob(pattern).map_err(|err| format!("invalid glob `{pattern}`: {err}"))?;
            if pattern.trim_start_matches('/').contains('/') {
                anchored.add(built);
            } else {
                named.add(built);
            }
        }
        Ok(Exclude {
            base: std::path::absolute(base).unwrap_or_else(|_| base.to_owned()),
            anchored: anchored.build().map_err(|err| err.to_string())?,
            named: named.build().map_err(|err| err.to_string())?,
        })
    }

    /// Whether a file's path, or a directory on the way to it from the settings file's
    /// directory, matches (for a file reported on, where the walk never saw its directories).
    pub fn excludes_path(&self, path: &Path) -> bool {
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        let mut here = absolute.as_path();
        loop {
            if self.excludes(here) {
                return true;
            }
            match here.parent() {
                Some(parent) if parent.starts_with(&self.base) && parent != self.base => {
                    here = parent
                }
                _ => return false,
            }
        }
    }

    /// Whether `path` (as walked, relative to the current directory or absolute) is excluded.
    pub fn excludes(&self, path: &Path) -> bool {
        if path
            .file_name()
            .is_some_and(|name| self.named.is_match(Path::new(name)))
        {
            return true;
        }
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        absolute
            .strip_prefix(&self.base)
            .is_ok_and(|relative| self.anchored.is_match(relative))
    }
}

/// Globs (as `Exclude` reads them) whose files are not reported for some rules.
#[derive(Debug, Clone)]
pub struct PerFileIgnores {
    entries: Vec<(Exclude, Vec<String>)>,
}

impl PerFileIgnores {
    pub fn new(base: &Path, entries: &[(String, Vec<String>)]) -> Result<Self, String> {
        let entries = entries
            .iter()
            .map(|(glob, codes)| {
                Ok((
                    Exclude::new(base, std::slice::from_ref(glob))?,
                    codes.clone(),
                ))
            })
            .collect::<Result<_, String>>()?;
        Ok(PerFileIgnores { entries })
    }

    /// Whether findings of `rule` in the file at `path` (on disk) are not reported.
    pub fn ignores(&self, path: &Path, rule: &RuleInfo) -> bool {
        self.entries.iter().any(|(glob, codes)| {
            codes.iter().any(|code| selects(code, rule)) && glob.excludes_path(path)
        })
    }
}

/// Globs (as `Exclude` reads them) that give the files they match a role.
#[derive(Debug, Clone)]
pub struct Roles {
    /// Longest glob first: the most specific one decides.
    entries: Vec<(Exclude, FileRole)>,
}

impl Roles {
    pub fn new(base: &Path, entries: &[(String, FileRole)]) -> Result<Self, String> {
        let mut entries: Vec<(usize, Exclude, FileRole)> = entries
            .iter()
            .map(|(glob, role)| {
                Ok((
                    glob.len(),
                    Exclude::new(base, std::slice::from_ref(glob))?,
                    *role,
                ))
            })
            .collect::<Result<_, String>>()?;
        entries.sort_by_key(|(len, _, _)| std::cmp::Reverse(*len));
        Ok(Roles {
            entries: entries
                .into_iter()
                .map(|(_, glob, role)| (glob, role))
                .collect(),
        })
    }

    /// The role the settings file gives the file at `path` (on disk), if any.
    pub fn role_of(&self, path: &Path) -> Option<FileRole> {
        self.entries
            .iter()
            .find(|(glob, _)| glob.excludes_path(path))
            .map(|(_, role)| *role)
    }
}

/// The severity each rule's findings get: the most specific selector that names it (a code
/// over a prefix, a longer prefix over a shorter one), else the rule's own.
pub fn severity_of(overrides: &[(String, Severity)], rule: &RuleInfo) -> Severity {
    overrides
        .iter()
        .filter(|(selector, _)| selects(selector, rule))
        .max_by_key(|(selector, _)| selector.len())
        .map_or(rule.severity, |(_, severity)| *severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_keys_and_codes() {
        let keys = ["select", "extend-select", "key-vars"];
        assert_eq!(closest("selct", &keys, 2), Some("select"));
        assert_eq!(closest("key_vars", &keys, 2), Some("key-vars"));
        assert_eq!(closest("colour", &keys, 2), None);
        assert_eq!(closest("KL11", &["KL101", "KL110"], 1), Some("KL101"));
    }

    #[test]
    fn exclude_globs_by_name_and_by_path() {
        let base = Path::new("/repo");
        let exclude = Exclude::new(base, &["*.min.js".into(), "tests/fixtures/**".into()]).unwrap();
        assert!(exclude.excludes(Path::new("/repo/web/app.min.js")));
        assert!(exclude.excludes(Path::new("/repo/tests/fixtures/key.env")));
        assert!(!exclude.excludes(Path::new("/repo/src/tests/fixtures/key.env")));
        assert!(!exclude.excludes(Path::new("/repo/web/app.js")));
    }
}
