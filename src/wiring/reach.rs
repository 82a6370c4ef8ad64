//! The code a launch really runs: from its entry files, every file of the repository they
//! import, transitively (Python packages and relative imports, src layouts; JavaScript and
//! TypeScript relative imports and the `@/` alias; Go packages of the module). A test run
//! starts from the test files its runner collects, with their `conftest.py` and setup files.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

// A fast hash: paths are hashed for every file of every launch traced (the order of these
// maps is never output).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::entry::{Disk, Target};
use super::units::{dir_of, join, under};
use super::{Consumer, Summary};
use crate::file_kind::FileKind;
use crate::file_role::test_path;

/// At most this many files are followed from one launch.
const MAX_REACHED: usize = 50_000;

/// The followed source files of the scan, by path.
pub struct CodeIndex<'a> {
    by_path: HashMap<&'a str, &'a Summary>,
    /// Go files by directory.
    go_dirs: HashMap<&'a str, Vec<&'a Summary>>,
    /// Where each name can start an absolute Python import: the directories that hold a
    /// directory of followed code or a `.py` file of that name. An import whose first part
    /// is none of them is of another package.
    python_parents: HashMap<&'a str, Vec<&'a str>>,
    /// Rust files that need a key (a crate is run whole).
    rust: Vec<&'a Summary>,
    /// All followed files, sorted by path (the summaries' order).
    files: Vec<&'a Summary>,
    /// What each file imports, resolved once.
    edges: RefCell<HashMap<&'a str, Rc<Vec<&'a Summary>>>>,
    /// What each target runs, traced once (many CI steps run the same tests).
    traced: RefCell<HashMap<Target, Option<Rc<Reached<'a>>>>>,
    /// go.mod of each directory: (module root, module path).
    go_modules: RefCell<HashMap<String, Option<(String, String)>>>,
}

/// What a launch runs.
#[derive(Clone)]
pub struct Reached<'a> {
    /// Every file reached, in path order.
    pub files: Vec<&'a Summary>,
    /// Files whose every read runs: the program's own code, or a test run's tests and setup.
    /// The other files of a test run are only imported: their top-level reads run.
    pub whole: HashSet<&'a str>,
}

impl<'a> Reached<'a> {
    /// Whether the launch runs a read in `file`: all of a file it runs, only the top level of
    /// one its tests import.
    pub fn runs(&self, file: &Summary, consumer: &Consumer) -> bool {
        consumer.top_level || self.whole.contains(file.path.as_str())
    }

