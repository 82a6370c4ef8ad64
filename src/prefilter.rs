//! One pass of aho-corasick over a file's bytes decides which rules can fire on it.

use aho_corasick::{AhoCorasick, Input, MatchKind};

use crate::providers::catalog;

/// The literals of every rule, each tied to what it is evidence of.
pub struct Prefilter {
    automaton: AhoCorasick,
    /// For each pattern, the index of the provider it belongs to.
    owners: Vec<usize>,
    provider_count: usize,
}

/// What the prefilter saw in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    pub providers: Vec<bool>,
}

impl Hits {
    pub fn any(&self) -> bool {
        self.providers.iter().any(|&hit| hit)
    }
}

impl Prefilter {
    pub fn new() -> Self {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (index, provider) in catalog().iter().enumerate() {
            for literal in &provider.prefilter {
                patterns.push(literal.as_str());
                owners.push(index);
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
        let mut providers = vec![false; self.provider_count];
        let mut remaining = self.provider_count;
        let mut from = 0;
        while let Some(found) = self.automaton.find(Input::new(bytes).range(from..)) {
            let owner = self.owners[found.pattern().as_usize()];
            if !providers[owner] {
                providers[owner] = true;
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            from = found.start() + 1;
        }
        Hits { providers }
    }
}

impl Default for Prefilter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_markers_and_nothing_else() {
        let prefilter = Prefilter::new();
        assert!(!prefilter.scan(b"def main():\n    return 1\n").any());
        let hits = prefilter.scan(b"key = 'sk-ant-api03-...'");
        let anthropic = catalog().iter().position(|p| p.id == "anthropic").unwrap();
        assert!(hits.providers[anthropic]);
        assert_eq!(hits.providers.iter().filter(|&&h| h).count(), 1);
    }
}
