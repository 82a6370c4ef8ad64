//! What a command starts, resolved to the repository's code: `python app.py`, `python -m
//! pkg.mod`, `uvicorn pkg.mod:app`, `node server.js`, `npm run X` through package.json,
//! `make T` through the Makefile (with the recipe's inline `VAR=value`), shell scripts to what
//! they run, and test runners to their tests. Installers, linters, type checkers, formatters,
//! `-c`/`-e`/`-p` one-liners and heredocs start none of the project's code.

use std::path::{Path, PathBuf};

use super::units::join;

/// Shell scripts, Makefiles and package.json files are followed this deep.
const MAX_DEPTH: usize = 4;

/// Files read from disk to follow a command (Makefiles, package.json, scripts) are skipped
/// above this size.
const MAX_READ_BYTES: u64 = 1_000_000;

/// One command that starts project code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The command as written where the unit runs it, for messages.
    pub command: String,
    pub target: Target,
    /// Variables set for it on the way: `X=1 cmd`, a Makefile recipe's `X=placeholder pytest`.
    pub env: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Entry files (repository paths): the program runs them and what they import.
    Code(Vec<String>),
    /// A test runner and where it collects tests: directories or files (repository paths).
    Tests(Vec<String>),
    /// A framework that loads every file under these directories by convention (Next.js
    /// `app/` and `pages/`).
    Tree(Vec<String>),
    /// Project code of unknown shape (a Python module or file not found).
    Unresolved,
}

/// The repository as the resolver reads it: a display path is found on disk under `base`.
pub struct Disk {
    base: PathBuf,
}

impl Disk {
    /// The disk location of the display root, from one file's display path and location.
    pub fn of(display: &str, location: &Path) -> Disk {
        let depth = display.split('/').filter(|p| !p.is_empty()).count();
        let base = location
            .ancestors()
            .nth(depth)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Disk { base }
    }

    pub fn path(&self, display: &str) -> PathBuf {
        if display.is_empty() {
            self.base.clone()
        } else {
            self.base.join(display)
        }
    }

    pub fn read(&self, display: &str) -> Option<String> {
        crate::snapshot::read_text(&self.path(display), MAX_READ_BYTES)
    }

    pub fn is_file(&self, display: &str) -> bool {
        crate::snapshot::is_file(&self.path(display))
    }

    pub fn is_dir(&self, display: &str) -> bool {
        crate::snapshot::is_dir(&self.path(display))
    }
}

/// What a shell script starts, run from the directory `cwd` (a repository path).
pub fn launches(script: &str, cwd: &str, disk: &Disk) -> Vec<Launch> {
    let mut out = Vec::new();
    Resolver {
        disk,
        out: &mut out,
    }
    .script(script, cwd, &[], 0, None);
    out
}

struct Resolver<'r> {
    disk: &'r Disk,
    out: &'r mut Vec<Launch>,
}