    /// What several launches run together.
    pub fn merge(all: &[Rc<Reached<'a>>]) -> Reached<'a> {
        let mut files: Vec<&Summary> = Vec::new();
        let mut whole = HashSet::new();
        for reached in all {
            files.extend(reached.files.iter().copied());
            whole.extend(reached.whole.iter().copied());
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Reached { files, whole }
    }
}

impl<'a> CodeIndex<'a> {
    pub fn new(summaries: &'a [Summary]) -> Self {
        let files: Vec<&Summary> = summaries
            .iter()
            .filter(|s| super::followed_code(s.kind))
            .collect();
        let mut go_dirs: HashMap<&str, Vec<&Summary>> = HashMap::new();
        for file in files.iter().filter(|s| s.kind == FileKind::Go) {
            go_dirs.entry(dir_of(&file.path)).or_default().push(file);
        }
        // Every directory that holds followed code, at any depth.
        let mut dirs: HashSet<&str> = HashSet::new();
        for file in &files {
            let mut dir = dir_of(&file.path);
            while dirs.insert(dir) && !dir.is_empty() {
                dir = dir_of(dir);
            }
        }
        let mut python_parents: HashMap<&str, Vec<&str>> = HashMap::new();
        let modules = files
            .iter()
            .filter_map(|s| s.path.strip_suffix(".py"))
            .chain(dirs.iter().copied().filter(|d| !d.is_empty()));
        for module in modules {
            let parent = dir_of(module);
            let name = module.rsplit('/').next().unwrap_or(module);
            python_parents.entry(name).or_default().push(parent);
        }
        CodeIndex {
            python_parents,
            rust: summaries
                .iter()
                .filter(|s| s.kind == FileKind::Rust)
                .collect(),
            by_path: files.iter().map(|s| (s.path.as_str(), *s)).collect(),
            go_dirs,
            files,
            edges: RefCell::default(),
            traced: RefCell::default(),
            go_modules: RefCell::default(),
        }
    }

    pub fn get(&self, path: &str) -> Option<&'a Summary> {
        self.by_path.get(path).copied()
    }

    /// The code a target runs; None when it cannot be told (an unresolved entry).
    pub fn reach(&self, target: &Target, disk: &Disk) -> Option<Rc<Reached<'a>>> {
        if let Some(known) = self.traced.borrow().get(target) {
            return known.clone();
        }
        let reached = self.trace(target, disk).map(Rc::new);
        self.traced
            .borrow_mut()
            .insert(target.clone(), reached.clone());
        reached
    }

    fn trace(&self, target: &Target, disk: &Disk) -> Option<Reached<'a>> {
        let (starts, tests) = match target {
            Target::Code(files) => {
                let starts: Vec<&Summary> = files.iter().filter_map(|f| self.get(f)).collect();
                if let Some(crate_root) = files.iter().find_map(|f| {
                    f.strip_suffix("/src/main.rs")
                        .or(f.strip_suffix("src/main.rs"))
                }) {
                    // A Rust binary runs its crate.
                    let crate_files: Vec<&Summary> = self
                        .rust
                        .iter()
                        .filter(|s| under(&join(crate_root, "src").unwrap_or_default(), &s.path))
                        .copied()
                        .collect();
                    return Some(Reached {
                        whole: crate_files.iter().map(|s| s.path.as_str()).collect(),
                        files: crate_files,
                    });
                }
                if starts.is_empty() {
                    // An entry that is not followed code (a shell script, a binary): what it
                    // runs cannot be told.
                    return None;
                }
                (starts, false)
            }
            Target::Tests(paths) => (self.collect_tests(paths), true),
            Target::Tree(dirs) => (
                self.files
                    .iter()
                    .filter(|s| dirs.iter().any(|d| under(d, &s.path)) && !test_path(&s.path))
                    .copied()
                    .collect(),
                false,
            ),
            Target::Unresolved => return None,
        };
        let mut whole: HashSet<&str> = starts.iter().map(|s| s.path.as_str()).collect();
        let mut seen: HashSet<&str> = whole.clone();
        let mut queue: VecDeque<&Summary> = starts.into_iter().collect();
        let mut files = Vec::new();
        while let Some(file) = queue.pop_front() {
            files.push(file);
            if files.len() >= MAX_REACHED {
                break;
            }
            for next in self.imported(file, disk).iter() {
                if seen.insert(next.path.as_str()) {
                    queue.push_back(next);
                }
            }
        }
        if !tests {
            whole = files.iter().map(|s| s.path.as_str()).collect();
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Some(Reached { files, whole })
    }

    /// The test files under `paths` (directories or files), with the `conftest.py` files above
    /// them and the runner's setup files.
    fn collect_tests(&self, paths: &[String]) -> Vec<&'a Summary> {
        let mut found: Vec<&Summary> = Vec::new();
        for path in paths {
            if let Some(file) = self.get(path) {
                found.push(file);
                continue;
            }
            found.extend(
                self.files.iter().filter(|s| {
                    under(path, &s.path) && (test_path(&s.path) || setup_file(&s.path))
                }),
            );
            // conftest.py of the directories above.
            let mut dir = path.as_str();
            loop {
                if let Some(conftest) = join(dir, "conftest.py").and_then(|p| self.get(&p)) {
                    found.push(conftest);
                }
                if dir.is_empty() {
                    break;
                }
                dir = dir_of(dir);
            }
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        found.dedup_by(|a, b| a.path == b.path);
        found
    }

    /// The repository files a file imports, resolved once per file.
    fn imported(&self, file: &'a Summary, disk: &Disk) -> Rc<Vec<&'a Summary>> {
        if let Some(known) = self.edges.borrow().get(file.path.as_str()) {
            return Rc::clone(known);
        }
        let resolved = Rc::new(self.resolve_imports(file, disk));
        self.edges
            .borrow_mut()
            .insert(file.path.as_str(), Rc::clone(&resolved));
        resolved
    }

    fn resolve_imports(&self, file: &'a Summary, disk: &Disk) -> Vec<&'a Summary> {
        let mut found = Vec::new();
        let bases = if file.kind == FileKind::Python {
            python_bases(&file.path)
        } else {
            Vec::new()
        };
        for spec in &file.imports {
            match file.kind {
                FileKind::Python => self.python(&file.path, spec, &bases, &mut found),
                FileKind::JavaScript | FileKind::TypeScript => {
                    if let Some(target) = self.javascript(&file.path, spec, disk) {
                        found.push(target);
                    }
                }
                FileKind::Go => self.go(&file.path, spec, disk, &mut found),
                _ => {}
            }
        }
        if file.kind == FileKind::Go {
            // The other files of its package are compiled with it.
            found.extend(self.go_dirs.get(dir_of(&file.path)).into_iter().flatten());
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        found.dedup_by(|a, b| a.path == b.path);
        found
    }

    fn python(&self, from: &str, spec: &str, bases: &[String], found: &mut Vec<&'a Summary>) {
        let dots = spec.chars().take_while(|c| *c == '.').count();
        let module = &spec[dots..];
        let parts: Vec<&str> = module.split('.').filter(|p| !p.is_empty()).collect();
        let relative_base;
        let bases: &[String] = if dots > 0 {
            let mut dir = dir_of(from);
            for _ in 1..dots {
                dir = dir_of(dir);
            }
            relative_base = [dir.to_owned()];
            &relative_base
        } else {
            bases
        };
        // Most imports are of other packages: the directories where the first part names a
        // package or module rule them out, and rule most bases out.
        let parents = parts.first().map(|first| {
            self.python_parents
                .get(first)
                .map_or(&[][..], Vec::as_slice)
        });
        if parents.is_some_and(<[_]>::is_empty) {
            return;
        }
        for base in bases {
            if parents.is_some_and(|parents| !parents.contains(&base.as_str())) {
                continue;
            }
            let mut hit = false;
            // The packages on the way run their `__init__.py`.
            let mut package = base.clone();
            for end in 0..=parts.len() {
                if end > 0 {
                    package = child(&package, parts[end - 1]);
                }
                if let Some(file) = self.get(&child(&package, "__init__.py")) {
                    found.push(file);
                    hit |= end == parts.len();
                }
            }
            if !parts.is_empty() {
                if let Some(file) = self.get(&format!("{package}.py")) {
                    found.push(file);
                    hit = true;
                }
            }
            if hit {
                return;
            }
        }
    }

    fn javascript(&self, from: &str, spec: &str, disk: &Disk) -> Option<&'a Summary> {
        let base = if spec.starts_with('.') {
            join(dir_of(from), spec)?
        } else if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
            // The common `paths` alias: the package's root, or its `src/`.
            let root = package_root(from, disk);
            return [join(&root, rest), join(&root, &format!("src/{rest}"))]
                .into_iter()
                .flatten()
                .find_map(|base| self.js_file(&base));
        } else {
            return None;
        };
        self.js_file(&base)
    }

    fn js_file(&self, base: &str) -> Option<&'a Summary> {
        const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];
        if let Some(file) = self.get(base) {
            return Some(file);
        }
        // `./util.js` written for `./util.ts`.
        let stem = base
            .strip_suffix(".js")
            .or_else(|| base.strip_suffix(".mjs"))
            .unwrap_or(base);
        EXTENSIONS
            .iter()
            .map(|ext| format!("{stem}.{ext}"))
            .chain(EXTENSIONS.iter().map(|ext| format!("{base}/index.{ext}")))
            .find_map(|candidate| self.get(&candidate))
    }

