//! KL306 optional-secret-ref: a key variable's `secretKeyRef` has `optional: true`.

use crate::rules::key_setting::key_variable;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    let Some(model) = file.config() else { return };
    for container in &model.kube.containers {
        for reference in &container.env_refs {
            if reference.kind != "Secret" || !reference.optional {
                continue;
            }
            let Some(provider) = key_variable(file, &reference.variable) else {
                continue;
            };
            violations.push(Violation {
                span: reference
                    .optional_span
                    .clone()
                    .unwrap_or_else(|| reference.span.clone()),
                message: format!(
                    "`{}` of container `{}` ({}) comes from an optional Secret key",
                    reference.variable, container.name, container.workload
                ),
                label: "a missing Secret is ignored".into(),
                help: format!(
                    "when Secret `{}` or its key `{}` is missing, the pod starts anyway with no \
                     key and every request gets 401; drop `optional: true` so the pod fails to \
                     start instead",
                    reference.object, reference.key
                ),
                provider,
                secret: None,
            });
        }
    }
}
