//! Units that run code, linked to the code they run: a compose service to the code under its
//! build context; a Kubernetes container to the code of the image it runs (built by a compose
//! service or a Dockerfile of the same name, or the repository's only application). What each
//! unit provides to that code is judged by the KL3xx rules.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::entry::{self, Disk};
pub use super::provides::{prefixed_away, service_views, Provision};
use super::reach::{CodeIndex, Reached};
use super::{ComposeSummary, Consumer, Provided, ReadKind, SecretRead, Summary};
use crate::config::compose::ComposeService;
use crate::config::kubernetes::{KubeContainer, KubeObject};
use crate::file_kind::FileKind;

/// All summaries, and the units found in them.
pub struct Wiring<'a> {
    pub summaries: &'a [Summary],
    pub units: Vec<Unit<'a>>,
    /// For each variable the code reads: the close name provided instead, when the variable
    /// itself is provided nowhere (KL302).
    pub close_names: HashMap<&'a str, Option<(&'a Summary, &'a Provided)>>,
    by_path: HashMap<&'a str, &'a Summary>,
    /// The directories of every application: compose build contexts, and the directories of
    /// Dockerfiles no build names.
    roots: Vec<String>,
    /// Compose files by directory.
    compose_by_dir: HashMap<&'a str, Vec<&'a Summary>>,
    /// The followed source files, to trace what units run.
    pub index: CodeIndex<'a>,
    /// The scan on disk, to read the Makefiles, package.json files and scripts commands name.
    pub disk: Option<Disk>,
}

/// What a unit is.
pub enum Runs<'a> {
    Compose {
        compose: &'a ComposeSummary,
        service: &'a ComposeService,
    },
    Kube(&'a KubeContainer),
}

pub struct Unit<'a> {
    /// The file that defines the unit.
    pub summary: &'a Summary,
    pub runs: Runs<'a>,
    /// The service or container name.
    pub span: Range<usize>,
    /// "service `web`", "container `api` of Deployment `api`".
    pub name: String,
    /// The directory of the code it runs (`/`-separated, relative like the summaries' paths;
    /// empty for the scan root).
    pub root: String,
    /// How it was linked, to follow its name: "builds ./web".
    pub link: String,
    /// The Dockerfile that builds its image, when known.
    pub dockerfile: Option<String>,
    /// What the Dockerfile copies into the image (`COPY`/`ADD` sources resolved against the
    /// root); None when it copies the whole context or is not known.
    pub copied: Option<Vec<String>>,
    /// Where the link was made, when in another place than the unit: the compose service or
    /// the Dockerfile that builds the image; with words for the related location.
    pub via: Option<(&'a Summary, Range<usize>, String)>,
    /// What the unit starts (its own command, else its image's), when it was traced to code.
    pub entry: Option<String>,
    /// The code it runs, followed from its entry files; None when the entry could not be
    /// traced, and the unit is linked to the production code under its root instead.
    pub reached: Option<Reached<'a>>,
    /// Variables its command sets inline (`OPENAI_API_KEY=x python app.py`).
    pub entry_env: Vec<String>,
}

/// How a unit was linked to its code: (root, link words, Dockerfile, where).
type Link<'a> = (
    String,
    String,
    Option<String>,
    Option<(&'a Summary, Range<usize>, String)>,
);

/// A key variable a unit's code needs, where the code reads it, and whether the unit gives it.
/// One-off tasks beside a unit that provides it, and names provided only under a close name
/// (KL302's), are left out.
pub struct Need<'w, 'a> {
    pub unit: &'w Unit<'a>,
    pub variable: &'a str,
    /// Where the code reads it, in path order; never empty.
    pub consumers: Vec<(&'a Summary, &'a Consumer)>,
    pub provision: Provision<'a>,
}

/// At most this many places where the code reads the key are shown with each finding.
const MAX_RELATED: usize = 3;

impl<'a> Need<'_, 'a> {
    /// "reads OPENAI_API_KEY at web/app.py:3", of the first read.
    pub fn what(&self) -> String {
        let (file, consumer) = self.consumers[0];
        format!("{} at {}", consumer.verb(), file.at(consumer.span.start))
    }

    /// The related locations: the first reads, then where the link was made.
    pub fn related(&self) -> Vec<(crate::finding::Place<'a>, String)> {
        self.unit.related(
            self.consumers
                .iter()
                .take(MAX_RELATED)
                .map(|(file, c)| (*file, c.span.clone(), format!("the code {} here", c.verb()))),
        )
    }
}

/// An image built in the repository.
struct Build<'a> {
    compose: &'a Summary,
    service: &'a ComposeService,
    root: String,
    dockerfile: String,
}

