//! What provides a unit's keys: its own `environment` / `env` entries, its env files, the
//! objects its `envFrom` names, its Dockerfile's `ENV` defaults, a baked `.env`, and the
//! files it mounts.

use super::units::{covers, dir_of, join, under, Runs, Unit, Wiring};
use super::{ComposeSummary, Provided, ResolvedEnvFile, Summary};
use crate::config::compose::ComposeService;
use crate::config::kubernetes::{KubeContainer, KubeObject};
use crate::file_kind::FileKind;

/// Whether a unit gives its code a variable.
pub enum Provision<'a> {
    Provided,
    /// Only through env files that exist and lack it.
    EnvFilesLack(Vec<&'a ResolvedEnvFile>),
    /// An env file is missing (KL304 reports it).
    EnvFileMissing,
    NotProvided,
}

impl<'a> Unit<'a> {
    /// The code loads a `.env` file and one under the unit's root defines `variable`: copied
    /// into the image, it gives the key (a leak risk, but not a 401).
    pub(super) fn bakes_dotenv(&self, wiring: &Wiring<'a>, variable: &str) -> bool {
        self.code(wiring).any(|s| s.loads_dotenv)
            && wiring.summaries.iter().any(|s| {
                s.kind == FileKind::Env
                    && under(&self.root, &s.path)
                    && s.provided.iter().any(|p| p.name == variable)
            })
    }

    /// Whether the unit makes the file at `path` exist: a compose secret or volume over it
    /// (merged across compose files and `extends`), a Kubernetes volume mount over it (in any
    /// manifest of the same container, overlay patches included).
    pub fn mounts(&self, wiring: &Wiring<'a>, path: &str) -> bool {
        match &self.runs {
            Runs::Compose { service, .. } => service_views(wiring, self.summary, &service.name)
                .iter()
                .any(|(_, s)| {
                    s.volume_targets.iter().any(|t| covers(t, path))
                        || s.secrets.iter().any(|secret| secret.path() == path)
                }),
            Runs::Kube(container) => wiring
                .summaries
                .iter()
                .flat_map(|s| &s.kube.containers)
                .filter(|c| c.workload == container.workload && c.name == container.name)
                .flat_map(|c| &c.volume_mounts)
                .any(|(_, mount)| covers(mount, path)),
        }
    }

    /// Every variable the unit gives its code by name, with where: its `environment` / `env`
    /// entries (of every compose file and `extends` base, or every manifest of the
    /// container), the env files it loads, its Dockerfile's `ENV`.
    pub fn provided(&self, wiring: &Wiring<'a>) -> Vec<(&'a Summary, &'a Provided)> {
        let mut found = Vec::new();
        let mut from = |file: &'a Summary, place: &str| {
            found.extend(
                file.provided
                    .iter()
                    .filter(|p| p.place == place)
                    .map(|p| (file, p)),
            );
        };
        match &self.runs {
            Runs::Compose { service, .. } => {
                for (file, view) in service_views(wiring, self.summary, &service.name) {
                    from(file, &format!("compose service `{}`", view.name));
                    for env_file in &view.env_files {
                        let path = join(dir_of(&file.path), &env_file.path);
                        if let Some(env) = path.and_then(|p| wiring.summary(&p)) {
                            from(env, "env file");
                        }
                    }
                }
            }
            Runs::Kube(container) => {
                let place = format!("container `{}` of {}", container.name, container.workload);
                for file in wiring.summaries {
                    from(file, &place);
                }
            }
        }
        if let Some(dockerfile) = self.dockerfile.as_deref().and_then(|d| wiring.summary(d)) {
            from(dockerfile, "Dockerfile ENV");
        }
        found
    }

    /// Whether the unit gives its code `variable`, by any route.
    pub fn provides(&self, wiring: &Wiring<'a>, variable: &str) -> Provision<'a> {
        let dockerfile_default = self
            .dockerfile
            .as_deref()
            .and_then(|path| wiring.summary(path))
            .and_then(|d| d.dockerfile_env.as_ref())
            .is_some_and(|names| names.iter().any(|n| n == variable));
        let inline = self.entry_env.iter().any(|n| n == variable);
        if inline || dockerfile_default || self.bakes_dotenv(wiring, variable) {
            return Provision::Provided;
        }
        match &self.runs {
            Runs::Compose { service, .. } => {
                compose_provides(wiring, self.summary, &service.name, variable, 0)
            }
            Runs::Kube(container) => {
                // The same container elsewhere (a kustomize overlay's patch) counts too.
                let provided = wiring
                    .summaries
                    .iter()
                    .flat_map(|s| &s.kube.containers)
                    .filter(|c| c.workload == container.workload && c.name == container.name)
                    .any(|c| kube_provides(wiring, c, variable));
                if provided {
                    Provision::Provided
                } else {
                    Provision::NotProvided
                }
            }
        }
    }
}

