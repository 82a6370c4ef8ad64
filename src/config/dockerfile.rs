//! Settings of Dockerfiles: `ENV` values and `ARG` defaults.

use super::{ConfigModel, Place, Setting, SettingValue};
use crate::parse::dockerfile::{self, DockerVar, InstructionKind};

pub fn model(bytes: &[u8]) -> ConfigModel {
    let file = dockerfile::parse(bytes);
    let mut settings = Vec::new();
    for instruction in &file.instructions {
        let stage = instruction.stage;
        let (vars, place) = match &instruction.kind {
            InstructionKind::Env(vars) => (vars, Place::DockerEnv { stage }),
            InstructionKind::Arg(vars) => (vars, Place::DockerArg { stage }),
            _ => continue,
        };
        settings.extend(
            vars.iter()
                .map(|var| setting(bytes, var.clone(), place.clone())),
        );
    }
    ConfigModel {
        settings,
        image_stages: image_stages(&file.stages),
        ..ConfigModel::default()
    }
}

/// The stages whose `ENV` the built image keeps: the last stage and the stages it is built
/// `FROM`, in turn. A builder stage the last one only copies files from is not among them.
fn image_stages(stages: &[dockerfile::Stage]) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut current = stages.last();
    while let Some(stage) = current {
        if chain.contains(&stage.index) {
            break;
        }
        chain.push(stage.index);
        current = stages[..stage.index.min(stages.len())]
            .iter()
            .find(|earlier| {
                earlier
                    .name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(&stage.base))
            });
    }
    chain
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_keeps_the_last_stage_and_what_it_is_built_from() {
        let stages = |text: &str| model(text.as_bytes()).image_stages;
        assert_eq!(stages("FROM python:3.12\nENV A=1\n"), vec![0]);
        let builder = "FROM node:22 AS base\nFROM base AS builder\nRUN make\n\
                       FROM base AS runner\nCOPY --from=builder /app /app\n";
        assert_eq!(stages(builder), vec![2, 0]);
        let chained = "FROM node:22 AS deps\nFROM deps AS build\nFROM build\n";
        assert_eq!(stages(chained), vec![2, 1, 0]);
        assert_eq!(stages("ENV A=1\n"), Vec::<usize>::new());
    }
}