impl<'a> Wiring<'a> {
    pub fn new(summaries: &'a [Summary]) -> Self {
        let mut builds: Vec<Build> = Vec::new();
        for summary in summaries {
            let Some(compose) = deployed_compose(summary) else {
                continue;
            };
            for service in &compose.file.services {
                let Some(build) = &service.build else {
                    continue;
                };
                let Some(root) = join(dir_of(&summary.path), &build.context) else {
                    continue;
                };
                let dockerfile = build.dockerfile.as_deref().unwrap_or("Dockerfile");
                let dockerfile = join(&root, dockerfile).unwrap_or_default();
                builds.push(Build {
                    compose: summary,
                    service,
                    root,
                    dockerfile,
                });
            }
        }
        let dockerfiles: Vec<&Summary> = summaries
            .iter()
            .filter(|s| s.kind == FileKind::Dockerfile)
            .collect();
        let mut roots: Vec<(String, String)> = builds
            .iter()
            .map(|b| (b.root.clone(), b.dockerfile.clone()))
            .collect();
        for dockerfile in &dockerfiles {
            if !builds.iter().any(|b| b.dockerfile == dockerfile.path) {
                roots.push((dir_of(&dockerfile.path).to_owned(), dockerfile.path.clone()));
            }
        }
        roots.sort();
        roots.dedup_by(|a, b| a.0 == b.0);
        // The repository's only application runs in every container whose image is not a
        // public one, provided those containers all run one image: with several, which runs
        // the code is unknown.
        let mut app_images: Vec<&str> = summaries
            .iter()
            .flat_map(|s| &s.kube.containers)
            .filter(|c| !c.init)
            .filter_map(|c| c.image.as_deref())
            .filter(|image| !public_image(image))
            .map(image_repository)
            .collect();
        app_images.sort_unstable();
        app_images.dedup();
        let only_root = (roots.len() == 1 && app_images.len() <= 1).then(|| &roots[0]);

        let by_path: HashMap<&str, &Summary> =
            summaries.iter().map(|s| (s.path.as_str(), s)).collect();
        let patched: HashSet<&str> = summaries
            .iter()
            .flat_map(|s| s.kube.patched.iter().map(String::as_str))
            .collect();
        let mut units = Vec::new();
        for summary in summaries {
            if let Some(compose) = deployed_compose(summary) {
                for service in &compose.file.services {
                    let name = format!("service `{}`", service.name);
                    let runs = Runs::Compose { compose, service };
                    let linked = match (&service.build, &service.image) {
                        (Some(build), _) => builds
                            .iter()
                            .find(|b| std::ptr::eq(b.service, service))
                            .map(|b| {
                                let link = format!("builds {}", build.context);
                                (b.root.clone(), link, Some(b.dockerfile.clone()), None)
                            }),
                        (None, Some(image)) => link_image(image, &builds, &dockerfiles, None),
                        (None, None) => None,
                    };
                    if let Some((root, link, dockerfile, via)) = linked {
                        units.push(Unit {
                            summary,
                            runs,
                            span: service.name_span.clone(),
                            name,
                            link,
                            copied: dockerfile
                                .as_deref()
                                .and_then(|d| by_path.get(d))
                                .and_then(|d| copied_sources(d, &root)),
                            root,
                            dockerfile,
                            via,
                            entry: None,
                            reached: None,
                            entry_env: Vec::new(),
                        });
                    }
                }
            }
            // Init containers run migrations and waits, not the application; a workload a
            // kustomization patches gets more than its base says.
            for container in summary
                .kube
                .containers
                .iter()
                .filter(|c| !c.init && !patched.contains(&workload_name(&c.workload)))
            {
                let Some(image) = &container.image else {
                    continue;
                };
                if let Some((root, link, dockerfile, via)) =
                    link_image(image, &builds, &dockerfiles, only_root)
                {
                    units.push(Unit {
                        summary,
                        runs: Runs::Kube(container),
                        span: container.name_span.clone(),
                        name: format!("container `{}` of {}", container.name, container.workload),
                        copied: dockerfile
                            .as_deref()
                            .and_then(|d| by_path.get(d))
                            .and_then(|d| copied_sources(d, &root)),
                        root,
                        link,
                        dockerfile,
                        via,
                        entry: None,
                        reached: None,
                        entry_env: Vec::new(),
                    });
                }
            }
        }
        let mut provided_names: HashSet<String> = summaries
            .iter()
            .flat_map(|s| s.provided.iter().map(|p| p.name.clone()))
            .collect();
        // `envFrom` turns an object's keys into variables; an object defined elsewhere may
        // hold any name, so no name can be said to be provided nowhere.
        let mut open_env_from = false;
        for from in summaries
            .iter()
            .flat_map(|s| &s.kube.containers)
            .flat_map(|c| &c.env_from)
        {
            let prefix = from.prefix.as_deref().unwrap_or("");
            let defined: Vec<&KubeObject> = summaries
                .iter()
                .flat_map(|s| &s.kube.objects)
                .filter(|o| o.kind == from.kind && o.name == from.object)
                .collect();
            open_env_from |= defined.is_empty() || defined.iter().any(|o| o.open);
            for object in defined {
                provided_names.extend(object.keys.iter().map(|k| format!("{prefix}{k}")));
            }
        }
        let mut close_names = HashMap::new();
        for consumer in summaries.iter().flat_map(|s| &s.consumers) {
            if open_env_from {
                break;
            }
            close_names
                .entry(consumer.variable.as_str())
                .or_insert_with(|| {
                    crate::rules::env_name_mismatch::find_close(
                        summaries,
                        &provided_names,
                        &consumer.variable,
                    )
                });
        }
        let index = CodeIndex::new(summaries);
        let disk = summaries
            .iter()
            .find_map(|s| s.location.as_deref().map(|l| Disk::of(&s.path, l)));
        if let Some(disk) = &disk {
            for unit in &mut units {
                trace(unit, &by_path, &index, disk);
            }
        }
        Wiring {
            summaries,
            units,
            close_names,
            index,
            disk,
            by_path,
            roots: roots.into_iter().map(|(root, _)| root).collect(),
            compose_by_dir: {
                let mut by_dir: HashMap<&str, Vec<&Summary>> = HashMap::new();
                for summary in summaries.iter().filter(|s| s.compose.is_some()) {
                    by_dir
                        .entry(dir_of(&summary.path))
                        .or_default()
                        .push(summary);
                }
                by_dir
            },
        }
    }

