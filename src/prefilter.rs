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

/// Owner of the literals that make a configuration file worth modelling.
const CONFIG_OWNER: usize = usize::MAX;
/// Owner of the literals that make a source file worth parsing.
const CODE_OWNER: usize = usize::MAX - 1;

/// Literals of the source-code rules: headers, schemes, SDKs, dotenv.
const CODE_LITERALS: &[&str] = &[
    "Authorization",
    "authorization",
    "AUTHORIZATION",
    "Authorisation",
    "Authorizaton",
    "Bearer",
    "bearer_auth",
    "api-key",
    "Api-Key",
    "API-Key",
    "X-API-Key",
    "x-api-key",
    "OpenAI",
    "openai",
    "OPENAI",
    "Anthropic",
    "anthropic",
    "dotenv",
    "api.openai.com",
];

/// Literals that make a configuration file worth modelling besides key variable names:
/// Kubernetes Secrets and kustomize secret generators hold base64 or arbitrary names.
const CONFIG_LITERALS: &[&str] = &[
    "Secret",
    "secretGenerator",
    "ConfigMap",
    "configMapGenerator",
];

/// What the prefilter saw in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    pub providers: Vec<bool>,
    /// A key variable name (or a Secret) occurs: configuration rules may fire.
    pub config: bool,
    /// A header, scheme, SDK or dotenv literal occurs: source-code rules may fire.
    pub code: bool,
}

impl Hits {
    pub fn any(&self) -> bool {
        self.config || self.code || self.providers.iter().any(|&hit| hit)
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
        let env_names = catalog()
            .iter()
            .flat_map(|p| p.env.iter().map(String::as_str));
        for literal in env_names
            .chain(key_vars.iter().map(String::as_str))
            .chain(CONFIG_LITERALS.iter().copied())
        {
            patterns.push(literal);
            owners.push(CONFIG_OWNER);
        }
        for literal in CODE_LITERALS {
            patterns.push(literal);
            owners.push(CODE_OWNER);
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
            config: false,
            code: false,
        };
        let mut remaining = self.provider_count + 2;
        let mut from = 0;
        while let Some(found) = self.automaton.find(Input::new(bytes).range(from..)) {
            let owner = self.owners[found.pattern().as_usize()];
            let seen = match owner {
                CONFIG_OWNER => &mut hits.config,
                CODE_OWNER => &mut hits.code,
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
    fn sees_markers_and_nothing_else() {
        let prefilter = Prefilter::new(&["MY_LLM_KEY".to_owned()]);
        assert!(!prefilter.scan(b"def main():\n    return 1\n").any());
        assert!(prefilter.scan(b"MY_LLM_KEY=1").config);
        assert!(prefilter.scan(b"OPENAI_API_KEY=").config);
        let hits = prefilter.scan(b"key = 'sk-ant-api03-...'");
        let anthropic = catalog().iter().position(|p| p.id == "anthropic").unwrap();
        assert!(hits.providers[anthropic]);
        assert_eq!(hits.providers.iter().filter(|&&h| h).count(), 1);
    }
}
