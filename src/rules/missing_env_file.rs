//! KL304 missing-env-file: a compose `env_file` that does not exist (unless `required: false`).

use crate::file_kind::FileKind;
use crate::rules::{FileContext, Violation};

pub fn check(file: &FileContext, violations: &mut Vec<Violation>) {
    if file.kind != FileKind::Compose {
        return;
    }
    let (Some(model), Some(dir)) = (file.config(), file.location.and_then(|p| p.parent())) else {
        return;
    };
    let Some(compose) = &model.compose else {
        return;
    };
    for service in &compose.services {
        for env_file in service.env_files.iter().filter(|f| f.required) {
            if env_file.path.contains('$') || dir.join(&env_file.path).is_file() {
                continue;
            }
            violations.push(Violation {
                span: env_file.span.clone(),
                message: format!(
                    "service `{}` loads `{}`, which does not exist",
                    service.name, env_file.path
                ),
                label: "no such file".into(),
                help: format!(
                    "`docker compose up` fails, or, where the file is created by hand on some \
                     machines only, the service starts there without its keys (401); create it \
                     (for example from an example env file), or mark it optional: \
                     `env_file: [{{path: {}, required: false}}]`",
                    env_file.path
                ),
                provider: None,
                secret: None,
            });
        }
    }
}
