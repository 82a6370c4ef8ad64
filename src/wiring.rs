//! Rules that look across files: after the walk, the summaries of the files that define or
//! reference Kubernetes Secrets and ConfigMaps are put together.

use crate::config::kubernetes::KubeModel;
use crate::lint::{Finding, Linter};
use crate::rules::FileContext;

/// What the cross-file rules need of one file.
#[derive(Debug)]
pub struct Summary {
    pub path: String,
    pub bytes: Vec<u8>,
    pub kube: KubeModel,
}

impl Summary {
    pub fn of(file: &FileContext) -> Option<Summary> {
        let kube = &file.config()?.kube;
        if kube.objects.is_empty() && kube.containers.is_empty() {
            return None;
        }
        Some(Summary {
            path: file.path.to_owned(),
            bytes: file.source.bytes.to_vec(),
            kube: kube.clone(),
        })
    }
}

/// Runs the cross-file rules over every summary.
pub fn check(summaries: &[Summary], linter: &Linter) -> Vec<Finding> {
    crate::rules::dangling_secret_ref::check_across(summaries, linter)
}
