//! One pass of aho-corasick over a file's bytes decides which rules can fire on it.

use aho_corasick::{AhoCorasick, Input, MatchKind};

use crate::providers::catalog;

/// The literals of every rule, each tied to what it is evidence of.
pub struct Prefilter {
    automaton: AhoCorasick,
    /// For each pattern, the index of the provider it belongs to, or `CONFIG_OWNER`.
    owners: Vec<usize>,
    provider_count: usize,
}

/// Owner of key variable names (the catalog's and the user's).
const KEY_VAR_OWNER: usize = usize::MAX;
/// The suffix most key variable names share (`OPENAI_API_KEY`, `GROQ_API_KEY`, ...).
const COMMON_KEY_SUFFIX: &str = "_API_KEY";

/// Owner of Kubernetes Secret and ConfigMap literals.
const KUBE_OWNER: usize = usize::MAX - 2;
/// Owner of the literals that make a source file worth parsing.
const CODE_OWNER: usize = usize::MAX - 1;
/// Owner of the literals of API key names in code.
const KEY_NAME_OWNER: usize = usize::MAX - 3;

/// Literals that put a source file in an AI provider's context, where the source-code rules
/// judge headers and requests (besides key variable names and key markers).
const CODE_LITERALS: &[&str] = &[
    "openai",
    "OpenAI",
    "OPENAI",
    "Anthropic",
    "anthropic",
    "ANTHROPIC",
    "azure.com",
    "Groq",
];

/// API key names in code (`api_key`, `openai_api_key`, `apiKey`, `ApiKey`, `APIKey`, `apikey`,
/// `API_KEY`), without their first letter: the SIMD searcher keys on rarer bytes than `api`.
const KEY_NAME_LITERALS: &[&str] = &["pi_key", "piKey", "PIKey", "pikey", "PI_KEY"];

/// Literals that make a configuration file worth modelling besides key variable names:
/// Kubernetes Secrets and kustomize secret generators hold base64 or arbitrary names, and a
/// compose `env_file` brings keys from another file, and a CI job (`runs-on`) may run code that
/// needs them.
/// (Literals start with rare bytes where they can: the SIMD searcher keys on the first three,
/// and `env`/`run`/`Con` start too many words in code.)
const KUBE_LITERALS: &[&str] = &["Secret", "secretGenerator", "nfigMap", "nv_file", "ns-on:"];

/// What the prefilter saw in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    pub providers: Vec<bool>,
    /// A key variable name occurs.
    pub key_var: bool,
    /// A Kubernetes Secret or ConfigMap may be defined, or compose loads an `env_file`.
    pub kube: bool,
    /// An AI provider is named: source-code rules may fire.
    pub code: bool,
    /// An API key is named in code (`api_key`, `apiKey`): the rules that follow a key by its
    /// name may fire.
    pub key_name: bool,
}

impl Hits {
    pub fn any(&self) -> bool {
        self.key_var
            || self.kube
            || self.code
            || self.key_name
            || self.providers.iter().any(|&hit| hit)
    }

    /// Configuration rules may fire: a key variable or a Secret/ConfigMap is named.
    pub fn config(&self) -> bool {
        self.key_var || self.kube
    }

    /// Source-code rules may fire: the file names an AI provider's API or SDK, or a key
    /// variable.
    pub fn code_context(&self) -> bool {
        self.code || self.key_var
    }

    /// The rules that follow a key by its name in code (KL108, KL404) may fire: besides the
    /// code context, a file that names an API key without naming a provider.
    pub fn key_names(&self) -> bool {
        self.code_context() || self.key_name
    }
}

impl Prefilter {
    /// `key_vars`: variable names the user declared as holding keys.
    pub fn new(key_vars: &[String]) -> Self {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (index, provider) in catalog().iter().enumerate() {
            for literal in &provider.prefilter {
                patterns.push(literal.as_str());
                owners.push(index);
            }
        }
        // Key variable names, most of them covered by their common `_API_KEY`: fewer literals
        // keep the SIMD searcher (at most 64 patterns) in use. The rules match names exactly.
        let env_names = catalog()
            .iter()
            .flat_map(|p| p.env.iter().map(String::as_str))
            .chain(key_vars.iter().map(String::as_str));
        let mut key_literals = vec![COMMON_KEY_SUFFIX];
        key_literals.extend(env_names.filter(|name| !name.contains(COMMON_KEY_SUFFIX)));
        key_literals.sort_unstable();
        key_literals.dedup();
        for literal in key_literals {
            patterns.push(literal);
            owners.push(KEY_VAR_OWNER);
        }
        for (literals, owner) in [
            (KUBE_LITERALS, KUBE_OWNER),
            (CODE_LITERALS, CODE_OWNER),
            (KEY_NAME_LITERALS, KEY_NAME_OWNER),
        ] {
            for literal in literals {
                patterns.push(literal);
                owners.push(owner);
            }
        }
        // Leftmost semantics let aho-corasick use its SIMD (Teddy) searcher.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&patterns)
            .expect("prefilter literals are valid");
        Prefilter {
            automaton,
            owners,
            provider_count: catalog().len(),
        }
    }

    /// Every owner whose literals occur in `bytes`.
    pub fn scan(&self, bytes: &[u8]) -> Hits {
        let mut hits = Hits {
            providers: vec![false; self.provider_count],
            key_var: false,
            kube: false,
            code: false,
            key_name: false,
        };
        let mut remaining = self.provider_count + 4;
        let mut from = 0;
        while let Some(found) = self.automaton.find(Input::new(bytes).range(from..)) {
            let owner = self.owners[found.pattern().as_usize()];
            let seen = match owner {
                KEY_VAR_OWNER => &mut hits.key_var,
                KUBE_OWNER => &mut hits.kube,
                CODE_OWNER => &mut hits.code,
                KEY_NAME_OWNER => &mut hits.key_name,
                provider => &mut hits.providers[provider],
            };
            if !*seen {
                *seen = true;
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            from = found.start() + 1;
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_the_simd_searchers_pattern_limit() {
        let prefilter = Prefilter::new(&[]);
        assert!(
            prefilter.owners.len() <= 64,
            "{} literals",
            prefilter.owners.len()
        );
    }

    #[test]
    fn sees_markers_and_nothing_else() {
        let prefilter = Prefilter::new(&["MY_LLM_KEY".to_owned()]);
        assert!(!prefilter.scan(b"def main():\n    return 1\n").any());
        assert!(prefilter.scan(b"MY_LLM_KEY=1").key_var);
        assert!(prefilter.scan(b"OPENAI_API_KEY=").config());
        assert!(!prefilter.scan(b"kind: Secret").code_context());
        let named = prefilter.scan(b"console.log(response.data['api_key'])");
        assert!(named.key_names() && !named.code_context());
        assert!(prefilter.scan(b"const apiKey = x").key_name);
        let hits = prefilter.scan(b"key = 'sk-ant-api03-...'");
        let anthropic = catalog().iter().position(|p| p.id == "anthropic").unwrap();
        assert!(hits.providers[anthropic]);
        assert_eq!(hits.providers.iter().filter(|&&h| h).count(), 1);
    }
}
