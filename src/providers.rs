//! The provider catalog (`rules/providers.yaml`), embedded at build time.

use std::sync::{Mutex, OnceLock};

use regex::bytes::Regex;
use yaml_rust2::{Yaml, YamlLoader};

const CATALOG_YAML: &str = include_str!("../rules/providers.yaml");

/// One AI provider whose keys keylint knows.
#[derive(Debug)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub env: Vec<String>,
    pub docs: String,
    pub prefilter: Vec<String>,
    /// For keys without a marker of their own: lower-case words of which one must stand in the
    /// name the key is given to (`mistral` in `MISTRAL_API_KEY`); empty for marked keys.
    pub named_by: Vec<String>,
    /// Hosts of the provider's OpenAI-compatible API (for `OPENAI_BASE_URL`).
    pub base_urls: Vec<String>,
    /// Other hosts of the provider's API (Azure's per-resource hosts).
    pub hosts: Vec<String>,
    pub shapes: Vec<KeyShape>,
    /// How to ask the provider whether a key works (`keylint doctor --live`, `check --verify`).
    pub key_check: Option<KeyCheck>,
}

/// A harmless authenticated request that tells whether a key works: `GET url` with the key in
/// `header`, after `prefix`.
#[derive(Debug, Clone)]
pub struct KeyCheck {
    pub url: String,
    pub header: String,
    pub prefix: String,
    /// Other headers the API requires (`anthropic-version`).
    pub extra: Vec<(String, String)>,
}

/// One shape a provider's keys take.
#[derive(Debug)]
pub struct KeyShape {
    pub kind: String,
    /// The literal prefix that stays visible when the key is masked.
    pub keep: String,
    /// Matches the whole key and nothing else.
    pub regex: Regex,
    /// The length of every key of this shape, when the shape fixes it.
    pub fixed_length: Option<usize>,
    /// Keys of this shape mix upper-case letters, lower-case letters and digits.
    pub mixed_case: bool,
}

impl Provider {
    /// Whether a key of this provider counts only where its name names the provider.
    pub fn needs_name(&self) -> bool {
        !self.named_by.is_empty()
    }

    /// Every host of the provider's API.
    pub fn all_hosts(&self) -> impl Iterator<Item = &str> {
        self.base_urls.iter().chain(&self.hosts).map(String::as_str)
    }
}

/// What a model or provider name selects, by how it starts (lower case, `anthropic/claude-…` and
/// `openai:gpt-…` included): the ids of the providers whose key it needs. Ids outside the
/// catalog (`dashscope`, `zhipu`, `moonshot`, `minimax`) name providers keylint knows no key
/// variable of; choosing one still leaves the catalog's providers unused.
const MODEL_PREFIXES: &[(&str, &[&str])] = &[
    ("gpt-", &["openai", "azure-openai"]),
    ("chatgpt", &["openai", "azure-openai"]),
    ("o1", &["openai", "azure-openai"]),
    ("o3", &["openai", "azure-openai"]),
    ("o4", &["openai", "azure-openai"]),
    ("text-embedding", &["openai", "azure-openai"]),
    ("dall-e", &["openai", "azure-openai"]),
    ("whisper", &["openai", "azure-openai"]),
    ("openai", &["openai"]),
    ("azure", &["azure-openai"]),
    ("claude", &["anthropic"]),
    ("anthropic", &["anthropic"]),
    ("gemini", &["google"]),
    ("google", &["google"]),
    ("deepseek", &["deepseek"]),
    ("mistral", &["mistral"]),
    ("mixtral", &["mistral"]),
    ("codestral", &["mistral"]),
    ("open-mistral", &["mistral"]),
    ("command", &["cohere"]),
    ("cohere", &["cohere"]),
    ("grok", &["xai"]),
    ("xai", &["xai"]),
    ("groq", &["groq"]),
    ("sonar", &["perplexity"]),
    ("perplexity", &["perplexity"]),
    ("openrouter", &["openrouter"]),
    ("huggingface", &["huggingface"]),
    ("replicate", &["replicate"]),
    ("qwen", &["dashscope"]),
    ("dashscope", &["dashscope"]),
    ("tongyi", &["dashscope"]),
    ("glm", &["zhipu"]),
    ("chatglm", &["zhipu"]),
    ("zhipu", &["zhipu"]),
    ("moonshot", &["moonshot"]),
    ("kimi", &["moonshot"]),
    ("abab", &["minimax"]),
    ("minimax", &["minimax"]),
];