    /// Every key variable each unit's code needs (see [`Need`]).
    pub fn needs(&self) -> Vec<Need<'_, 'a>> {
        let mut needs = Vec::new();
        for unit in &self.units {
            for (variable, consumers) in unit.consumers(self) {
                if unit.one_off_beside_provider(self, variable)
                    || crate::rules::env_name_mismatch::unit_close_name(self, unit, variable)
                        .is_some()
                {
                    continue;
                }
                needs.push(Need {
                    unit,
                    variable,
                    provision: unit.provides(self, variable),
                    consumers,
                });
            }
        }
        needs
    }

    pub fn summary(&self, path: &str) -> Option<&'a Summary> {
        self.by_path.get(path).copied()
    }

    /// The compose files in the directory of `file` (`compose.yaml` and its overrides).
    pub fn compose_files(&self, file: &Summary) -> &[&'a Summary] {
        self.compose_by_dir
            .get(dir_of(&file.path))
            .map_or(&[], Vec::as_slice)
    }

    /// Every Secret and ConfigMap defined in the repository.
    pub fn objects(&self) -> impl Iterator<Item = (&'a Summary, &'a KubeObject)> + '_ {
        self.summaries
            .iter()
            .flat_map(|s| s.kube.objects.iter().map(move |o| (s, o)))
    }
}

impl<'a> Unit<'a> {
    /// The code the unit runs, by variable: for each key variable, where the code reads it
    /// (in path order). Tests, notebooks, examples and tooling scripts are not what a
    /// deployment runs, so they are left out.
    pub fn consumers(
        &self,
        wiring: &Wiring<'a>,
    ) -> Vec<(&'a str, Vec<(&'a Summary, &'a Consumer)>)> {
        let mut by_variable: Vec<(&str, Vec<(&Summary, &Consumer)>)> = Vec::new();
        for summary in self.code(wiring) {
            // `key = SECRET.read_text() if SECRET.exists() else os.environ[...]`, with the
            // secret mounted: the variable is the fallback.
            if summary
                .secret_reads
                .iter()
                .any(|r| self.mounts(wiring, &r.path))
            {
                continue;
            }
            for consumer in summary
                .consumers
                .iter()
                .filter(|c| self.runs_read(wiring, summary, c))
            {
                match by_variable
                    .iter_mut()
                    .find(|(v, _)| *v == consumer.variable)
                {
                    Some((_, list)) => list.push((summary, consumer)),
                    None => by_variable.push((&consumer.variable, vec![(summary, consumer)])),
                }
            }
        }
        // `os.environ["OPENAI_API_KEY"] = st.secrets[...]`: the code provides it itself.
        let set_here: Vec<&str> = self
            .code(wiring)
            .flat_map(|s| s.sets.iter().map(String::as_str))
            .collect();
        by_variable.retain(|(v, _)| !set_here.contains(v));
        by_variable.sort_by_key(|(v, _)| *v);
        by_variable
    }