impl Resolver<'_> {
    /// `shown`: the command of the outer script that led here, for messages.
    fn script(
        &mut self,
        script: &str,
        cwd: &str,
        env: &[String],
        depth: usize,
        shown: Option<&str>,
    ) {
        let mut cwd = cwd.to_owned();
        for line in logical_lines(script) {
            for command in split_commands(&line) {
                let words = words(&command);
                let shown = shown.unwrap_or(command.trim());
                self.command(&words, &mut cwd, env, depth, shown);
            }
        }
    }

    fn command(
        &mut self,
        words: &[String],
        cwd: &mut String,
        env: &[String],
        depth: usize,
        shown: &str,
    ) {
        let mut env: Vec<String> = env.to_vec();
        let mut rest = words;
        // `X=1 Y=2 cmd`, and wrappers that run the command after them.
        loop {
            let Some(first) = rest.first() else {
                return;
            };
            if let Some((name, value)) = first.split_once('=') {
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    // `PATHS=( tests/a.py tests/b.py )`: an array, nothing runs.
                    if value.starts_with('(') {
                        return;
                    }
                    env.push(name.to_owned());
                    rest = &rest[1..];
                    continue;
                }
            }
            let skip = match first.as_str() {
                "sudo" | "env" | "time" | "exec" | "nohup" | "xvfb-run" | "command" => 1,
                "timeout" => 2,
                "npx" | "bunx" | "pnpx" => 1,
                "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" | "conda"
                    if rest.get(1).is_some_and(|w| w == "run") =>
                {
                    2
                }
                "pnpm" | "yarn" if rest.get(1).is_some_and(|w| w == "exec" || w == "dlx") => 2,
                _ => 0,
            };
            if skip == 0 {
                break;
            }
            rest = &rest[skip.min(rest.len())..];
            // Options of the wrapper (`uv run --locked --all-extras`, `env -i`).
            while rest.first().is_some_and(|w| w.starts_with('-')) {
                rest = &rest[1..];
            }
        }
        let Some(program) = rest.first() else {
            return;
        };
        let args = &rest[1..];
        let name = program.rsplit('/').next().unwrap_or(program);
        let launch = |target: Target| Launch {
            command: shown.to_owned(),
            target,
            env: env.clone(),
        };
        match name {
            "cd" => {
                if let Some(dir) = args.first().filter(|d| !d.contains('$') && *d != "-") {
                    if let Some(joined) = join(cwd, dir) {
                        *cwd = joined;
                    }
                }
            }
            _ if is_python(name) => {
                if let Some(target) = self.python(args, cwd, &env) {
                    self.out.push(launch(target));
                }
            }
            "pytest" | "py.test" => self.out.push(launch(tests(args, cwd))),
            "jest" | "vitest" | "mocha" | "ava" => {
                let args: Vec<String> = args.iter().filter(|a| *a != "run").cloned().collect();
                self.out.push(launch(tests(&args, cwd)));
            }
            "tox" | "nox" => self.out.push(launch(Target::Tests(vec![cwd.clone()]))),
            "next" if args.first().is_some_and(|a| a == "start" || a == "dev") => {
                let dirs: Vec<String> = ["app", "pages", "src/app", "src/pages"]
                    .iter()
                    .filter_map(|d| join(cwd, d))
                    .filter(|d| self.disk.is_dir(d))
                    .collect();
                if !dirs.is_empty() {
                    self.out.push(launch(Target::Tree(dirs)));
                }
            }
            "node" | "tsx" | "ts-node" | "bun" | "deno" | "nodemon" | "ts-node-dev"
            | "node-dev" | "pm2" | "pm2-runtime" => {
                if let Some(target) = self.node(name, args, cwd, &env, depth, shown) {
                    self.out.push(launch(target));
                }
            }
            "uvicorn" | "gunicorn" | "hypercorn" | "daphne" | "granian" => {
                let target = args
                    .iter()
                    .find(|a| app_reference(a))
                    .map(|a| python_module(self.disk, cwd, a.split(':').next().unwrap_or(a)));
                if let Some(target) = target {
                    self.out.push(launch(target));
                }
            }
            "streamlit" | "chainlit" | "fastapi" | "gradio" | "panel" => {
                let file = args
                    .iter()
                    .find(|a| a.ends_with(".py"))
                    .and_then(|f| join(cwd, f));
                if let Some(file) = file {
                    self.out.push(launch(Target::Code(vec![file])));
                }
            }
            "flask" if args.first().is_some_and(|a| a == "run") => {
                let file = ["app.py", "wsgi.py"]
                    .iter()
                    .filter_map(|f| join(cwd, f))
                    .find(|f| self.disk.is_file(f));
                self.out.push(launch(
                    file.map_or(Target::Unresolved, |f| Target::Code(vec![f])),
                ));
            }
            "celery" => {
                let app = args
                    .iter()
                    .position(|a| a == "-A" || a == "--app")
                    .and_then(|i| args.get(i + 1));
                if let Some(app) = app {
                    let module = app.split(':').next().unwrap_or(app);
                    self.out.push(launch(python_module(self.disk, cwd, module)));
                }
            }
            "npm" | "yarn" | "pnpm" => {
                if let Some(script) = package_script(name, args) {
                    self.package_script(&script, cwd, &env, depth, shown);
                }
            }
            "make" | "gmake" | "$(MAKE)" | "${MAKE}" => self.make(args, cwd, &env, depth, shown),
            "go" => match args.first().map(String::as_str) {
                Some("test") => {
                    let dirs: Vec<String> = args[1..]
                        .iter()
                        .filter(|a| a.starts_with("./") || *a == ".")
                        .filter_map(|a| join(cwd, a.trim_end_matches("/...")))
                        .collect();
                    let dirs = if dirs.is_empty() {
                        vec![cwd.clone()]
                    } else {
                        dirs
                    };
                    self.out.push(launch(Target::Tests(dirs)));
                }
                Some("run") => {
                    let package = args[1..]
                        .iter()
                        .find(|a| !a.starts_with('-'))
                        .and_then(|a| join(cwd, a));
                    if let Some(package) = package {
                        self.out.push(launch(go_package(self.disk, &package)));
                    }
                }
                _ => {}
            },
            "cargo" => match args.first().map(String::as_str) {
                Some("test" | "nextest") => self.out.push(launch(Target::Tests(vec![cwd.clone()]))),
                Some("run") => {
                    let main = join(cwd, "src/main.rs").unwrap_or_default();
                    self.out.push(launch(Target::Code(vec![main])));
                }
                _ => {}
            },
            "bash" | "sh" | "zsh" | "source" | "." => {
                if let Some(at) = args.iter().position(|a| a == "-c") {
                    if let Some(inline) = args.get(at + 1).filter(|_| depth < MAX_DEPTH) {
                        self.script(inline, cwd, &env, depth + 1, None);
                    }
                } else if let Some(at) = args.iter().position(|a| !a.starts_with('-')) {
                    self.file(&args[at], &args[at + 1..], cwd, &env, depth, shown);
                }
            }
            _ if program.contains('/') => self.file(program, args, cwd, &env, depth, shown),
            _ => {}
        }
    }

    /// `python [options] file.py|-m module|-c code|-`.
    fn python(&mut self, args: &[String], cwd: &str, env: &[String]) -> Option<Target> {
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            match arg.as_str() {
                "-c" | "-" => return None,
                "-W" | "-X" | "--check-hash-based-pycs" => i += 2,
                "-m" => {
                    let module = args.get(i + 1)?;
                    let rest = &args[(i + 2).min(args.len())..];
                    return match module.as_str() {
                        "pytest" | "py.test" => Some(tests(rest, cwd)),
                        "unittest" => Some(unittest(rest, cwd)),
                        "uvicorn" | "gunicorn" | "hypercorn" | "celery" | "streamlit" | "flask" => {
                            let mut words = vec![module.clone()];
                            words.extend(rest.iter().cloned());
                            let mut sub = Vec::new();
                            let mut cwd = cwd.to_owned();
                            Resolver {
                                disk: self.disk,
                                out: &mut sub,
                            }
                            .command(&words, &mut cwd, env, MAX_DEPTH, "");
                            sub.into_iter().next().map(|l| l.target)
                        }
                        m if TOOL_MODULES.contains(&m.split('.').next().unwrap_or(m)) => None,
                        m => Some(python_module(self.disk, cwd, m)),
                    };
                }
                a if a.starts_with('-') => i += 1,
                file => {
                    let path = join(cwd, file)?;
                    return Some(if self.disk.is_file(&path) {
                        Target::Code(vec![path])
                    } else {
                        Target::Unresolved
                    });
                }
            }
        }
        None
    }

    /// `node [options] file`, `bun run|test`, `deno run file`, `tsx file`.
    fn node(
        &mut self,
        name: &str,
        args: &[String],
        cwd: &str,
        env: &[String],
        depth: usize,
        shown: &str,
    ) -> Option<Target> {
        let mut args = args;
        if name.starts_with("pm2") && args.first().is_some_and(|a| a == "start") {
            args = &args[1..];
        }
        if name == "bun" {
            match args.first().map(String::as_str) {
                Some("test") => return Some(tests(&args[1..], cwd)),
                Some("install" | "add" | "x" | "build" | "pm") => return None,
                Some("run") => {
                    let script = args.get(1)?;
                    if !script.contains('.') {
                        self.package_script(script, cwd, env, depth, shown);
                        return None;
                    }
                    args = &args[1..];
                }
                _ => {}
            }
        }
        if name == "deno" {
            match args.first().map(String::as_str) {
                Some("test") => return Some(tests(&args[1..], cwd)),
                Some("run") => args = &args[1..],
                _ => return None,
            }
        }
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            match arg.as_str() {
                "-e" | "-p" | "--eval" | "--print" | "-" => return None,
                "-r" | "--require" | "--import" | "--loader" | "--env-file" => i += 2,
                a if a.starts_with('-') => i += 1,
                file => {
                    let runner = file.rsplit('/').next().unwrap_or(file);
                    let runner = runner.split('.').next().unwrap_or(runner);
                    if matches!(runner, "jest" | "vitest" | "mocha" | "ava") {
                        return Some(tests(&args[i + 1..], cwd));
                    }
                    let path = join(cwd, file)?;
                    return self.disk.is_file(&path).then(|| Target::Code(vec![path]));
                }
            }
        }
        None
    }

    /// A path run as a program: a shell script is followed, code files are entries.
    fn file(
        &mut self,
        file: &str,
        args: &[String],
        cwd: &str,
        env: &[String],
        depth: usize,
        shown: &str,
    ) {
        let Some(path) = join(cwd, file) else {
            return;
        };
        if [".py", ".js", ".mjs", ".cjs", ".ts"]
            .iter()
            .any(|ext| path.ends_with(ext))
        {
            if self.disk.is_file(&path) {
                self.out.push(Launch {
                    command: shown.to_owned(),
                    target: Target::Code(vec![path]),
                    env: env.to_vec(),
                });
            }
            return;
        }
        if depth >= MAX_DEPTH {
            return;
        }
        let Some(text) = self.disk.read(&path) else {
            return;
        };
        // A script runs from the caller's directory; `cd "$(dirname "$0")/.."` and the like
        // are not evaluated.
        self.script(&text, cwd, env, depth + 1, Some(shown));
        // An entrypoint script that ends in `exec "$@"` runs its arguments (the image's CMD).
        if !args.is_empty() && text.contains("$@") {
            let mut cwd = cwd.to_owned();
            self.command(args, &mut cwd, env, depth + 1, shown);
        }
    }

    /// `npm run X` / `yarn X`: the script of package.json in `cwd`.
    fn package_script(&mut self, name: &str, cwd: &str, env: &[String], depth: usize, shown: &str) {
        if depth >= MAX_DEPTH {
            return;
        }
        let Some(package) = join(cwd, "package.json").and_then(|p| self.disk.read(&p)) else {
            return;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&package) else {
            return;
        };
        let Some(script) = json["scripts"][name].as_str() else {
            return;
        };
        // `$(yarn bin jest)` names the runner.
        let script = script.replace("$(yarn bin jest)", "jest");
        let script = script.replace("$(npm bin)/", "");
        self.script(&script, cwd, env, depth + 1, Some(shown));
    }

    /// `make [-C dir] [VAR=value] [target]`: the target's recipe, with the Makefile's variables.
    fn make(&mut self, args: &[String], cwd: &str, env: &[String], depth: usize, shown: &str) {
        if depth >= MAX_DEPTH {
            return;
        }
        let mut dir = cwd.to_owned();
        let mut targets = Vec::new();
        let mut overrides = Vec::new();
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            match arg.as_str() {
                "-C" | "--directory" => {
                    if let Some(d) = args.get(i + 1).and_then(|d| join(&dir, d)) {
                        dir = d;
                    }
                    i += 2;
                    continue;
                }
                "-f" | "--file" | "-j" => {
                    i += 2;
                    continue;
                }
                a if a.starts_with('-') => {}
                a if a.contains('=') => overrides.push(a.to_owned()),
                a => targets.push(a.to_owned()),
            }
            i += 1;
        }
        let Some(text) = ["Makefile", "makefile", "GNUmakefile"]
            .iter()
            .filter_map(|f| join(&dir, f))
            .find_map(|f| self.disk.read(&f))
        else {
            return;
        };
        let makefile = Makefile::parse(&text, &overrides);
        if targets.is_empty() {
            targets.extend(makefile.first.clone());
        }
        let mut seen = Vec::new();
        for target in targets {
            self.make_target(&makefile, &target, &dir, env, depth, shown, &mut seen);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn make_target(
        &mut self,
        makefile: &Makefile,
        target: &str,
        dir: &str,
        env: &[String],
        depth: usize,
        shown: &str,
        seen: &mut Vec<String>,
    ) {
        if seen.iter().any(|t| t == target) || seen.len() > 32 {
            return;
        }
        seen.push(target.to_owned());
        let Some(rule) = makefile
            .rules
            .iter()
            .find(|r| r.targets.iter().any(|t| t == target))
        else {
            return;
        };
        for prerequisite in &rule.prerequisites {
            self.make_target(makefile, prerequisite, dir, env, depth, shown, seen);
        }
        let recipe = rule
            .recipe
            .iter()
            .map(|line| makefile.expand(line.trim_start_matches(['@', '-', '+'])))
            .collect::<Vec<_>>()
            .join("\n");
        self.script(&recipe, dir, env, depth + 1, Some(shown));
    }
}