/// What a compose service (and the services it extends) gives its code. Compose files in
/// the same directory are merged (`compose.yaml` with `compose.override.yaml`).
fn compose_provides<'a>(
    wiring: &Wiring<'a>,
    file: &'a Summary,
    service: &str,
    variable: &str,
    depth: usize,
) -> Provision<'a> {
    let dir = dir_of(&file.path);
    let files: Vec<&ComposeSummary> = wiring
        .compose_files(file)
        .iter()
        .filter_map(|s| s.compose.as_deref())
        .collect();
    if files
        .iter()
        .flat_map(|c| &c.environment)
        .any(|(s, v)| s == service && v == variable)
    {
        return Provision::Provided;
    }
    let env_files: Vec<&ResolvedEnvFile> = files
        .iter()
        .flat_map(|c| &c.env_files)
        .filter(|f| f.service == service)
        .collect();
    for env_file in &env_files {
        match &env_file.names {
            // Unreadable, or optional and absent here (git-ignored, made on the host): it may
            // hold anything.
            Some(None) => return Provision::Provided,
            None if !env_file.reference.required => return Provision::Provided,
            Some(Some(names)) if names.iter().any(|n| n == variable) => return Provision::Provided,
            _ => {}
        }
    }
    let extends = files
        .iter()
        .flat_map(|c| &c.file.services)
        .find(|s| s.name == service)
        .and_then(|s| s.extends.as_ref());
    let mut inherited = Provision::NotProvided;
    if let (Some((base, base_file)), true) = (extends, depth < 4) {
        let base_summary = match base_file {
            Some(path) => join(dir, path).and_then(|p| wiring.summary(&p)),
            None => Some(file),
        };
        match base_summary {
            Some(base_summary) => {
                inherited = compose_provides(wiring, base_summary, base, variable, depth + 1);
                if matches!(inherited, Provision::Provided) {
                    return inherited;
                }
            }
            // A file that was not scanned: it may provide anything.
            None => return Provision::Provided,
        }
    }
    if env_files
        .iter()
        .any(|f| f.names.is_none() && f.reference.required)
    {
        return Provision::EnvFileMissing;
    }
    let lacking: Vec<&ResolvedEnvFile> = env_files
        .into_iter()
        .filter(|f| matches!(f.names, Some(Some(_))))
        .collect();
    if !lacking.is_empty() {
        return Provision::EnvFilesLack(lacking);
    }
    inherited
}

/// A compose service as compose sees it: its entries in every compose file of the directory,
/// and the services it extends, each with the file it is in.
pub fn service_views<'a>(
    wiring: &Wiring<'a>,
    file: &'a Summary,
    service: &str,
) -> Vec<(&'a Summary, &'a ComposeService)> {
    let mut views = Vec::new();
    let mut next = Some((file, service.to_owned()));
    for _ in 0..5 {
        let Some((file, name)) = next.take() else {
            break;
        };
        let dir = dir_of(&file.path);
        for &summary in wiring.compose_files(file) {
            for entry in summary.compose.iter().flat_map(|c| &c.file.services) {
                if entry.name == name {
                    views.push((summary, entry));
                    if let Some((base, base_file)) = &entry.extends {
                        let base_summary = match base_file {
                            Some(path) => join(dir, path).and_then(|p| wiring.summary(&p)),
                            None => Some(summary),
                        };
                        next = base_summary.map(|s| (s, base.clone()));
                    }
                }
            }
        }
    }
    views
}

fn kube_provides(wiring: &Wiring, container: &KubeContainer, variable: &str) -> bool {
    if container.env_names.iter().any(|n| n == variable) {
        return true;
    }
    let namespace = |ns: &Option<String>| ns.as_deref().unwrap_or("default").to_owned();
    container.env_from.iter().any(|from| {
        let defined: Vec<&KubeObject> = wiring
            .objects()
            .filter(|(_, o)| {
                o.kind == from.kind
                    && o.name == from.object
                    && namespace(&o.namespace) == namespace(&container.namespace)
            })
            .map(|(_, o)| o)
            .collect();
        // Defined elsewhere (kubectl, External Secrets, Helm), or from files not in the
        // repository: it may hold anything.
        if defined.is_empty() || defined.iter().any(|o| o.open) {
            return true;
        }
        // Several objects of one name (one per overlay or kustomization): any may be the one.
        let prefix = from.prefix.as_deref().unwrap_or("");
        defined.iter().any(|object| {
            object
                .keys
                .iter()
                .any(|key| format!("{prefix}{key}") == variable)
        })
    })
}

/// An `envFrom` whose object holds `variable` under its own name, but adds a prefix to it:
/// (object, prefix).
pub fn prefixed_away<'a>(
    wiring: &Wiring<'a>,
    container: &'a KubeContainer,
    variable: &str,
) -> Option<(&'a str, &'a str)> {
    container.env_from.iter().find_map(|from| {
        let prefix = from.prefix.as_deref().filter(|p| !p.is_empty())?;
        let holds = wiring.objects().any(|(_, o)| {
            o.kind == from.kind && o.name == from.object && o.keys.iter().any(|k| k == variable)
        });
        holds.then_some((from.object.as_str(), prefix))
    })
}
