//! The README's rule table is generated from the registry; this test fails when they differ.
//! Run with `KEYLINT_UPDATE_README=1` to rewrite the table.

mod common;

use keylint::rules::registry::{markdown_table, RULES};

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn readme_rule_table_matches_the_registry() {
    let path = common::repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(START)
        .expect("README has the rules:start marker")
        + START.len();
    let end = readme.find(END).expect("README has the rules:end marker");
    let expected = markdown_table();
    if std::env::var_os("KEYLINT_UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..end],
        expected,
        "README rule table is stale: run KEYLINT_UPDATE_README=1 cargo test --test readme"
    );
}

#[test]
fn every_rule_has_its_page_in_rules() {
    for rule in RULES {
        let page = common::repo_root().join(format!("rules/{}-{}.md", rule.code, rule.name));
        let text = std::fs::read_to_string(&page).unwrap_or_else(|_| panic!("{page:?}"));
        assert_eq!(text, rule.docs);
        assert!(text.starts_with(&format!("# {} {}\n", rule.code, rule.name)));
        let judged = keylint::file_role::judged_line(rule.roles);
        assert!(
            text.lines().any(|line| line == judged),
            "{page:?} says which files it judges: {judged}"
        );
    }
}