/// Python modules of tools that run none of the project's code.
const TOOL_MODULES: &[&str] = &[
    "pip",
    "venv",
    "virtualenv",
    "build",
    "twine",
    "mypy",
    "ruff",
    "black",
    "isort",
    "flake8",
    "pylint",
    "pyright",
    "json",
    "http",
    "compileall",
    "pre_commit",
    "coverage",
    "ensurepip",
    "pipx",
    "poetry",
    "hatch",
    "nox",
    "tox",
    "mkdocs",
    "sphinx",
    "playwright",
    "grpc_tools",
    "piptools",
    "uv",
    "site",
];

fn is_python(name: &str) -> bool {
    name == "python"
        || name == "py"
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `pkg.mod:app`, not `0.0.0.0:8000`.
fn app_reference(word: &str) -> bool {
    let Some((module, app)) = word.split_once(':') else {
        return false;
    };
    !word.starts_with('-')
        && !module.is_empty()
        && module
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && module.chars().any(|c| c.is_ascii_alphabetic())
        && !app.is_empty()
        && app
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
}

/// A dotted Python module, resolved from `cwd` (and its `src/`): its file, or its package's
/// `__main__.py` / `__init__.py`.
pub fn python_module(disk: &Disk, cwd: &str, module: &str) -> Target {
    let relative = module.replace('.', "/");
    for base in [cwd.to_owned(), join(cwd, "src").unwrap_or_default()] {
        for candidate in [
            format!("{relative}.py"),
            format!("{relative}/__main__.py"),
            format!("{relative}/__init__.py"),
        ] {
            if let Some(path) = join(&base, &candidate).filter(|p| disk.is_file(p)) {
                return Target::Code(vec![path]);
            }
        }
    }
    Target::Unresolved
}

/// A Go package directory (or file) to its non-test `.go` files.
fn go_package(disk: &Disk, package: &str) -> Target {
    if package.ends_with(".go") {
        return Target::Code(vec![package.to_owned()]);
    }
    let Some(names) = crate::snapshot::file_names(&disk.path(package)) else {
        return Target::Unresolved;
    };
    let mut files: Vec<String> = names
        .into_iter()
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
        .filter_map(|f| join(package, &f))
        .collect();
    files.sort();
    if files.is_empty() {
        Target::Unresolved
    } else {
        Target::Code(files)
    }
}

/// A test runner's arguments to where it collects tests; none given: the directory it runs in.
fn tests(args: &[String], cwd: &str) -> Target {
    let mut paths = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if matches!(
            arg.as_str(),
            "-m" | "-k" | "-p" | "-c" | "-n" | "--junitxml" | "--cov" | "--config" | "-t"
        ) {
            i += 2;
            continue;
        }
        if !arg.starts_with('-') && !arg.contains('=') && !arg.contains('$') {
            let path = arg.split("::").next().unwrap_or(arg);
            if let Some(joined) = join(cwd, path) {
                paths.push(joined);
            }
        }
        i += 1;
    }
    if paths.is_empty() {
        paths.push(cwd.to_owned());
    }
    Target::Tests(paths)
}

