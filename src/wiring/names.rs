//! When two names are one mistake apart: variable names (KL302) and object names (KL305).

/// Object names that differ only by case and separators, or by an edit distance of at most 2.
pub fn one_typo_apart(a: &str, b: &str) -> bool {
    a != b && (squash(a) == squash(b) || edit_distance(a, b) <= 2)
}

/// Whether `provided` is a likely misspelling or alias of the variable `wanted`: one typo
/// apart (for names of 8 characters or more, so `API_KEY` and `APP_KEY` are not confused), or
/// a known alias of the same key: `OPENAI_KEY`, `OPENAI_TOKEN`, `OPENAI_API_TOKEN`,
/// `OPENAI_APIKEY`, `OPEN_AI_API_KEY` for `OPENAI_API_KEY`.
pub fn close_variable(wanted: &str, provided: &str) -> bool {
    if wanted == provided {
        return false;
    }
    if alias_of(wanted, provided) {
        return true;
    }
    let (wanted_up, provided_up) = (wanted.to_ascii_uppercase(), provided.to_ascii_uppercase());
    // A typo; in a short vendor name two letters make another vendor: HF_TOKEN is not
    // GH_TOKEN, CO_API_KEY is not DD_API_KEY, while OPENIA_ is a typo of OPENAI_.
    let vendor = |name: &str| name.split('_').next().unwrap_or("").to_owned();
    let (wanted_vendor, provided_vendor) = (vendor(&wanted_up), vendor(&provided_up));
    let same_vendor = wanted_vendor == provided_vendor
        || (wanted_vendor.len() >= 5 && provided_vendor.len() >= 5);
    wanted.len() >= 8 && same_vendor && edit_distance(&wanted_up, &provided_up) <= 2
}

/// Whether `provided` is another name of the variable `wanted`, not a typo: the same name in
/// other case or separators (`OPEN_AI_API_KEY`, `openai_api_key`), or the same stem with
/// another key suffix: `OPENAI_KEY`, `OPENAI_TOKEN`, `OPENAI_API_TOKEN`, `OPENAI_APIKEY`,
/// `OPENAI_SECRET`, `OPENAI_API_SECRET` for `OPENAI_API_KEY`.
pub fn alias_of(wanted: &str, provided: &str) -> bool {
    if wanted == provided {
        return false;
    }
    let provided = squash(provided);
    squash(wanted) == provided || suffix_aliases(wanted).iter().any(|a| squash(a) == provided)
}

/// The names of the variable `wanted` with its key suffix swapped for another:
/// `OPENAI_TOKEN`, `OPENAI_APIKEY`, ... for `OPENAI_API_KEY`; none for a name without a key
/// suffix.
pub fn suffix_aliases(wanted: &str) -> Vec<String> {
    let wanted = wanted.to_ascii_uppercase();
    let Some(stem) = wanted
        .strip_suffix("_API_KEY")
        .or_else(|| wanted.strip_suffix("_KEY"))
    else {
        return Vec::new();
    };
    [
        "_KEY",
        "_TOKEN",
        "_API_TOKEN",
        "_APIKEY",
        "_API_KEY",
        "_SECRET",
        "_API_SECRET",
    ]
    .iter()
    .map(|suffix| format!("{stem}{suffix}"))
    .collect()
}

/// A name without case and separators, by which aliases compare: `openaiapikey` for
/// `OPEN_AI_API_KEY` and `OpenAI-Api-Key`.
pub fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// "A", "A and B", "A, B and C"; with `or` for `conjunction`, "A, B or C".
pub fn listed(names: &[&str], conjunction: &str) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos() {
        assert!(one_typo_apart("openai-key", "openai-keys"));
        assert!(one_typo_apart("openai_key", "OpenAI-Key"));
        assert!(!one_typo_apart("openai", "openai"));
        assert!(!one_typo_apart("openai", "postgres"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn aliases_are_other_names_not_typos() {
        for alias in [
            "OPEN_AI_API_KEY",
            "OPENAI_TOKEN",
            "OPENAI_APIKEY",
            "openai_api_key",
        ] {
            assert!(alias_of("OPENAI_API_KEY", alias), "{alias}");
        }
        for other in [
            "OPENAI_API_KEY",
            "OPENAI_API_KY",
            "OPENIA_API_KEY",
            "OPENAI_MODEL",
        ] {
            assert!(!alias_of("OPENAI_API_KEY", other), "{other}");
        }
    }

    #[test]
    fn close_variables() {
        for close in [
            "OPENAI_KEY",
            "OPENAI_TOKEN",
            "OPENAI_API_TOKEN",
            "OPENAI_APIKEY",
            "OPEN_AI_API_KEY",
            "OPENAI_API_KY",
            "OPENIA_API_KEY",
            "OPENAI_API_KEYS",
            "openai_api_key",
        ] {
            assert!(close_variable("OPENAI_API_KEY", close), "{close}");
        }
        for far in [
            "OPENAI_API_KEY",
            "OPENAI_API_BASE",
            "OPENAI_ORG_ID",
            "ANTHROPIC_API_KEY",
            "OPENAI_MODEL",
        ] {
            assert!(!close_variable("OPENAI_API_KEY", far), "{far}");
        }
        assert!(!close_variable("API_KEY", "APP_KEY"));
        assert!(!close_variable("HF_TOKEN", "GH_TOKEN"));
        assert!(!close_variable("CO_API_KEY", "DD_API_KEY"));
        assert!(close_variable("ANTHROPIC_API_KEY", "ANTHROPC_API_KEY"));
    }
}