    /// The providers the unit's code can choose among and the unit does not select: for each
    /// such read (`elif provider == "deepseek": os.environ["DEEPSEEK_API_KEY"]`), the first
    /// one per variable, in path order.
    pub fn provider_choices(&self, wiring: &Wiring<'a>) -> Vec<(&'a Summary, &'a Consumer)> {
        let mut choices: Vec<(&Summary, &Consumer)> = Vec::new();
        for summary in self.code(wiring) {
            for consumer in &summary.consumers {
                let ReadKind::Provider(provider) = &consumer.kind else {
                    continue;
                };
                let runs = self
                    .reached
                    .as_ref()
                    .is_none_or(|r| r.runs(summary, consumer));
                if runs
                    && !provider.is_empty()
                    && !choices.iter().any(|(_, c)| c.variable == consumer.variable)
                {
                    choices.push((summary, consumer));
                }
            }
        }
        choices
    }

    /// The key variables the unit's traced code reads only for a provider the unit does not
    /// select (or in tests that skip without them): an empty or unset value there is no 401.
    /// None when the unit's code was not traced.
    pub fn read_only_optionally(&self, wiring: &Wiring<'a>) -> Option<Vec<&'a str>> {
        let reached = self.reached.as_ref()?;
        let mut optional: Vec<&str> = Vec::new();
        let mut needed: Vec<&str> = Vec::new();
        for file in &reached.files {
            for consumer in &file.consumers {
                if !reached.runs(file, consumer) {
                    continue;
                }
                // An optional read is not enough: an SDK built with `**settings` may still read
                // the variable by default, where keylint cannot see it.
                let conditional =
                    matches!(consumer.kind, ReadKind::Provider(_) | ReadKind::Guarded);
                if conditional && !self.runs_read(wiring, file, consumer) {
                    optional.push(&consumer.variable);
                } else {
                    needed.push(&consumer.variable);
                }
            }
        }
        optional.retain(|v| !needed.contains(v));
        optional.sort_unstable();
        optional.dedup();
        Some(optional)
    }

    /// "service `web` builds ./web, which reads OPENAI_API_KEY at web/app.py:3": the unit, how
    /// it was linked, and what its code does (`what`: "reads OPENAI_API_KEY at web/app.py:3").
    pub fn reaching(&self, what: &str) -> String {
        if let Some(entry) = &self.entry {
            return format!("{} runs `{entry}`, whose code {what}", self.name);
        }
        let which = match self.runs {
            Runs::Compose { .. } if self.link.starts_with("builds") => "which",
            _ => "whose code",
        };
        format!("{} {}, {which} {what}", self.name, self.link)
    }

    /// The related locations of a finding on this unit: where the code does `what`, then where
    /// the link to the code was made.
    pub fn related<'s>(
        &self,
        code: impl IntoIterator<Item = (&'s Summary, Range<usize>, String)>,
    ) -> Vec<(crate::finding::Place<'s>, String)>
    where
        'a: 's,
    {
        code.into_iter()
            .chain(self.via.clone())
            .map(|(summary, span, message)| {
                let place = crate::finding::Place {
                    path: &summary.path,
                    bytes: summary.bytes(),
                    span,
                };
                (place, message)
            })
            .collect()
    }

    /// A one-off task (a migration, a prestart step, a wait, a Job) rather than the
    /// application. Workers that run the same code with another command are not one-off.
    pub fn one_off(&self) -> bool {
        let (command, forced) = match &self.runs {
            Runs::Compose { service, .. } => (&service.command, service.awaited),
            Runs::Kube(container) => (&container.command, container.in_job),
        };
        forced
            || command
                .as_deref()
                .is_some_and(|command| ONE_OFF_COMMANDS.iter().any(|word| command.contains(word)))
    }

    /// A one-off task that runs the same code as a unit providing `variable`: a migration
    /// sharing the application's image needs none of its keys.
    pub fn one_off_beside_provider(&self, wiring: &Wiring<'a>, variable: &str) -> bool {
        self.one_off()
            && wiring.units.iter().any(|other| {
                !other.one_off()
                    && other.root == self.root
                    && matches!(other.provides(wiring, variable), Provision::Provided)
            })
    }

    /// Secret files the unit's code reads.
    pub fn secret_reads(&self, wiring: &Wiring<'a>) -> Vec<(&'a Summary, &'a SecretRead)> {
        let mut reads: Vec<(&Summary, &SecretRead)> = Vec::new();
        for summary in self.code(wiring) {
            for read in &summary.secret_reads {
                if !reads.iter().any(|(_, r)| r.path == read.path) {
                    reads.push((summary, read));
                }
            }
        }
        reads
    }

    pub(super) fn code(&self, wiring: &Wiring<'a>) -> Box<dyn Iterator<Item = &'a Summary> + '_> {
        if let Some(reached) = &self.reached {
            return Box::new(reached.files.iter().copied());
        }
        // Summaries are sorted by path, so the files under the root are one run of them.
        let summaries: &'a [Summary] = wiring.summaries;
        let summaries: &'a [Summary] = if self.root.is_empty() {
            summaries
        } else {
            let prefix = format!("{}/", self.root);
            let start = summaries.partition_point(|s| s.path.as_str() < prefix.as_str());
            let len = summaries[start..]
                .iter()
                .take_while(|s| s.path.starts_with(&prefix))
                .count();
            &summaries[start..start + len]
        };
        // Code under a deeper application root is that application's: `build: .` does not
        // run `frontend/`, which `build: ./frontend` builds.
        let deeper: Vec<String> = wiring
            .roots
            .iter()
            .filter(|r| **r != self.root && under(&self.root, r))
            .cloned()
            .collect();
        Box::new(summaries.iter().filter(move |s| {
            s.kind.is_source()
                && under(&self.root, &s.path)
                && deployed(&s.path[self.root.len()..])
                && !deeper.iter().any(|r| under(r, &s.path))
                && self
                    .copied
                    .as_ref()
                    .is_none_or(|sources| sources.iter().any(|c| *c == s.path || under(c, &s.path)))
        }))
    }

    /// Whether a read in `file` makes the unit need its variable: a required read the unit
    /// runs (an imported module's top level only, when the unit runs tests that import it),
    /// or a provider's read when the unit selects that provider.
    fn runs_read(&self, wiring: &Wiring<'a>, file: &Summary, consumer: &Consumer) -> bool {
        let runs = self
            .reached
            .as_ref()
            .is_none_or(|reached| reached.runs(file, consumer));
        runs && match &consumer.kind {
            ReadKind::Required => true,
            ReadKind::Provider(provider) => !provider.is_empty() && self.selects(wiring, provider),
            _ => false,
        }
    }

    /// Whether the unit's own settings name a provider (`LLM_PROVIDER: deepseek`,
    /// `MODEL: claude-3-5-sonnet`).
    pub fn selects(&self, wiring: &Wiring<'a>, provider: &str) -> bool {
        match &self.runs {
            Runs::Compose { service, .. } => service_views(wiring, self.summary, &service.name)
                .iter()
                .any(|(file, view)| {
                    file.compose.as_ref().is_some_and(|c| {
                        c.values.iter().any(|(s, value)| {
                            *s == view.name
                                && (value.contains(provider)
                                    || crate::providers::selected_by(value)
                                        .is_some_and(|ids| ids.contains(&provider)))
                        })
                    })
                }),
            Runs::Kube(_) => false,
        }
    }
}

/// Traces what a unit runs: its own command, else its image's `ENTRYPOINT` and `CMD`, resolved
/// from its root (or from the directories its Dockerfile copies), and followed through imports.
/// A unit whose command cannot be traced keeps the link by folder.
fn trace<'a>(
    unit: &mut Unit<'a>,
    by_path: &HashMap<&str, &'a Summary>,
    index: &CodeIndex<'a>,
    disk: &Disk,
) {
    let (own, replaces_entrypoint, target) = match &unit.runs {
        Runs::Compose { service, .. } => (
            service.command.clone(),
            service.replaces_entrypoint,
            service.build.as_ref().and_then(|b| b.target.clone()),
        ),
        Runs::Kube(container) => (
            container.command.clone(),
            container.replaces_entrypoint,
            None,
        ),
    };
    let image = unit
        .dockerfile
        .as_deref()
        .and_then(|d| by_path.get(d))
        .map(|d| image_command(d, target.as_deref()))
        .unwrap_or_default();
    // `command` alone replaces the image's CMD and keeps its ENTRYPOINT.
    let command = match (own, image) {
        (Some(own), _) if replaces_entrypoint => Some(own),
        (Some(own), (Some(entrypoint), _)) => Some(format!("{entrypoint} {own}")),
        (Some(own), _) => Some(own),
        (None, (Some(entrypoint), Some(cmd))) => Some(format!("{entrypoint} {cmd}")),
        (None, (entrypoint, cmd)) => entrypoint.or(cmd),
    };
    let Some(command) = command else {
        return;
    };
    let mut directories = vec![unit.root.clone()];
    directories.extend(
        unit.copied
            .iter()
            .flatten()
            .filter(|c| disk.is_dir(c))
            .cloned(),
    );
    for cwd in directories {
        let launches = entry::launches(&command, &cwd, disk);
        if launches.is_empty() {
            continue;
        }
        let traced: Option<Vec<std::rc::Rc<Reached>>> = launches
            .iter()
            .map(|l| index.reach(&l.target, disk))
            .collect();
        if let Some(traced) = traced {
            unit.entry = Some(shorten(&command));
            unit.entry_env = launches.into_iter().flat_map(|l| l.env).collect();
            unit.reached = Some(Reached::merge(&traced));
            return;
        }
    }
}

