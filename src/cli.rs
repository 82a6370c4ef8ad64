//! The command line: `keylint check`, `history`, `doctor`, `rules`, `explain` and `config`.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::baseline::Baseline;
use crate::changed_lines::ChangedLines;
use crate::file_role::FileRole;
use crate::lint::{Linter, Settings};
use crate::report::{
    escape_controls, GithubReporter, HumanReporter, JsonReporter, Report, Reporter, SarifReporter,
};
use crate::rules::{registry, Severity, RULES};
use crate::settings_file::{self, Exclude, PerFileIgnores, Roles, SettingsError};
use crate::walk::{scan, Note, NoteLevel, ScanOutcome};

const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(name = "keylint", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories for problems.
    Check(CheckArgs),
    /// List every rule with its code, name, severity and summary.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule code (KL101) or name (hardcoded-key).
        rule: String,
    },
    /// Look for keys in every commit of a git repository's history (KL101, KL102).
    History(HistoryArgs),
    /// Diagnose a 401 where it happens: which value of each key variable a program run here
    /// sees, from where, and what is wrong with it.
    Doctor(DoctorArgs),
    /// Print the settings in force for a path, and where each comes from.
    Config {
        /// The path whose settings to show.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[command(flatten)]
        file: SettingsFileArgs,
    },
}

#[derive(Args)]
struct SettingsFileArgs {
    /// Read settings from FILE (keylint.toml, or a pyproject.toml with [tool.keylint]) instead
    /// of the closest one above the scanned path.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every settings file.
    #[arg(long)]
    isolated: bool,
}

#[derive(Args)]
struct HistoryArgs {
    /// A work tree or a bare repository, or a directory in one.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// The commits to read: a revision and its ancestors (`main`), or a range (`v1.0..main`).
    /// Default: every commit reachable from any ref.
    #[arg(value_name = "REV-RANGE")]
    range: Option<String>,
    /// Read every commit reachable from any ref (the default).
    #[arg(long, conflicts_with = "range")]
    all: bool,
    #[command(flatten)]
    scan: ScanArgs,
    #[command(flatten)]
    file: SettingsFileArgs,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(Args)]
struct DoctorArgs {
    /// The project folder: where the program runs and its .env files are.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Judge the values compose service NAME's container gets (its environment, env_files and
    /// ${...} interpolation), not those of a program run in this shell.
    #[arg(long, value_name = "NAME")]
    service: Option<String>,
    /// Ask each key's provider whether the key works: one harmless request per key
    /// (OpenAI: GET {base_url}/models). The key goes to the provider's host, or to the base URL
    /// set in OPENAI_BASE_URL, and nowhere else.
    #[arg(long)]
    live: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DoctorFormat::Human)]
    format: DoctorFormat,
    /// When to use colours in human output (NO_COLOR is respected).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Treat NAME as a variable that holds an AI provider's key, besides the catalog's and the
    /// settings file's. Repeatable, or comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    key_var: Vec<String>,
    #[command(flatten)]
    file: SettingsFileArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum DoctorFormat {
    Human,
    Json,
}

/// What is read and how: shared by `check` and `history`.
#[derive(Args)]
struct ScanArgs {
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 5_000_000)]
    max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Treat NAME as a variable that holds an AI provider's key, besides the catalog's
    /// (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...). Repeatable, or comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    key_var: Vec<String>,
}

