//! `stable-abi port`: what stands between an extension's C sources and the
//! Stable ABI (abi3, or abi3t), found without a compiler.
//!
//! Each source is preprocessed as a compiler would, over the headers it is
//! built with ([`crate::view::Sources`]): its own conditionals are evaluated
//! with `Py_LIMITED_API` (or `Py_TARGET_ABI3T`) set, and its active code is
//! then read for uses ([`scan`]) and judged by what the views of the same
//! headers say of each name ([`api`]). Each blocker is a finding with its
//! code ([`codes`]) and, where one exists, a replacement from
//! `replacements.toml` ([`replacements`]) with its source. [`summary`]
//! makes what a maintainer decides on: the distinct blockers and their
//! uses, how many have a direct replacement, and the lowest version the
//! code would need once they are made, for abi3 and for abi3t.
//!
//! The target version of a source is `--target`, else its own `#define
//! Py_LIMITED_API` (or `Py_TARGET_ABI3T`), else the oldest version the
//! names it uses allow (walked again at that version, until it holds).

pub mod api;
pub mod codes;
pub mod fix;
mod fuzz;
pub mod guard;
mod includes;
pub mod output;
pub mod readiness;
pub mod replacements;
pub mod scan;
pub mod summary;
pub mod system;

use std::path::{Path, PathBuf};

use crate::abi::Abi;
use crate::diagnostic::{Finding, Location};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::version::Version;
use crate::view::{Defines, FileId, Headers, Sources, Unit};

pub use fuzz::fuzz_port;

use api::Api;
use fix::Fix;
use guard::GuardKind;
use replacements::Replacements;
use scan::{Blocker, Found, Kind};
use system::SystemNames;

/// What to port, and for what.
#[derive(Clone, Debug)]
pub struct Options {
    /// The ABI findings are reported for (the summary has both).
    pub abi: Abi,
    /// `--target`: the version every source is judged for.
    pub target: Option<Version>,
    /// `-I` directories.
    pub include_dirs: Vec<PathBuf>,
}

/// Where a source's target version came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetFrom {
    /// `--target`.
    CommandLine,
    /// The source's own `#define Py_LIMITED_API` (or `Py_TARGET_ABI3T`);
    /// `raised` when it is older than the ABI's first version (abi3t: 3.15),
    /// which is the target then.
    Source { location: Location, raised: bool },
    /// The oldest version its names allow (abi3t: never before 3.15).
    Computed,
}

/// One source, judged for one ABI.
#[derive(Clone, Debug)]
pub struct Judged {
    pub path: PathBuf,
    pub abi: Abi,
    pub target: Version,
    pub target_from: TargetFrom,
    pub found: Found,
    /// The findings of [`Judged::found`]'s blockers, one per use.
    pub findings: Vec<Finding>,
}

/// Everything `port` found.
#[derive(Debug, Default)]
pub struct Report {
    /// The sources judged for the ABI asked for, in the order given.
    pub judged: Vec<Judged>,
    /// The same sources judged for the other ABI (when the headers have it),
    /// for the summary.
    pub other: Vec<Judged>,
    /// Sources that could not be preprocessed, with why.
    pub errors: Vec<Error>,
}

/// The headers, what their views say, and the replacements: made once,
/// used for every source.
pub struct Port<'h> {
    headers: &'h Headers,
    pub api: Api,
    pub replacements: Replacements,
    pub system: SystemNames,
}