    fn go(&self, from: &str, spec: &str, disk: &Disk, found: &mut Vec<&'a Summary>) {
        let dir = dir_of(from);
        let known = self.go_modules.borrow().get(dir).cloned();
        let module = known.unwrap_or_else(|| {
            let module = go_module(from, disk);
            self.go_modules
                .borrow_mut()
                .insert(dir.to_owned(), module.clone());
            module
        });
        let Some((root, module)) = module else {
            return;
        };
        let Some(rest) = spec.strip_prefix(&module) else {
            return;
        };
        let dir = join(&root, rest.trim_start_matches('/')).unwrap_or_default();
        found.extend(
            self.go_dirs
                .get(dir.as_str())
                .into_iter()
                .flatten()
                .filter(|s| !s.path.ends_with("_test.go")),
        );
    }
}

/// Where absolute Python imports of a file are found: its directory and every one above it,
/// each with its `src/`.
fn python_bases(path: &str) -> Vec<String> {
    let mut bases = Vec::new();
    let mut dir = dir_of(path);
    loop {
        bases.push(dir.to_owned());
        bases.push(child(dir, "src"));
        if dir.is_empty() {
            return bases;
        }
        dir = dir_of(dir);
    }
}

/// `dir/name` ("name" at the top).
fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Jest and vitest setup files, which set the environment of every test.
fn setup_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    [
        "jest.setup.",
        "vitest.setup.",
        "setupTests.",
        "jest-setup.",
        "test-setup.",
    ]
    .iter()
    .any(|prefix| file.starts_with(prefix))
}

/// The nearest directory above `from` holding a package.json ("" when none).
fn package_root(from: &str, disk: &Disk) -> String {
    let mut dir = dir_of(from);
    loop {
        if join(dir, "package.json").is_some_and(|p| disk.is_file(&p)) || dir.is_empty() {
            return dir.to_owned();
        }
        dir = dir_of(dir);
    }
}

/// The nearest go.mod above `from`: its directory and module path.
fn go_module(from: &str, disk: &Disk) -> Option<(String, String)> {
    let mut dir = dir_of(from);
    loop {
        if let Some(text) = join(dir, "go.mod").and_then(|p| disk.read(&p)) {
            let module = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))?
                .trim()
                .to_owned();
            return Some((dir.to_owned(), module));
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir_of(dir);
    }
}