/// Variables whose value chooses the model or the provider of an app: `MODEL`, `MODEL_NAME`,
/// `LLM`, `LLM_MODEL`, `LLM_MODEL_NAME`, `DEFAULT_MODEL`, `DEFAULT_LLM`, `CHAT_MODEL`, and
/// `PROVIDER` alone or after `LLM_`, `MODEL_`, `AI_`, `CHAT_`, `DEFAULT_` (`LLM_PROVIDER`).
/// Other `*_PROVIDER`s choose other things (`AUTH_PROVIDER: google`, `STORAGE_PROVIDER: azure`).
pub fn is_selector(name: &str) -> bool {
    const MODELS: &[&str] = &[
        "MODEL",
        "MODEL_NAME",
        "LLM",
        "LLM_MODEL",
        "LLM_MODEL_NAME",
        "DEFAULT_MODEL",
        "DEFAULT_LLM",
        "CHAT_MODEL",
    ];
    const PROVIDER_USES: &[&str] = &["", "LLM_", "MODEL_", "AI_", "CHAT_", "DEFAULT_"];
    let name = name.to_ascii_uppercase();
    MODELS.contains(&name.as_str())
        || name
            .strip_suffix("PROVIDER")
            .is_some_and(|before| PROVIDER_USES.contains(&before))
}

/// The providers a model or provider name (`deepseek-chat`, `claude-sonnet-4`, `anthropic`)
/// selects; None for a name of no known provider.
pub fn selected_by(name: &str) -> Option<&'static [&'static str]> {
    let name = name.trim().to_ascii_lowercase();
    MODEL_PREFIXES
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|(_, ids)| *ids)
}

/// Whether a model name can select the provider `id`: the providers an app chooses among.
pub fn serves_models(id: &str) -> bool {
    MODEL_PREFIXES.iter().any(|(_, ids)| ids.contains(&id))
}

/// How a provider's own API wants its key, when not as `Authorization: Bearer`.
#[derive(Debug, PartialEq, Eq)]
pub struct AuthScheme {
    /// The provider's id in the catalog.
    pub provider: String,
    /// Hosts of the API; one starting with `.` is a suffix (`.openai.azure.com`).
    pub hosts: Vec<String>,
    /// The header and scheme: `x-api-key`, `Authorization: Token`.
    pub header: String,
}

impl AuthScheme {
    pub fn serves(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| {
            if h.starts_with('.') {
                host.ends_with(h.as_str())
            } else {
                host == h
            }
        })
    }
}