impl<'h> Port<'h> {
    /// Reads the views of `headers` (loaded as extensions see them:
    /// [`crate::view::Config::for_extensions`]) and the versions of
    /// `manifest`.
    ///
    /// Errors: a bad header.
    pub fn new(headers: &'h Headers, manifest: &Manifest) -> Result<Port<'h>> {
        Ok(Port {
            headers,
            api: Api::build(headers, manifest)?,
            replacements: Replacements::builtin(),
            system: SystemNames::builtin(),
        })
    }

    /// The ABIs the headers have: abi3, and abi3t from 3.15.
    pub fn abis(&self) -> Vec<Abi> {
        Abi::ALL
            .into_iter()
            .filter(|abi| abi.first_version() <= self.api.version)
            .collect()
    }

    /// Judges every source of `paths` (files, and the C and C++ sources
    /// under directories).
    ///
    /// Errors: a usage error when `--abi abi3t` is asked of headers that
    /// predate it, or a target is outside the headers' range; an
    /// unreadable path or a source that cannot be preprocessed is in
    /// [`Report::errors`].
    pub fn run(&self, paths: &[PathBuf], options: &Options) -> Result<Report> {
        let abis = self.abis();
        if !abis.contains(&options.abi) {
            return Err(Error::usage(format!(
                "{} begins with {} (PEP 803); these headers are {}",
                options.abi,
                options.abi.first_version(),
                self.api.version
            )));
        }
        if let Some(target) = options.target {
            if target > self.api.version || target < options.abi.first_version() {
                return Err(Error::usage(format!(
                    "--target {target}: {} of these headers runs from {} to {}",
                    options.abi,
                    options.abi.first_version(),
                    self.api.version
                )));
            }
        }
        // The ABI asked for first: when a source cannot be preprocessed, the
        // error is its.
        let mut order = vec![options.abi];
        order.extend(abis.into_iter().filter(|&abi| abi != options.abi));
        let mut report = Report::default();
        let mut sources = Sources::new(self.headers, &options.include_dirs);
        for path in expand_paths(paths, &mut report.errors) {
            let main = match sources.add(&path) {
                Ok(main) => main,
                Err(error) => {
                    report.errors.push(error);
                    continue;
                }
            };
            for &abi in &order {
                match self.judge(&mut sources, main, &path, abi, options) {
                    Ok(judged) if abi == options.abi => report.judged.push(judged),
                    Ok(judged) => report.other.push(judged),
                    Err(error) => {
                        if abi == options.abi {
                            report.errors.push(error);
                        }
                        break;
                    }
                }
            }
        }
        Ok(report)
    }

    /// One source for one ABI.
    fn judge(
        &self,
        sources: &mut Sources,
        main: FileId,
        path: &Path,
        abi: Abi,
        options: &Options,
    ) -> Result<Judged> {
        let first = abi.first_version();
        let (mut target, target_from) = match options.target {
            Some(target) => (target.max(first), TargetFrom::CommandLine),
            // A source that defines neither macro has no target of its
            // own: no walk is needed to find one.
            None if !sources.defines_any(&["Py_LIMITED_API", "Py_TARGET_ABI3T"]) => {
                (first, TargetFrom::Computed)
            }
            None => {
                let plain = sources.walk(main, &Defines::default())?;
                match own_target(&plain, abi) {
                    Some((version, location)) => (
                        version.max(first),
                        TargetFrom::Source {
                            location,
                            raised: version < first,
                        },
                    ),
                    None => (first, TargetFrom::Computed),
                }
            }
        };
        // A computed target is walked again at the version the names need,
        // until that version holds (a source may test Py_LIMITED_API).
        let mut rounds = 0;
        let scan = |unit: &Unit, target| scan::scan(unit, &self.api, &self.system, abi, target);
        let found = loop {
            let unit = sources.walk(main, &abi_defines(abi, target))?;
            if target_from != TargetFrom::Computed || rounds == 3 {
                break scan(&unit, target);
            }
            let newest = scan(&unit, self.api.version);
            let needed = newest
                .needs
                .values()
                .copied()
                .max()
                .unwrap_or(first)
                .max(first);
            if needed == target {
                break scan(&unit, target);
            }
            target = needed;
            rounds += 1;
        };
        let findings = found
            .blockers
            .iter()
            .map(|blocker| self.finding(sources, blocker, abi, target))
            .collect();
        Ok(Judged {
            path: path.to_path_buf(),
            abi,
            target,
            target_from,
            found,
            findings,
        })
    }

    /// The finding of one blocking use.
    fn finding(&self, sources: &Sources, blocker: &Blocker, abi: Abi, target: Version) -> Finding {
        let name = &blocker.name;
        let limited = match abi {
            Abi::Abi3 => "the Limited API",
            Abi::Abi3t => "abi3t",
        };
        let (code, message) = match (&blocker.kind, &blocker.member) {
            (Kind::FullOnly, _) => (
                &codes::FULL_API_ONLY,
                match self.api.expands_to(name) {
                    Some(outside) => format!(
                        "{name} is defined under Py_LIMITED_API, but expands to {}, which the \
                         Limited API does not have (the full API declares them)",
                        outside.join(" and ")
                    ),
                    None => format!("{name} is not in the Limited API (the full API declares it)"),
                },
            ),
            (Kind::OnlySkipped, _) => (
                &codes::FULL_API_ONLY,
                format!(
                    "{name} is not in {limited}: only the source's own code for other \
                     configurations declares it, which {limited} leaves out"
                ),
            ),
            (Kind::Newer(since), _) => (
                &codes::NEWER_THAN_TARGET,
                format!("{name} is in {limited} from {since}, after the target {target}"),
            ),
            (Kind::Early(added), _) => (
                &codes::NEWER_THAN_TARGET,
                format!(
                    "{name} is declared for {target}, but the manifest says the Stable ABI added \
                     it in {added}: built for {target}, the extension may not load before {added}"
                ),
            ),
            (Kind::OpaqueMember, member) => (
                &codes::OPAQUE_MEMBER,
                format!(
                    "{} is a member of {}, which the Limited API keeps opaque",
                    member.as_deref().unwrap_or(name),
                    owners(blocker)
                ),
            ),
            (Kind::OpaqueObject, _) => (
                &codes::OPAQUE_OBJECT,
                format!(
                    "{name} is opaque in the Limited API: no object of it can be defined, nor \
                     its size taken"
                ),
            ),
            (Kind::HiddenByAbi3t(why), member) => (
                &codes::HIDDEN_BY_ABI3T,
                match (why, member, blocker.object) {
                    (_, Some(member), _) => format!(
                        "{member} is a member of {}, which abi3t makes opaque (abi3 has it)",
                        owners(blocker)
                    ),
                    (_, None, true) => format!(
                        "{name} is complete in abi3 but opaque in abi3t: no object of it can be \
                         defined, nor its size taken"
                    ),
                    (Some(why), None, false) => format!(
                        "{name} needs a {why}, which abi3t makes opaque: extensions cannot use it"
                    ),
                    (None, None, false) => format!("{name} is hidden by abi3t (abi3 has it)"),
                },
            ),
            (Kind::MissingInclude(headers), _) => (
                &codes::MISSING_INCLUDE,
                format!(
                    "{name} is declared by {}, which the source does not include: Python.h \
                     includes it for the full API, not for {abi} {target}",
                    headers
                        .iter()
                        .map(|h| format!("<{h}>"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ),
        };
        let mut finding = Finding::error(code.name, name.clone(), message)
            .at(Some(sources.location(blocker.file, blocker.offset)))
            .abi(abi);
        // Where the headers or the source say why, first.
        match (&blocker.kind, blocker.guard) {
            (Kind::MissingInclude(headers), _) => {
                for header in headers {
                    if let Some(at) = self.api.full_api_includes(header) {
                        let below = match self.api.includes_below(header, abi) {
                            Some(version) => format!(" or below {version}"),
                            None => String::new(),
                        };
                        finding = finding.note(
                            Some(at.clone()),
                            format!(
                                "Python.h includes <{header}> here only without \
                                 Py_LIMITED_API{below}"
                            ),
                        );
                    }
                }
            }
            (Kind::Newer(_) | Kind::Early(_), Some(guard)) => {
                let headers = self.api.version;
                let message = match guard.kind {
                    GuardKind::Fallback => format!(
                        "the source's own {name} for older Pythons is under this #if on \
                         PY_VERSION_HEX: the version of the headers ({headers}), not the \
                         target's, so it is left out for {target} too"
                    ),
                    GuardKind::Version => format!(
                        "the use is under this #if on PY_VERSION_HEX: the version of the \
                         headers ({headers}), not the target's, so it is compiled for {target} \
                         too"
                    ),
                    GuardKind::Feature => format!(
                        "the use is under this #ifdef: the headers ({headers}) define that name \
                         at {target} too, so it is compiled for {target}"
                    ),
                };
                finding =
                    finding.note(Some(sources.location(guard.file, guard.directive)), message);
            }
            _ => {}
        }
        for note in
            Fix::of(blocker, &self.replacements, &self.api, abi).notes(&self.api, abi, limited)
        {
            finding = finding.note(None, note);
        }
        match blocker.kind {
            Kind::Newer(since) => finding = finding.versions(vec![since]),
            Kind::Early(added) => finding = finding.versions(vec![added]).as_warning(),
            _ => {}
        }
        finding
    }
}

/// The structs a member blocker names: `PyTypeObject`, or `PyASCIIObject
/// or PyCompactUnicodeObject` when several of the full API's have it (its
/// object's type is not known).
fn owners(blocker: &Blocker) -> String {
    let owners = &blocker.owners;
    match owners.len() {
        0 => blocker
            .name
            .split('.')
            .next()
            .unwrap_or_default()
            .to_string(),
        1 => owners[0].clone(),
        2..=3 => {
            let (last, first) = owners.split_last().unwrap_or((&owners[0], &[]));
            format!("{} or {last}", first.join(", "))
        }
        more => format!("{} or {} more", owners[..3].join(", "), more - 3),
    }
}

/// The `-D`s that select `abi` at `version` (after the user's, which the
/// headers were loaded with).
fn abi_defines(abi: Abi, version: Version) -> Defines {
    let mut defines = Defines::default();
    match abi {
        Abi::Abi3 => defines.defines.push((
            "Py_LIMITED_API".into(),
            format!("{:#x}", version.limited_api_value()),
        )),
        Abi::Abi3t => defines.defines.extend(abi.defines(version)),
    }
    defines
}

/// The version a source selects itself, with its `#define`: for abi3 its
/// `Py_LIMITED_API`, for abi3t its `Py_TARGET_ABI3T` (else its
/// `Py_LIMITED_API`, which abi3t raises to 3.15).
fn own_target(unit: &Unit, abi: Abi) -> Option<(Version, Location)> {
    let candidates = match abi {
        Abi::Abi3 => vec![&unit.limited_api],
        Abi::Abi3t => vec![&unit.target_abi3t, &unit.limited_api],
    };
    candidates.into_iter().flatten().find_map(|value| {
        let version = Version::of_limited_api_value(u32::try_from(value.value).ok()?)?;
        value.in_unit.then(|| (version, value.location.clone()))
    })
}

/// The files of `paths`: each file as given, and the C and C++ sources
/// (`.c`, `.cc`, `.cpp`, `.cxx`) under each directory, sorted. A path that
/// does not exist is an error in `errors`.
pub fn expand_paths(paths: &[PathBuf], errors: &mut Vec<Error>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            let mut pending = vec![path.clone()];
            while let Some(dir) = pending.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    errors.push(Error::file(&dir, "cannot read the directory"));
                    continue;
                };
                for entry in entries.flatten() {
                    // `./a.c` is shown `a.c`, as in the findings.
                    let path: PathBuf = entry
                        .path()
                        .components()
                        .filter(|c| !matches!(c, std::path::Component::CurDir))
                        .collect();
                    let hidden = entry.file_name().to_string_lossy().starts_with('.');
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        if !hidden {
                            pending.push(path);
                        }
                    } else if is_source(&path) {
                        found.push(path);
                    }
                }
            }
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            errors.push(Error::file(path, "no such file or directory"));
        }
    }
    files
}

fn is_source(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "c" | "cc" | "cpp" | "cxx"))
}