/// The `ENTRYPOINT` and `CMD` of the stage a Dockerfile builds (the `target`, else the last),
/// inherited through `FROM <earlier stage>`.
fn image_command(dockerfile: &Summary, target: Option<&str>) -> (Option<String>, Option<String>) {
    let parsed = crate::parse::dockerfile::parse(dockerfile.bytes());
    let named = |name: &str| {
        parsed.stages.iter().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    let mut stage = match target {
        Some(target) => named(target).or(parsed.stages.last()),
        None => parsed.stages.last(),
    };
    let (mut entrypoint, mut cmd) = (None, None);
    for _ in 0..8 {
        let Some(current) = stage else {
            break;
        };
        for instruction in parsed
            .instructions
            .iter()
            .filter(|i| i.stage == Some(current.index))
        {
            let slot = match instruction.keyword.as_str() {
                "ENTRYPOINT" => &mut entrypoint,
                "CMD" => &mut cmd,
                _ => continue,
            };
            *slot = Some(instruction_command(dockerfile, instruction));
        }
        if entrypoint.is_some() || cmd.is_some() {
            break;
        }
        stage = named(&current.base).filter(|s| s.index < current.index);
    }
    (entrypoint, cmd)
}

/// A `CMD` or `ENTRYPOINT` as a command line (exec form joined, with quotes where needed).
fn instruction_command(
    dockerfile: &Summary,
    instruction: &crate::parse::dockerfile::Instruction,
) -> String {
    let args = instruction_args(dockerfile, instruction);
    match serde_json::from_str::<Vec<String>>(&args) {
        Ok(words) => words
            .iter()
            .map(|w| {
                if w.contains(char::is_whitespace) {
                    format!("'{w}'")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => args,
    }
}

/// What follows an instruction's keyword, its line continuations joined.
fn instruction_args(
    dockerfile: &Summary,
    instruction: &crate::parse::dockerfile::Instruction,
) -> String {
    let text =
        String::from_utf8_lossy(&dockerfile.bytes()[instruction.span.clone()]).replace("\\\n", " ");
    text.trim()[instruction.keyword.len()..].trim().to_owned()
}

/// A command cut to a readable length for a message.
pub fn shorten(line: &str) -> String {
    const MAX_CHARS: usize = 60;
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MAX_CHARS {
        return line;
    }
    let cut: String = line.chars().take(MAX_CHARS - 1).collect();
    format!("{cut}…")
}

/// `api` of "Deployment `api`".
pub fn workload_name(workload: &str) -> &str {
    workload.split('`').nth(1).unwrap_or(workload)
}

/// Words of the commands of one-off tasks.
const ONE_OFF_COMMANDS: &[&str] = &[
    "migrate",
    "alembic",
    "prestart",
    "db upgrade",
    "db-upgrade",
    "collectstatic",
    "wait-for",
    "wait_for",
    "seed",
];

/// Public images that never run the repository's code.
const PUBLIC_IMAGES: &[&str] = &[
    "alpine",
    "busybox",
    "caddy",
    "cassandra",
    "consul",
    "couchdb",
    "curl",
    "debian",
    "elasticsearch",
    "envoy",
    "etcd",
    "grafana",
    "haproxy",
    "httpd",
    "influxdb",
    "jaeger",
    "kafka",
    "keycloak",
    "localstack",
    "mailhog",
    "mariadb",
    "memcached",
    "minio",
    "mongo",
    "mongodb",
    "mysql",
    "nats",
    "neo4j",
    "nginx",
    "nginx-unprivileged",
    "opensearch",
    "pgbouncer",
    "pgvector",
    "postgis",
    "postgres",
    "postgresql",
    "prometheus",
    "qdrant",
    "rabbitmq",
    "redis",
    "redis-stack",
    "traefik",
    "ubuntu",
    "valkey",
    "vault",
    "weaviate",
    "zookeeper",
    "otel-collector",
    "opentelemetry-collector",
    "cloud-sql-proxy",
    "pause",
    "ollama",
    "vllm",
    "vllm-openai",
    "litellm",
    "chroma",
    "open-webui",
    "langfuse",
    "text-generation-inference",
    "infinity",
    "milvus",
    "meilisearch",
    "typesense",
];

/// Registries and Docker Hub organisations of third-party images (exporters, proxies, agents).
const PUBLIC_PREFIXES: &[&str] = &[
    "prom/",
    "bitnami/",
    "grafana/",
    "quay.io/",
    "docker.elastic.co/",
    "registry.k8s.io/",
    "k8s.gcr.io/",
    "gcr.io/google-containers/",
    "gcr.io/distroless/",
    "mcr.microsoft.com/",
    "public.ecr.aws/",
    "cgr.dev/",
    "otel/",
    "jaegertracing/",
    "envoyproxy/",
    "istio/",
    "linkerd/",
    "hashicorp/",
    "datadog/",
    "gcr.io/datadoghq/",
    "newrelic/",
    "fluent/",
    "fluentd/",
    "amazon/",
    "curlimages/",
    "minio/",
    "confluentinc/",
    "openpolicyagent/",
];

/// Name endings of sidecars and agents.
const SIDECAR_SUFFIXES: &[&str] = &["-exporter", "-proxy", "-sidecar", "-agent", "-collector"];

/// Whether an image is a well-known public one, never the repository's code.
fn public_image(image: &str) -> bool {
    let repository = image_repository(image);
    let name = image_name(image);
    PUBLIC_IMAGES.contains(&name)
        || PUBLIC_PREFIXES.iter().any(|p| repository.starts_with(p))
        || SIDECAR_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The repository of an image reference, without registry defaults, tag or digest.
fn image_repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    let image = match image[last_slash..].find(':') {
        Some(colon) => &image[..last_slash + colon],
        None => image,
    };
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    image.strip_prefix("library/").unwrap_or(image)
}

fn image_name(image: &str) -> &str {
    let repository = image_repository(image);
    repository.rsplit('/').next().unwrap_or(repository)
}

/// Links an image to the code it runs.
fn link_image<'a>(
    image: &str,
    builds: &[Build<'a>],
    dockerfiles: &[&'a Summary],
    only_root: Option<&(String, String)>,
) -> Option<Link<'a>> {
    let repository = image_repository(image);
    if repository.is_empty() || image.contains('$') || image.contains("{{") || public_image(image) {
        return None;
    }
    let name = image_name(image);
    if let Some(build) = builds.iter().find(|b| {
        b.service
            .image
            .as_deref()
            .is_some_and(|i| image_repository(i) == repository)
    }) {
        let context = &build.service.build.as_ref()?.context;
        return Some((
            build.root.clone(),
            format!(
                "runs image `{image}`, which service `{}` of {} builds from {context}",
                build.service.name, build.compose.path
            ),
            Some(build.dockerfile.clone()),
            Some((
                build.compose,
                build.service.name_span.clone(),
                format!(
                    "service `{}` builds image `{image}` here",
                    build.service.name
                ),
            )),
        ));
    }
    let named: Vec<&&Summary> = dockerfiles
        .iter()
        .filter(|d| {
            let file = d.path.rsplit('/').next().unwrap_or(&d.path);
            let dir = dir_of(&d.path).rsplit('/').next().unwrap_or("");
            dir == name
                || file.strip_prefix("Dockerfile.") == Some(name)
                || file.strip_suffix(".Dockerfile") == Some(name)
        })
        .collect();
    if let [dockerfile] = named[..] {
        return Some((
            dir_of(&dockerfile.path).to_owned(),
            format!("runs image `{image}`, built by {}", dockerfile.path),
            Some(dockerfile.path.clone()),
            Some(first_line(
                dockerfile,
                "this Dockerfile builds the image (by its name)",
            )),
        ));
    }
    let (root, dockerfile) = only_root?;
    let via = dockerfiles
        .iter()
        .find(|d| d.path == *dockerfile)
        .map(|d| first_line(d, "the repository's only application is built here"));
    Some((
        root.clone(),
        format!(
            "runs image `{image}`, and the repository's only application is built by {dockerfile}"
        ),
        Some(dockerfile.clone()),
        via,
    ))
}

/// The first instruction of a Dockerfile, as a related location.
fn first_line<'a>(dockerfile: &'a Summary, words: &str) -> (&'a Summary, Range<usize>, String) {
    let mut start = 0;
    for line in dockerfile.bytes().split(|&b| b == b'\n') {
        let text = line.trim_ascii();
        if !text.is_empty() && !text.starts_with(b"#") {
            let offset = line.len() - line.trim_ascii_start().len();
            return (
                dockerfile,
                start + offset..start + offset + text.len(),
                words.to_owned(),
            );
        }
        start += line.len() + 1;
    }
    (dockerfile, 0..0, words.to_owned())
}

/// The paths a Dockerfile copies from its build context (`COPY`/`ADD` sources, not those of
/// `--from` stages or URLs), joined to `root`; None when it copies the whole context (`.`),
/// uses a pattern, or copies nothing.
fn copied_sources(dockerfile: &Summary, root: &str) -> Option<Vec<String>> {
    let parsed = crate::parse::dockerfile::parse(dockerfile.bytes());
    let mut sources = Vec::new();
    for instruction in &parsed.instructions {
        if !matches!(instruction.keyword.as_str(), "COPY" | "ADD")
            || instruction.flags.iter().any(|f| f.name == "from")
        {
            continue;
        }
        let args = instruction_args(dockerfile, instruction);
        let args = args.as_str();
        let words: Vec<String> = if args.starts_with('[') {
            args.trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .map(|w| w.trim().trim_matches('"').to_owned())
                .collect()
        } else {
            args.split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_owned())
                .collect()
        };
        let Some((_, from)) = words.split_last() else {
            continue;
        };
        for source in from {
            if source.contains("://") || source.starts_with('<') {
                continue;
            }
            if source.contains(['*', '?', '[', '$']) {
                return None;
            }
            let joined = join(root, source)?;
            if joined == root {
                return None;
            }
            sources.push(joined);
        }
    }
    (!sources.is_empty()).then_some(sources)
}

/// A compose file that describes a deployment: dev containers (`.devcontainer/`) get their
/// environment from `devcontainer.json`, and are not judged.
fn deployed_compose(summary: &Summary) -> Option<&ComposeSummary> {
    let in_devcontainer =
        summary.path.starts_with(".devcontainer/") || summary.path.contains("/.devcontainer/");
    summary.compose.as_deref().filter(|_| !in_devcontainer)
}

/// Whether a mount at `mount` makes `path` exist: a directory over the file, or the file
/// itself (a `subPath` or single-file bind mount).
pub fn covers(mount: &str, path: &str) -> bool {
    let mount = mount.trim_end_matches('/');
    path == mount
        || path
            .strip_prefix(mount)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Directory part of a `/`-separated path ("" at the top).
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir` joined with a relative path, `.` and `..` resolved; None for URLs and absolute paths.
pub fn join(dir: &str, relative: &str) -> Option<String> {
    if relative.contains("://") || relative.starts_with('/') || relative.starts_with("git@") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let absolute = dir.starts_with('/');
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(if absolute {
        format!("/{joined}")
    } else {
        joined
    })
}

/// Whether `path` is inside the directory `root`.
pub fn under(root: &str, path: &str) -> bool {
    root.is_empty()
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Directories whose code a deployment does not run.
const NOT_DEPLOYED_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "e2e",
    "examples",
    "example",
    "docs",
    "scripts",
    "notebooks",
    ".github",
    "hack",
    "tools",
];

/// Whether code at `path` (relative to the unit's root) is what the unit runs.
pub fn deployed(path: &str) -> bool {
    let mut components = path.split('/').filter(|p| !p.is_empty());
    let Some(file) = components.next_back() else {
        return false;
    };
    if components.any(|dir| NOT_DEPLOYED_DIRS.contains(&dir)) {
        return false;
    }
    !(file.to_ascii_lowercase().ends_with(".ipynb") || crate::file_role::test_file_name(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(dir_of("a/b/c.yaml"), "a/b");
        assert_eq!(dir_of("c.yaml"), "");
        assert_eq!(join("a/b", "./web").as_deref(), Some("a/b/web"));
        assert_eq!(join("a/b", "..").as_deref(), Some("a"));
        assert_eq!(join("", ".").as_deref(), Some(""));
        assert_eq!(join("", "../x").as_deref(), Some("../x"));
        assert_eq!(join("/tmp/r", "web/").as_deref(), Some("/tmp/r/web"));
        assert_eq!(join("a", "https://github.com/x/y.git"), None);
        assert!(under("a/web", "a/web/app.py"));
        assert!(!under("a/web", "a/webapp/app.py"));
        assert!(under("", "app.py"));
    }

    #[test]
    fn images() {
        assert_eq!(image_repository("ghcr.io/acme/web:1.2"), "ghcr.io/acme/web");
        assert_eq!(image_repository("localhost:5000/web"), "localhost:5000/web");
        assert_eq!(
            image_repository("docker.io/library/redis:7@sha256:ab"),
            "redis"
        );
        assert_eq!(image_name("ghcr.io/acme/web:1.2"), "web");
        for public in [
            "postgres:16",
            "prom/statsd-exporter:v0.26.0",
            "quay.io/oauth2-proxy/oauth2-proxy:v7",
            "ghcr.io/acme/cloud-sql-proxy",
            "docker.io/library/redis",
        ] {
            assert!(public_image(public), "{public}");
        }
        assert!(!public_image("ghcr.io/acme/assistant:2.0"));
        assert!(!public_image("acme/api"));
    }

    #[test]
    fn deployed_code() {
        assert!(deployed("/app/main.py"));
        assert!(deployed("/src/server.ts"));
        for not in [
            "/tests/test_app.py",
            "/app/test_main.py",
            "/pkg/client_test.go",
            "/src/app.test.ts",
            "/explore.ipynb",
            "/scripts/deploy.sh",
            "/conftest.py",
        ] {
            assert!(!deployed(not), "{not}");
        }
    }
}
