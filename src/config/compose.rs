//! Settings of compose files: each service's `environment` and `build.args`.

use super::{split_assignment, yaml_value, Place, Setting};
use crate::parse::yaml::Node;

pub fn settings(source: &[u8], doc: &Node, out: &mut Vec<Setting>) {
    let Some(services) = doc.get("services") else {
        return;
    };
    for entry in services.entries() {
        let Some(service) = entry.key.as_str() else {
            continue;
        };
        if let Some(environment) = entry.value.get("environment") {
            variables(source, environment, out, |list_form| {
                Place::ComposeEnvironment {
                    service: service.to_owned(),
                    list_form,
                }
            });
        }
        if let Some(args) = entry.value.get("build").and_then(|build| build.get("args")) {
            variables(source, args, out, |_| Place::ComposeBuildArg {
                service: service.to_owned(),
            });
        }
    }
}

/// A compose map (`NAME: value`) or list (`- NAME=value`) of variables.
fn variables(source: &[u8], node: &Node, out: &mut Vec<Setting>, place: impl Fn(bool) -> Place) {
    for entry in node.entries() {
        if let Some(name) = entry.key.as_str() {
            out.push(Setting {
                name: name.to_owned(),
                name_span: entry.key.span.clone(),
                value: yaml_value(source, &entry.value),
                place: place(false),
            });
        }
    }
    for item in node.items() {
        if let Some((name, name_span, value)) = split_assignment(source, item) {
            out.push(Setting {
                name,
                name_span,
                value,
                place: place(true),
            });
        }
    }
}
