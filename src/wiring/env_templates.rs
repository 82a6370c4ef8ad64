//! Env files made at setup: a compose `env_file` that is missing because git ignores it, with a
//! committed template beside it (`.env.example` for `.env`, `config_template.yaml` for
//! `config.yaml`). Users create it from the template, and compose stops with a clear error when
//! they have not, so KL304 does not report it and the wiring lets it provide anything.

use std::path::{Path, PathBuf};

use crate::git_status::{repository_root, IgnoreOracle};

/// The words that name a template.
const TEMPLATE_WORDS: &[&str] = &["example", "sample", "template", "tmpl", "dist"];

/// The template beside a missing env file that git ignores, when there is one: its file name.
/// Git's rules are read from the file's directory up to the repository root (the first
/// ancestor holding `.git`), else up to `scan_top`.
pub fn setup_template(env_file: &Path, scan_top: Option<&Path>) -> Option<String> {
    let name = env_file.file_name()?.to_str()?;
    let dir = env_file.parent()?;
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = dir.canonicalize().ok()?;
    let template = template_names(name)
        .into_iter()
        .find(|candidate| crate::snapshot::is_file(&dir.join(candidate)))?;
    let file = dir.join(name);
    let top: Option<PathBuf> =
        repository_root(&file).or_else(|| scan_top.and_then(|top| top.canonicalize().ok()));
    IgnoreOracle::default()
        .is_ignored(&file, ".gitignore", top.as_deref())
        .then_some(template)
}

/// The names a template of the file `name` may have, in the order they are looked for:
/// `NAME.example`; for a name with an extension, `STEM.example.EXT`, `STEM_example.EXT` and
/// `STEM-example.EXT`; for a dotfile, `NAME.example` without the dot (`env.example`); each with
/// every word of `TEMPLATE_WORDS`.
fn template_names(name: &str) -> Vec<String> {
    let mut names: Vec<String> = TEMPLATE_WORDS
        .iter()
        .map(|word| format!("{name}.{word}"))
        .collect();
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => {
            for word in TEMPLATE_WORDS {
                for separator in ['.', '_', '-'] {
                    names.push(format!("{stem}{separator}{word}.{extension}"));
                }
            }
        }
        _ => {}
    }
    if let Some(bare) = name.strip_prefix('.').filter(|bare| !bare.is_empty()) {
        names.extend(TEMPLATE_WORDS.iter().map(|word| format!("{bare}.{word}")));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_of_dotfiles_and_files_with_an_extension() {
        let env = template_names(".env");
        for name in [".env.example", ".env.sample", ".env.template", ".env.dist"] {
            assert!(env.contains(&name.to_owned()), "{name}");
        }
        assert!(env.contains(&"env.example".to_owned()));
        assert!(template_names(".env.local").contains(&".env.local.example".to_owned()));
        let config = template_names("config.yaml");
        for name in [
            "config_template.yaml",
            "config.example.yaml",
            "config.yaml.example",
            "config-sample.yaml",
        ] {
            assert!(config.contains(&name.to_owned()), "{name}");
        }
        assert!(!config.contains(&"config.yaml".to_owned()));
        assert!(!env.contains(&".env".to_owned()));
    }

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn an_ignored_file_with_a_template_is_made_at_setup() {
        let dir = tree(&[(".gitignore", ".env\n"), (".env.example", "A=\n")]);
        let template = setup_template(&dir.path().join(".env"), None);
        assert_eq!(template.as_deref(), Some(".env.example"));
    }

    #[test]
    fn rules_are_read_from_the_file_s_directory_up_to_the_repository_root() {
        let dir = tree(&[
            (".gitignore", "config.yaml\n"),
            ("app/config_template.yaml", "A: 1\n"),
            ("web/.gitignore", ".env*\n"),
            ("web/.env.sample", "A=\n"),
        ]);
        let root = dir.path();
        assert!(setup_template(&root.join("app/config.yaml"), None).is_some());
        assert!(setup_template(&root.join("web/.env"), None).is_some());
        assert!(setup_template(&root.join("app/.env"), None).is_none());
    }

    #[test]
    fn a_file_git_does_not_ignore_or_without_a_template_is_a_wrong_path() {
        let dir = tree(&[
            (".gitignore", ".env\n!prod/.env\n"),
            (".env.production.example", "A=\n"),
            ("prod/.env.example", "A=\n"),
            ("bare/.keep", ""),
        ]);
        let root = dir.path();
        assert!(setup_template(&root.join(".env.production"), None).is_none());
        assert!(setup_template(&root.join("prod/.env"), None).is_none());
        assert!(setup_template(&root.join("bare/.env"), None).is_none());
        assert!(setup_template(&root.join("gone/.env"), None).is_none());
    }

    #[test]
    fn without_a_repository_the_rules_stop_at_the_scan_s_top() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("scan");
        std::fs::create_dir_all(&top).unwrap();
        std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
        std::fs::write(top.join(".env.example"), "A=\n").unwrap();
        assert!(setup_template(&top.join(".env"), Some(&top)).is_none());
        std::fs::write(top.join(".gitignore"), ".env\n").unwrap();
        assert!(setup_template(&top.join(".env"), Some(&top)).is_some());
    }
}
