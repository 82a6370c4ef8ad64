//! KL403 secret-in-configmap: a key in a ConfigMap (or a configMapGenerator), or written into a
//! workload's `env[].value`, where a Secret belongs.

use crate::config::Place;
use crate::rules::key_setting::key_settings;
use crate::rules::{FileContext, Violation};

const HELP: &str = "put it in a Secret and reference it with `valueFrom.secretKeyRef` (or \
    `envFrom.secretRef`): ConfigMaps are readable by anyone who can read the namespace's \
    configuration, and appear in plain text in `kubectl describe`";

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    for key in key_settings(file) {
        let setting = key.setting;
        let name = &setting.name;
        let (span, message) = match &setting.place {
            Place::KubeConfigMap { name: map } => (
                setting.name_span.clone(),
                format!("ConfigMap `{map}` holds the key setting `{name}`"),
            ),
            Place::KustomizeLiteral {
                generator,
                secret: false,
            } => (
                setting.name_span.clone(),
                format!("configMapGenerator `{generator}` holds the key setting `{name}`"),
            ),
            Place::KubeEnv {
                workload,
                container,
            } => {
                let Some(value) = key.value() else { continue };
                if value.text.is_empty() || value.is_template() {
                    continue;
                }
                (
                    value.span.clone(),
                    format!(
                        "container `{container}` of {workload} sets `{name}` to a literal value"
                    ),
                )
            }
            _ => continue,
        };
        violations.push(Violation {
            span,
            message,
            label: "key outside a Secret".into(),
            help: HELP.into(),
            provider: key.provider,
            secret: None,
        });
    }
}