/// How findings are reported: shared by `check` and `history`.
#[derive(Args)]
struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 0 even when problems are found.
    #[arg(long)]
    exit_zero: bool,
    /// Print findings only: no summary line, no notes about skipped files.
    #[arg(long, short)]
    quiet: bool,
    /// Also print notes about binary files and other files passed over.
    #[arg(long, short)]
    verbose: bool,
    /// When to use colours in human output (NO_COLOR is respected).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Show keys in full in every output format. Keys are masked otherwise.
    #[arg(long)]
    show_secrets: bool,
    /// Report only findings that the baseline FILE does not hold.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write today's findings to FILE as a baseline (reusing its salt if it is one), and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    /// Files and directories to scan. Files named here are scanned even when git ignores them.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Run only these rules: codes or prefixes (KL101, KL1), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,
    /// Do not run these rules: codes or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Do not honour .gitignore and git's exclude files (.keylintignore still applies).
    #[arg(long)]
    no_ignore: bool,
    #[command(flatten)]
    scan: ScanArgs,
    #[command(flatten)]
    file: SettingsFileArgs,
    /// Report only findings on lines added or changed since the git revision REV (and in files
    /// git does not track): a pull request's own findings. Needs one directory to scan.
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    diff: Option<String>,
    /// Judge what the next commit holds: the git index, not the working tree. Reports the
    /// staged files' findings, and cross-file findings with an end in a staged file.
    #[arg(long)]
    staged: bool,
    /// With --staged, neither read nor write the summary cache in .git/keylint/.
    #[arg(long)]
    no_cache: bool,
    /// Ask each found key's provider whether the key is live (one harmless request per
    /// distinct key, to the provider's own API). Findings of hardcoded-key get
    /// `verified: live | revoked | unknown`.
    #[arg(long)]
    verify: bool,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::History(args) => history(args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Doctor(args) => doctor(args),
        Command::Config { path, file } => show_config(&path, &file),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("keylint: error: {}", escape_controls(&message));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, String> {
    let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let Some(in_force) = settings_or_report(first, &args.file, &Flags::of(&args))? else {
        return Ok(EXIT_ERROR);
    };
    let cache_key = args.staged.then(|| cache_key(&args, &in_force));
    let mut settings = in_force.settings;
    settings.max_file_size = args.scan.max_file_size;
    settings.respect_gitignore = !args.no_ignore;
    settings.show_secrets = args.report.show_secrets;
    settings.threads = args.scan.threads;
    settings.keep_keys = args.verify;
    let linter = Linter::new(settings)?;
    if args.staged {
        if let Some(path) = args.paths.iter().find(|path| !path.is_dir()) {
            return Err(format!(
                "--staged scans directories, and {} is not one",
                path.display()
            ));
        }
        let mut tree = crate::staged::StagedTree::open(first)?;
        if let Some(key) = cache_key.filter(|_| !args.no_cache) {
            tree.use_cache(key);
        }
        let cwd = std::env::current_dir().map_err(|err| format!("current directory: {err}"))?;
        crate::snapshot::use_staged(tree, cwd)?;
    }
    let nothing_staged = crate::snapshot::staged().is_some_and(|tree| tree.staged_count() == 0);
    let mut outcome = if nothing_staged {
        let mut outcome = ScanOutcome::default();
        outcome.notes.push(Note {
            path: first.display().to_string(),
            level: NoteLevel::Info,
            message: "nothing is staged: --staged judges what the next commit changes \
                      (`keylint check` judges the whole tree)"
                .to_owned(),
        });
        outcome
    } else {
        scan(&args.paths, &linter)?
    };
    if let Some(cache) = crate::snapshot::staged().and_then(|tree| tree.cache()) {
        if let Err(err) = cache.save() {
            outcome.notes.push(Note {
                path: ".git/keylint".to_owned(),
                level: NoteLevel::Warning,
                message: format!("cannot write the summary cache: {err}"),
            });
        }
    }
    let changed = match &args.diff {
        Some(rev) => {
            let [dir] = args.paths.as_slice() else {
                return Err("--diff takes one directory to scan".to_owned());
            };
            if !dir.is_dir() {
                return Err("--diff takes one directory to scan".to_owned());
            }
            Some(ChangedLines::since(rev, dir)?)
        }
        None => None,
    };
    finish(
        outcome,
        linter.rules(),
        &args.report,
        changed.as_ref(),
        args.verify,
    )
}

fn history(args: HistoryArgs) -> Result<u8, String> {
    let select: Vec<String> = crate::history::HISTORY_RULES
        .iter()
        .map(|code| code.to_string())
        .collect();
    let flags = Flags {
        select: &select,
        ignore: &[],
        key_vars: &args.scan.key_var,
    };
    let Some(in_force) = settings_or_report(&args.path, &args.file, &flags)? else {
        return Ok(EXIT_ERROR);
    };
    let mut settings = in_force.settings;
    settings.max_file_size = args.scan.max_file_size;
    settings.show_secrets = args.report.show_secrets;
    settings.threads = args.scan.threads;
    let linter = Linter::new(settings)?;
    let commits = match &args.range {
        Some(range) => crate::history::Commits::Spec(range),
        None => crate::history::Commits::All,
    };
    if !args.path.exists() {
        return Err(format!("{}: no such directory", args.path.display()));
    }
    let outcome = crate::history::scan(&args.path, commits, &linter)?;
    finish(outcome, linter.rules(), &args.report, None, false)
}

fn doctor(args: DoctorArgs) -> Result<u8, String> {
    let flags = Flags {
        select: &[],
        ignore: &[],
        key_vars: &args.key_var,
    };
    let Some(in_force) = settings_or_report(&args.path, &args.file, &flags)? else {
        return Ok(EXIT_ERROR);
    };
    let request = crate::doctor::Request {
        project: &args.path,
        key_vars: in_force.settings.key_vars,
        // Variables that are not UTF-8 hold no key keylint could judge (and `vars` would panic).
        environment: std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect(),
        service: args.service.as_deref(),
        live: args.live,
    };
    let diagnosis = crate::doctor::diagnose(&request)?;
    let text = match args.format {
        DoctorFormat::Human => {
            crate::doctor::render::human(&diagnosis, use_color(args.color, None))
        }
        DoctorFormat::Json => crate::doctor::render::json(&diagnosis),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .or_else(ignore_broken_pipe)
        .map_err(|err| format!("writing the diagnosis: {err}"))?;
    Ok(if diagnosis.failed() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// Whether human output is coloured: `--color`, else on a terminal unless NO_COLOR is set.
fn use_color(choice: ColorChoice, output: Option<&Path>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && io::stdout().is_terminal()
        }
    }
}

/// Writes the baseline or the report of `outcome`, with its notes, and says how to exit.
/// `changed` keeps only the findings it touches (`--diff`); `verify` asks the providers about
/// the keys of the findings left (`--verify`).
fn finish(
    mut outcome: ScanOutcome,
    rules: &[&'static crate::rules::RuleInfo],
    args: &ReportArgs,
    changed: Option<&ChangedLines>,
    verify: bool,
) -> Result<u8, String> {
    if let Some(path) = &args.write_baseline {
        let salt = Baseline::read(path).ok().map(|old| old.salt);
        let baseline = Baseline::of(&outcome.findings, salt);
        baseline.write(path)?;
        print_notes(&outcome, args);
        if !args.quiet {
            eprintln!(
                "keylint: wrote a baseline of {} to {}",
                crate::report::plural(baseline.entries.len(), "finding"),
                escape_controls(&path.display().to_string())
            );
        }
        return Ok(EXIT_CLEAN);
    }
    if let Some(path) = &args.baseline {
        outcome.baseline = Some(Baseline::read(path)?.apply(&mut outcome.findings));
    }
    if let Some(changed) = changed {
        outcome.findings.retain(|finding| changed.touches(finding));
    }
    if verify {
        // Keys found in files go to their provider's own API, never to the base URL of the
        // shell keylint runs in; a local mock may stand in for OpenAI's (the tests use one).
        let base_url = std::env::var(crate::verify::MOCK_BASE_URL)
            .ok()
            .filter(|url| !url.trim().is_empty());
        if let Some(url) = &base_url {
            let (level, message) = if crate::doctor::live::is_loopback(url) {
                (
                    NoteLevel::Info,
                    format!(
                        "--verify asks about OpenAI keys at {}/models",
                        url.trim().trim_end_matches('/')
                    ),
                )
            } else {
                (
                    NoteLevel::Warning,
                    "ignored: it must name this machine (127.0.0.1, localhost or [::1])".to_owned(),
                )
            };
            outcome.notes.push(Note {
                path: crate::verify::MOCK_BASE_URL.to_owned(),
                level,
                message,
            });
        }
        let base_url = base_url.filter(|url| crate::doctor::live::is_loopback(url));
        crate::verify::verify(&mut outcome.findings, base_url.as_deref());
    }
    print_notes(&outcome, args);
    let report = Report {
        outcome: &outcome,
        rules,
    };
    let color = use_color(args.color, args.output.as_deref());
    let reporter: Box<dyn Reporter> = match args.format {
        Format::Human => Box::new(HumanReporter {
            color,
            width: output_width(args.output.is_none() && io::stdout().is_terminal()),
            quiet: args.quiet,
            verbose: args.verbose,
        }),
        Format::Json => Box::new(JsonReporter),
        Format::Sarif => Box::new(SarifReporter),
        Format::Github => Box::new(GithubReporter),
    };
    let written = match &args.output {
        Some(path) => File::create(path)
            .and_then(|file| {
                let mut out = BufWriter::new(file);
                reporter.write(&report, &mut out)?;
                out.flush()
            })
            .map_err(|err| format!("{}: {err}", path.display())),
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            reporter
                .write(&report, &mut out)
                .and_then(|()| out.flush())
                .or_else(ignore_broken_pipe)
                .map_err(|err| format!("writing the report: {err}"))
        }
    };
    written?;
    Ok(if outcome.findings.is_empty() || args.exit_zero {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// Columns of human output written to a file or a pipe: the same everywhere.
const FIXED_WIDTH: usize = 160;
/// Narrower terminals still get this many columns (the snippet frame needs room).
const MIN_WIDTH: usize = 40;
/// A terminal whose size cannot be told.
const FALLBACK_WIDTH: usize = 80;

/// Columns to wrap human output at: on a terminal its width (`COLUMNS` when set, else asked of the
/// terminal, else 80); otherwise a fixed 160.
fn output_width(to_terminal: bool) -> usize {
    let columns = std::env::var("COLUMNS").ok();
    let queried = || terminal_size::terminal_size().map(|(width, _)| usize::from(width.0));
    width_for(to_terminal, columns.as_deref(), queried)
}

fn width_for(
    to_terminal: bool,
    columns: Option<&str>,
    queried: impl FnOnce() -> Option<usize>,
) -> usize {
    if !to_terminal {
        return FIXED_WIDTH;
    }
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or_else(queried)
        .unwrap_or(FALLBACK_WIDTH)
        .max(MIN_WIDTH)
}

fn ignore_broken_pipe(err: io::Error) -> io::Result<()> {
    if err.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(err)
    }
}

fn print_notes(outcome: &ScanOutcome, args: &ReportArgs) {
    let mut stderr = io::stderr().lock();
    for note in &outcome.notes {
        let shown = match note.level {
            NoteLevel::Warning => true,
            NoteLevel::Info => !args.quiet,
            NoteLevel::Verbose => args.verbose,
        };
        if shown {
            let _ = writeln!(stderr, "{}", note_line(note, args.show_secrets));
        }
    }
}

/// A note as standard error shows it: keys in the path or the message (a parser's error may
/// quote one) masked unless `show_secrets`, control characters escaped.
pub fn note_line(note: &Note, show_secrets: bool) -> String {
    let label = match note.level {
        NoteLevel::Warning => "warning",
        NoteLevel::Info | NoteLevel::Verbose => "note",
    };
    let (path, message) = if show_secrets {
        (note.path.clone(), note.message.clone())
    } else {
        (
            crate::keys::redact(&note.path),
            crate::keys::redact(&note.message),
        )
    };
    format!(
        "keylint: {label}: {}: {}",
        escape_controls(&path),
        escape_controls(&message)
    )
}

/// What the summary cache's entries depend on besides the files: this keylint build, the
/// settings in force, the flags that change what is read, and where the scan runs from.
fn cache_key(args: &CheckArgs, in_force: &InForce) -> String {
    use sha2::{Digest, Sha256};
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|meta| format!("{} {:?}", meta.len(), meta.modified().ok()))
        .unwrap_or_default();
    let settings_file = in_force
        .file
        .as_ref()
        .and_then(|file| std::fs::read(file).ok())
        .unwrap_or_default();
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION"));
    hash.update(build);
    hash.update(settings_file);
    hash.update(format!(
        "{:?} {:?} {:?} {:?} {} {} {:?} {:?}",
        in_force.origins,
        args.select,
        args.ignore,
        args.scan.key_var,
        args.no_ignore,
        args.scan.max_file_size,
        args.paths,
        std::env::current_dir().ok(),
    ));
    format!("{:x}", hash.finalize())
}

/// The settings flags can give, which override the settings file's.
struct Flags<'a> {
    select: &'a [String],
    ignore: &'a [String],
    key_vars: &'a [String],
}

impl<'a> Flags<'a> {
    fn of(args: &'a CheckArgs) -> Self {
        Flags {
            select: &args.select,
            ignore: &args.ignore,
            key_vars: &args.scan.key_var,
        }
    }
}

/// The settings in force, and where each came from.
struct InForce {
    settings: Settings,
    file: Option<PathBuf>,
    /// (key, value as TOML, where it came from).
    origins: Vec<(&'static str, String, String)>,
    /// The settings file's providers, for the catalog.
    custom_providers: Vec<crate::providers::Provider>,
}

/// The settings in force for `path`, with the settings file's providers added to the catalog;
/// None once a settings file's error is printed (the caller exits 2).
fn settings_or_report(
    path: &Path,
    file: &SettingsFileArgs,
    flags: &Flags,
) -> Result<Option<InForce>, String> {
    match settings_in_force(path, file, flags) {
        Ok(mut in_force) => {
            crate::providers::add_custom(std::mem::take(&mut in_force.custom_providers))?;
            Ok(Some(in_force))
        }
        Err(error) => {
            eprint!("{}", error.render());
            Ok(None)
        }
    }
}

/// The settings file's settings under the flags': `--select` replaces `select` and
/// `extend-select`; `--ignore` and `--key-var` add to `ignore` and `key-vars`.
fn settings_in_force(
    path: &Path,
    file_args: &SettingsFileArgs,
    flags: &Flags,
) -> Result<InForce, SettingsError> {
    let loaded = if file_args.isolated {
        None
    } else if let Some(config) = &file_args.config {
        match settings_file::load(config)? {
            Some(loaded) => Some(loaded),
            None => return Err(SettingsError::without_table(config)),
        }
    } else {
        settings_file::discover(path)?
    };
    let values = |list: &Option<Vec<toml::Spanned<String>>>| -> Vec<String> {
        list.iter().flatten().map(|v| v.get_ref().clone()).collect()
    };
    let (file, from_file) = match &loaded {
        Some(loaded) => (Some(loaded.path.clone()), loaded.path.display().to_string()),
        None => (None, String::new()),
    };
    let file_settings = loaded.as_ref().map(|l| &l.settings);
    let origin = |set_in_file: bool, by_flag: bool| -> String {
        match (set_in_file, by_flag) {
            (true, true) => format!("from {from_file}, then flags"),
            (false, true) => "from flags".to_owned(),
            (true, false) => format!("from {from_file}"),
            (false, false) => "default".to_owned(),
        }
    };
    let mut settings = Settings::default();
    let mut origins = Vec::new();
    let file_select = file_settings.map(|f| values(&f.select)).unwrap_or_default();
    let file_extend = file_settings
        .map(|f| values(&f.extend_select))
        .unwrap_or_default();
    let select_in_file =
        file_settings.is_some_and(|f| f.select.is_some() || f.extend_select.is_some());
    settings.select = if flags.select.is_empty() {
        if file_select.is_empty() {
            // Every rule runs by default: extending it adds nothing.
            Vec::new()
        } else {
            file_select.into_iter().chain(file_extend).collect()
        }
    } else {
        flags.select.to_vec()
    };
    origins.push((
        "select",
        toml_list(&settings.select),
        match (flags.select.is_empty(), select_in_file) {
            (false, _) => "from flags".to_owned(),
            (true, true) => origin(true, false),
            (true, false) => "default: every rule".to_owned(),
        },
    ));
    // Lists the flags add to.
    let mut added =
        |key: &'static str, in_file: &Option<Vec<toml::Spanned<String>>>, by_flags: &[String]| {
            let merged: Vec<String> = values(in_file)
                .into_iter()
                .chain(by_flags.iter().cloned())
                .collect();
            origins.push((
                key,
                toml_list(&merged),
                origin(in_file.is_some(), !by_flags.is_empty()),
            ));
            merged
        };
    let none = None;
    settings.ignore = added(
        "ignore",
        file_settings.map_or(&none, |f| &f.ignore),
        flags.ignore,
    );
    settings.key_vars = added(
        "key-vars",
        file_settings.map_or(&none, |f| &f.key_vars),
        flags.key_vars,
    );
    let file_exclude = file_settings
        .map(|f| values(&f.exclude))
        .unwrap_or_default();
    if let Some(loaded) = loaded.as_ref().filter(|_| !file_exclude.is_empty()) {
        let base = loaded.path.parent().unwrap_or(Path::new("."));
        settings.exclude = Some(
            Exclude::new(base, &file_exclude).expect("the settings file's globs were checked"),
        );
    }
    origins.push((
        "exclude",
        toml_list(&file_exclude),
        origin(!file_exclude.is_empty(), false),
    ));
    let per_file: Vec<(String, Vec<String>)> = file_settings
        .and_then(|f| f.per_file_ignores.as_ref())
        .into_iter()
        .flatten()
        .map(|(glob, codes)| {
            let codes = codes.iter().map(|c| c.get_ref().clone()).collect();
            (glob.get_ref().clone(), codes)
        })
        .collect();
    if let Some(loaded) = loaded.as_ref().filter(|_| !per_file.is_empty()) {
        let base = loaded.path.parent().unwrap_or(Path::new("."));
        settings.per_file_ignores = Some(
            PerFileIgnores::new(base, &per_file).expect("the settings file's globs were checked"),
        );
    }
    let table = |entries: Vec<String>| match entries.is_empty() {
        true => "{}".to_owned(),
        false => format!("{{ {} }}", entries.join(", ")),
    };
    origins.push((
        "per-file-ignores",
        table(
            per_file
                .iter()
                .map(|(glob, codes)| format!("{glob:?} = {}", toml_list(codes)))
                .collect(),
        ),
        origin(!per_file.is_empty(), false),
    ));
    settings.severity = file_settings
        .and_then(|f| f.severity.as_ref())
        .into_iter()
        .flatten()
        .map(|(selector, severity)| (selector.get_ref().clone(), *severity))
        .collect();
    origins.push((
        "severity",
        table(
            settings
                .severity
                .iter()
                .map(|(selector, severity)| format!("{selector:?} = {:?}", severity.as_str()))
                .collect(),
        ),
        origin(!settings.severity.is_empty(), false),
    ));
    let roles: Vec<(String, FileRole)> = file_settings
        .and_then(|f| f.roles.as_ref())
        .into_iter()
        .flatten()
        .map(|(glob, role)| (glob.get_ref().clone(), *role))
        .collect();
    if let Some(loaded) = loaded.as_ref().filter(|_| !roles.is_empty()) {
        let base = loaded.path.parent().unwrap_or(Path::new("."));
        settings.roles =
            Some(Roles::new(base, &roles).expect("the settings file's globs were checked"));
    }
    origins.push((
        "roles",
        table(
            roles
                .iter()
                .map(|(glob, role)| format!("{glob:?} = {:?}", role.as_str()))
                .collect(),
        ),
        origin(!roles.is_empty(), false),
    ));
    let providers: Vec<&settings_file::ProviderSettings> = file_settings
        .and_then(|f| f.providers.as_ref())
        .into_iter()
        .flatten()
        .collect();
    origins.push((
        "providers",
        format!(
            "[{}]",
            providers
                .iter()
                .map(|p| format!(
                    "{{ id = {:?}, env-vars = {}, pattern = {:?} }}",
                    p.id,
                    toml_list(&p.env_vars),
                    p.pattern.get_ref()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        origin(!providers.is_empty(), false),
    ));
    let custom_providers = providers
        .iter()
        .map(|p| {
            p.custom()
                .build()
                .expect("the settings file's providers were checked")
        })
        .collect();
    Ok(InForce {
        settings,
        file,
        origins,
        custom_providers,
    })
}

/// A list as TOML (`["KL1", "KL2"]`).
fn toml_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

fn show_config(path: &Path, file_args: &SettingsFileArgs) -> Result<u8, String> {
    let none = Flags {
        select: &[],
        ignore: &[],
        key_vars: &[],
    };
    let in_force = match settings_in_force(path, file_args, &none) {
        Ok(in_force) => in_force,
        Err(error) => {
            eprint!("{}", error.render());
            return Ok(EXIT_ERROR);
        }
    };
    let mut out = io::stdout().lock();
    let file = match &in_force.file {
        Some(file) => file.display().to_string(),
        None if file_args.isolated => "none (--isolated)".to_owned(),
        None => "none found".to_owned(),
    };
    let mut lines = vec![format!("# settings file: {file}")];
    for (key, value, origin) in &in_force.origins {
        lines.push(format!("{key} = {value}  # {origin}"));
    }
    lines
        .iter()
        .try_for_each(|line| writeln!(out, "{}", escape_controls(line)))
        .or_else(ignore_broken_pipe)
        .map_err(|err| err.to_string())?;
    Ok(EXIT_CLEAN)
}

#[derive(Serialize)]
struct RuleRow {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
}

fn list_rules(format: RulesFormat) -> Result<u8, String> {
    let mut out = io::stdout().lock();
    let written = match format {
        RulesFormat::Json => {
            let rows: Vec<RuleRow> = RULES
                .iter()
                .map(|r| RuleRow {
                    code: r.code,
                    name: r.name,
                    severity: r.severity,
                    summary: r.summary,
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rows)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        RulesFormat::Text => RULES.iter().try_for_each(|r| {
            writeln!(
                out,
                "{}  {:<24} {:<8} {}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.summary
            )
        }),
    };
    written
        .or_else(ignore_broken_pipe)
        .map_err(|err| err.to_string())?;
    Ok(EXIT_CLEAN)
}

fn explain(rule: &str) -> Result<u8, String> {
    let info = registry::find(rule)
        .ok_or_else(|| format!("unknown rule `{rule}` (see `keylint rules`)"))?;
    let mut out = io::stdout().lock();
    write!(out, "{}", info.docs)
        .or_else(ignore_broken_pipe)
        .map_err(|err| err.to_string())?;
    Ok(EXIT_CLEAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_is_the_terminals_or_fixed() {
        assert_eq!(width_for(false, Some("80"), || Some(100)), FIXED_WIDTH);
        assert_eq!(width_for(true, Some("80"), || Some(100)), 80);
        assert_eq!(width_for(true, Some("wide"), || Some(100)), 100);
        assert_eq!(width_for(true, None, || None), FALLBACK_WIDTH);
        assert_eq!(width_for(true, Some("10"), || None), MIN_WIDTH);
    }
}