/// `python -m unittest discover -s dir -p pattern` / `python -m unittest tests.test_x`.
fn unittest(args: &[String], cwd: &str) -> Target {
    let start = args
        .iter()
        .position(|a| a == "-s" || a == "--start-directory")
        .and_then(|i| args.get(i + 1))
        .and_then(|d| join(cwd, d));
    match start {
        Some(dir) => Target::Tests(vec![dir]),
        None => {
            let modules: Vec<String> = args
                .iter()
                .filter(|a| !a.starts_with('-') && *a != "discover")
                .filter_map(|m| join(cwd, &format!("{}.py", m.replace('.', "/"))))
                .collect();
            Target::Tests(if modules.is_empty() {
                vec![cwd.to_owned()]
            } else {
                modules
            })
        }
    }
}

/// The package.json script a package-manager command runs; None for installs and the like.
fn package_script(manager: &str, args: &[String]) -> Option<String> {
    let args: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let first = args.first().map(|a| a.as_str());
    match first {
        Some("run" | "run-script") => args.get(1).map(|s| s.to_string()),
        Some("test" | "t" | "tst") => Some("test".to_owned()),
        Some("start") => Some("start".to_owned()),
        Some(
            "install" | "i" | "ci" | "add" | "remove" | "audit" | "publish" | "pack" | "version"
            | "config" | "link" | "outdated" | "update" | "upgrade" | "why" | "info" | "init"
            | "create" | "set" | "cache" | "dedupe" | "prune" | "rebuild" | "login" | "whoami"
            | "workspace" | "workspaces" | "dlx" | "exec" | "import" | "licenses" | "bin",
        ) => None,
        Some(script) if manager != "npm" => Some(script.to_owned()),
        _ => None,
    }
}