/// The providers' own authentication schemes (`auth` in the catalog), parsed once.
pub fn auth_schemes() -> &'static [AuthScheme] {
    static SCHEMES: OnceLock<Vec<AuthScheme>> = OnceLock::new();
    SCHEMES.get_or_init(|| {
        let docs = YamlLoader::load_from_str(CATALOG_YAML).expect("rules/providers.yaml is valid");
        docs.first()
            .and_then(|root| root["auth"].as_vec())
            .map(|schemes| {
                schemes
                    .iter()
                    .map(|node| AuthScheme {
                        provider: node["provider"].as_str().unwrap_or_default().to_owned(),
                        hosts: string_list(node, "hosts"),
                        header: node["header"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The catalog, parsed once.
pub fn catalog() -> &'static [Provider] {
    CATALOG.get_or_init(|| {
        let mut providers = parse_catalog(CATALOG_YAML).expect("rules/providers.yaml is valid");
        providers.append(&mut CUSTOM.lock().expect("not poisoned"));
        providers
    })
}

static CATALOG: OnceLock<Vec<Provider>> = OnceLock::new();

/// Providers the settings file adds, until the catalog is first read.
static CUSTOM: Mutex<Vec<Provider>> = Mutex::new(Vec::new());

/// A provider the catalog does not know (an internal LLM gateway), from the settings file.
pub struct CustomProvider<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub env_vars: &'a [String],
    /// A regex that matches the whole key.
    pub pattern: &'a str,
    /// A word that must stand in the name the key is given to; needed when the pattern has no
    /// literal start of its own.
    pub keyword: Option<&'a str>,
}

impl CustomProvider<'_> {
    /// The provider as the catalog holds it; an error says what is wrong with the pattern.
    pub fn build(&self) -> Result<Provider, String> {
        let regex = Regex::new(&format!("^(?:{})$", self.pattern)).map_err(|err| {
            let text = err.to_string();
            let last = text.lines().last().unwrap_or(&text).trim();
            last.strip_prefix("error: ").unwrap_or(last).to_owned()
        })?;
        let start = literal_start(self.pattern);
        if start.is_empty() && self.keyword.is_none() {
            return Err(
                "the pattern has no literal start (like `gw-`), so it needs a `keyword` \
                        that the key's variable name must hold"
                    .to_owned(),
            );
        }
        // The prefilter's literals: the key's start, or the names a key must stand under.
        let prefilter = if start.is_empty() {
            let keyword = self.keyword.unwrap_or_default();
            let mut capitalized = keyword.to_ascii_lowercase();
            if let Some(first) = capitalized.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            let mut words = self.env_vars.to_vec();
            words.extend([
                keyword.to_ascii_lowercase(),
                keyword.to_ascii_uppercase(),
                capitalized,
            ]);
            words
        } else {
            vec![start.clone()]
        };
        Ok(Provider {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            env: self.env_vars.to_vec(),
            docs: String::new(),
            prefilter,
            named_by: self
                .keyword
                .map(str::to_ascii_lowercase)
                .into_iter()
                .collect(),
            base_urls: Vec::new(),
            hosts: Vec::new(),
            shapes: vec![KeyShape {
                kind: "API key".to_owned(),
                keep: start,
                fixed_length: fixed_length(self.pattern),
                mixed_case: false,
                regex,
            }],
            key_check: None,
        })
    }
}

/// Adds providers to the catalog; an error once the catalog has been read.
pub fn add_custom(providers: Vec<Provider>) -> Result<(), String> {
    if providers.is_empty() {
        return Ok(());
    }
    if CATALOG.get().is_some() {
        return Err("custom providers must be added before the catalog is read".to_owned());
    }
    CUSTOM.lock().expect("not poisoned").extend(providers);
    Ok(())
}

/// The literal text every match of `pattern` starts with (`gw-` of `gw-[a-z0-9]{32}`).
fn literal_start(pattern: &str) -> String {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return String::new();
    };
    let mut extractor = regex_syntax::hir::literal::Extractor::new();
    extractor.kind(regex_syntax::hir::literal::ExtractKind::Prefix);
    let mut prefixes = extractor.extract(&hir);
    prefixes.optimize_for_prefix_by_preference();
    let literals = prefixes.literals().unwrap_or_default();
    let first = literals.first().map(|l| l.as_bytes()).unwrap_or_default();
    let common = literals.iter().fold(first.len(), |len, literal| {
        first[..len]
            .iter()
            .zip(literal.as_bytes())
            .take_while(|(a, b)| a == b)
            .count()
    });
    String::from_utf8_lossy(&first[..common]).into_owned()
}

fn parse_catalog(text: &str) -> Result<Vec<Provider>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|err| err.to_string())?;
    let root = docs.first().ok_or("empty catalog")?;
    let providers = root["providers"].as_vec().ok_or("no `providers` list")?;
    providers.iter().map(parse_provider).collect()
}

fn parse_provider(node: &Yaml) -> Result<Provider, String> {
    let id = string_field(node, "id")?;
    let shapes = node["shapes"]
        .as_vec()
        .ok_or_else(|| format!("provider {id}: no shapes"))?
        .iter()
        .map(|shape| {
            let pattern = string_field(shape, "regex")?;
            let regex = Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|err| format!("provider {id}: bad regex: {err}"))?;
            Ok(KeyShape {
                kind: string_field(shape, "kind")?,
                keep: string_field(shape, "keep")?,
                fixed_length: fixed_length(&pattern),
                mixed_case: shape["mixed_case"].as_bool().unwrap_or(false),
                regex,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Provider {
        name: string_field(node, "name")?,
        env: string_list(node, "env"),
        docs: string_field(node, "docs")?,
        prefilter: string_list(node, "prefilter"),
        named_by: string_list(node, "named_by")
            .into_iter()
            .map(|word| word.to_ascii_lowercase())
            .collect(),
        base_urls: string_list(node, "base_urls"),
        hosts: string_list(node, "hosts"),
        shapes,
        key_check: key_check(&node["key_check"]),
        id,
    })
}

fn key_check(node: &Yaml) -> Option<KeyCheck> {
    Some(KeyCheck {
        url: node["url"].as_str()?.to_owned(),
        header: node["header"].as_str()?.to_owned(),
        prefix: node["prefix"].as_str().unwrap_or("").to_owned(),
        extra: string_list(node, "extra")
            .iter()
            .filter_map(|h| h.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect(),
    })
}

fn fixed_length(pattern: &str) -> Option<usize> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let properties = hir.properties();
    match (properties.minimum_len(), properties.maximum_len()) {
        (Some(min), Some(max)) if min == max => Some(min),
        _ => None,
    }
}

fn string_field(node: &Yaml, field: &str) -> Result<String, String> {
    node[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("missing string field `{field}`"))
}

fn string_list(node: &Yaml, field: &str) -> Vec<String> {
    node[field]
        .as_vec()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_and_every_provider_has_a_prefilter() {
        let providers = catalog();
        assert!(providers.len() >= 14);
        for provider in providers {
            assert!(!provider.prefilter.is_empty(), "{}", provider.id);
            assert!(!provider.shapes.is_empty(), "{}", provider.id);
            assert!(!provider.env.is_empty(), "{}", provider.id);
        }
    }

    #[test]
    fn model_and_provider_names_select_providers() {
        assert_eq!(selected_by("deepseek-v4-flash"), Some(&["deepseek"][..]));
        assert_eq!(selected_by("Claude-Sonnet-4"), Some(&["anthropic"][..]));
        assert_eq!(
            selected_by("anthropic/claude-3-haiku"),
            Some(&["anthropic"][..])
        );
        assert_eq!(selected_by("gemini-2.5-pro"), Some(&["google"][..]));
        assert_eq!(selected_by("qwen-max"), Some(&["dashscope"][..]));
        assert!(selected_by("gpt-4o-mini").unwrap().contains(&"openai"));
        assert!(selected_by("o3-mini").unwrap().contains(&"azure-openai"));
        assert_eq!(selected_by("llama3"), None);
        assert_eq!(selected_by(""), None);
        // Every id is the catalog's or a provider with no key variable in it.
        let outside = ["dashscope", "zhipu", "moonshot", "minimax"];
        for (_, ids) in MODEL_PREFIXES {
            for id in *ids {
                assert!(
                    catalog().iter().any(|p| p.id == *id) || outside.contains(id),
                    "{id}"
                );
            }
        }
        assert!(serves_models("openai") && !serves_models("langsmith"));
    }

    #[test]
    fn fixed_lengths_come_from_the_shapes() {
        let openai = &catalog()[0];
        let lengths: Vec<Option<usize>> = openai.shapes.iter().map(|s| s.fixed_length).collect();
        assert_eq!(lengths[0], Some(164));
        assert_eq!(lengths[3], Some(167));
        assert_eq!(*lengths.last().unwrap(), None);
    }

    #[test]
    fn shapes_match_whole_keys_only() {
        let openai = &catalog()[0];
        let legacy = format!(
            "sk-{}T3BlbkFJ{}",
            "a1B2c3D4e5F6g7H8i9J0", "K1l2M3n4O5p6Q7r8S9t0"
        );
        assert!(openai
            .shapes
            .iter()
            .any(|s| s.regex.is_match(legacy.as_bytes())));
        let longer = format!("{legacy}x");
        assert!(!openai
            .shapes
            .iter()
            .any(|s| s.regex.is_match(longer.as_bytes())));
    }
}
