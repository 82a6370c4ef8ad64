//! Settings of Dockerfiles: `ENV` values and `ARG` defaults.

use super::{ConfigModel, Place, Setting, SettingValue};
use crate::parse::dockerfile::{self, DockerVar, InstructionKind};

pub fn model(bytes: &[u8]) -> ConfigModel {
    let file = dockerfile::parse(bytes);
    let mut settings = Vec::new();
    for instruction in file.instructions {
        let stage = instruction.stage;
        let (vars, place) = match instruction.kind {
            InstructionKind::Env(vars) => (vars, Place::DockerEnv { stage }),
            InstructionKind::Arg(vars) => (vars, Place::DockerArg { stage }),
            _ => continue,
        };
        settings.extend(
            vars.into_iter()
                .map(|var| setting(bytes, var, place.clone())),
        );
    }
    ConfigModel {
        settings,
        ..ConfigModel::default()
    }
}

fn setting(bytes: &[u8], var: DockerVar, place: Place) -> Setting {
    Setting {
        value: var
            .value
            .map(|value| SettingValue::new(bytes, value.text, value.raw_span, value.content_span)),
        name: var.name,
        name_span: var.name_span,
        place,
    }
}