/// One line per command: continuations joined, comments and heredoc bodies left out.
fn logical_lines(script: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut heredoc: Option<String> = None;
    for line in script.lines() {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('#') && current.is_empty() {
            continue;
        }
        if let Some(body) = trimmed.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        // An array or a subshell spread over lines: one command.
        if open_parentheses(&current) > 0 {
            current.push(' ');
            continue;
        }
        if let Some(at) = current.find("<<") {
            let marker: String = current[at + 2..]
                .trim_start_matches('-')
                .trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !marker.is_empty() {
                heredoc = Some(marker);
                // The command that reads the heredoc runs stdin: nothing of the project.
                current.truncate(at);
                current.push_str(" -");
            }
        }
        lines.push(std::mem::take(&mut current));
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// How many parentheses outside quotes are left open at the end of `text`.
fn open_parentheses(text: &str) -> isize {
    let mut quote: Option<char> = None;
    let mut open = 0isize;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => open += 1,
            (None, ')') => open -= 1,
            _ => {}
        }
    }
    open
}

/// A line split at `&&`, `||`, `;` and `|`, outside quotes and `$(...)`.
fn split_commands(line: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, '&' | '|' | ';') if depth == 0 => {
                if matches!(chars.peek(), Some('&') | Some('|')) {
                    chars.next();
                }
                commands.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    commands.push(current);
    commands
        .into_iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Shell words, quotes removed.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            (None, c) => current.push(c),
        }
    }
    if started || !current.is_empty() {
        words.push(current);
    }
    words
}

/// The rules and variables of a Makefile, as far as following a target needs.
struct Makefile {
    rules: Vec<MakeRule>,
    variables: Vec<(String, String)>,
    /// The default goal: the first rule's first target.
    first: Option<String>,
}

struct MakeRule {
    targets: Vec<String>,
    prerequisites: Vec<String>,
    recipe: Vec<String>,
}

impl Makefile {
    fn parse(text: &str, overrides: &[String]) -> Makefile {
        let mut rules: Vec<MakeRule> = Vec::new();
        let mut variables: Vec<(String, String)> = overrides
            .iter()
            .filter_map(|o| o.split_once('='))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let mut in_rule = false;
        for line in text.lines() {
            if let Some(recipe) = line.strip_prefix('\t') {
                if in_rule {
                    if let Some(rule) = rules.last_mut() {
                        let recipe = recipe.trim();
                        if !recipe.starts_with('#') && !recipe.is_empty() {
                            rule.recipe.push(recipe.to_owned());
                        }
                    }
                }
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            in_rule = false;
            if let Some((name, value)) = assignment(trimmed) {
                if !variables.iter().any(|(n, _)| *n == name) {
                    variables.push((name, value));
                }
                continue;
            }
            if let Some((targets, prerequisites)) = trimmed.split_once(':') {
                if targets.starts_with('.') || targets.contains('%') {
                    continue;
                }
                let prerequisites = prerequisites.split(';').next().unwrap_or("");
                rules.push(MakeRule {
                    targets: targets.split_whitespace().map(str::to_owned).collect(),
                    prerequisites: prerequisites
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect(),
                    recipe: Vec::new(),
                });
                in_rule = true;
            }
        }
        let first = rules.first().and_then(|r| r.targets.first().cloned());
        Makefile {
            rules,
            variables,
            first,
        }
    }

    /// `$(VAR)` and `${VAR}` replaced by the Makefile's values; unknown ones left as they are.
    fn expand(&self, line: &str) -> String {
        let mut out = line.to_owned();
        for (name, value) in &self.variables {
            out = out
                .replace(&format!("$({name})"), value)
                .replace(&format!("${{{name}}}"), value);
        }
        out.replace("$(MAKE)", "make").replace("${MAKE}", "make")
    }
}

/// `NAME = value`, `NAME ?= value`, `NAME := value`; not `target: VAR=value`.
fn assignment(line: &str) -> Option<(String, String)> {
    let at = line.find('=')?;
    let name = line[..at]
        .trim_end()
        .trim_end_matches(['?', ':', '+', '!'])
        .trim_end();
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| (name.to_owned(), line[at + 1..].trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)]) -> (tempfile::TempDir, Disk) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let disk = Disk {
            base: dir.path().to_path_buf(),
        };
        (dir, disk)
    }

    fn targets(script: &str, disk: &Disk) -> Vec<(Target, Vec<String>)> {
        launches(script, "", disk)
            .into_iter()
            .map(|l| (l.target, l.env))
            .collect()
    }

    #[test]
    fn shell_wrappers_and_entrypoint_scripts_run_what_they_are_given() {
        let (_dir, disk) = repo(&[
            ("tests/report.py", ""),
            ("main.py", ""),
            ("entrypoint.sh", "#!/bin/sh\nset -e\nexec \"$@\"\n"),
        ]);
        assert_eq!(
            targets(
                "/bin/sh -c \"pip install pytest && python -m pytest tests/report.py\"",
                &disk
            ),
            [(Target::Tests(vec!["tests/report.py".to_owned()]), vec![])]
        );
        assert_eq!(
            targets("./entrypoint.sh uvicorn main:app", &disk),
            [(Target::Code(vec!["main.py".to_owned()]), vec![])]
        );
    }

    #[test]
    fn tools_one_liners_and_heredocs_start_nothing() {
        let (_dir, disk) = repo(&[("app.py", "")]);
        for script in [
            "pip install -r requirements.txt",
            "uv python install 3.11",
            "uv run mypy --platform win32 src",
            "python -c 'import app'",
            "python - <<'PY'\nimport app\nPY",
            "echo \"v=$(node -p \"require('./package.json').version\")\" >> $GITHUB_OUTPUT",
            "node -e 'console.log(1)'",
            "npx prettier --check .",
            "ruff check . && black --check .",
            "npm ci",
            "python -m pip install ruff",
        ] {
            assert_eq!(targets(script, &disk), [], "{script}");
        }
    }

    #[test]
    fn programs_resolve_to_their_files() {
        let (_dir, disk) = repo(&[
            ("app.py", ""),
            ("src/pkg/main.py", ""),
            ("api/server.py", ""),
            ("web/index.js", ""),
            ("web/pages/index.tsx", ""),
        ]);
        let code = |p: &str| Target::Code(vec![p.to_owned()]);
        assert_eq!(targets("python app.py", &disk), [(code("app.py"), vec![])]);
        assert_eq!(
            targets("uv run --locked python -m pkg.main", &disk),
            [(code("src/pkg/main.py"), vec![])]
        );
        assert_eq!(
            targets("cd api && uvicorn server:app --host 0.0.0.0:8000", &disk),
            [(code("api/server.py"), vec![])]
        );
        assert_eq!(
            targets("OPENAI_API_KEY=x node web/index.js", &disk),
            [(code("web/index.js"), vec!["OPENAI_API_KEY".to_owned()])]
        );
        assert_eq!(
            targets("python missing.py", &disk),
            [(Target::Unresolved, vec![])]
        );
        assert_eq!(
            targets("nodemon web/index.js", &disk),
            [(code("web/index.js"), vec![])]
        );
        assert_eq!(
            targets("cd web && next start -p 3000", &disk),
            [(Target::Tree(vec!["web/pages".to_owned()]), vec![])]
        );
    }

    #[test]
    fn package_scripts_makefiles_and_shell_scripts_are_followed() {
        let (_dir, disk) = repo(&[
            (
                "package.json",
                r#"{"scripts": {"test:ci": "node --no-warnings $(yarn bin jest) --ci", "build": "next build"}}"#,
            ),
            (
                "Makefile",
                ".PHONY: test\nTEST_FILE ?= tests/unit/\n\ntest: deps\n\t# comment\n\tYDC_API_KEY=placeholder OPENAI_API_KEY=placeholder poetry run pytest $(TEST_FILE)\n\ndeps:\n\tpoetry install\n",
            ),
            ("scripts/test", "#!/bin/sh\nset -e\nuv run pytest \"$@\"\n"),
            (
                "scripts/check",
                "#!/bin/sh\nPATHS=(\n  tests/test_client.py\n)\nfor P in \"${PATHS[@]}\"; do\n  git checkout \"$1\" -- \"$P\"\ndone\n",
            ),
            ("tests/test_client.py", ""),
        ]);
        assert_eq!(
            targets("yarn test:ci", &disk),
            [(Target::Tests(vec![String::new()]), vec![])]
        );
        assert_eq!(targets("yarn build", &disk), []);
        assert_eq!(
            targets("make test", &disk),
            [(
                Target::Tests(vec!["tests/unit".to_owned()]),
                vec!["YDC_API_KEY".to_owned(), "OPENAI_API_KEY".to_owned()]
            )]
        );
        assert_eq!(
            targets("./scripts/test", &disk),
            [(Target::Tests(vec![String::new()]), vec![])]
        );
        assert_eq!(targets("./scripts/check main", &disk), []);
    }

    #[test]
    fn test_runners_collect_from_their_arguments() {
        let (_dir, disk) = repo(&[]);
        assert_eq!(
            targets(
                "uv run --frozen pytest -q --junitxml=pytest.xml ./tests/unit -m 'not slow'",
                &disk
            ),
            [(Target::Tests(vec!["tests/unit".to_owned()]), vec![])]
        );
        assert_eq!(
            targets(
                "python3 -m unittest discover -s scripts/castiron -p 'test_*.py'",
                &disk
            ),
            [(Target::Tests(vec!["scripts/castiron".to_owned()]), vec![])]
        );
        assert_eq!(
            targets("go test ./...", &disk),
            [(Target::Tests(vec![String::new()]), vec![])]
        );
    }
}
