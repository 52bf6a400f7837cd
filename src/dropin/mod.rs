//! The drop-in for CPython's `Tools/build/stable_abi.py`: same flags, same
//! meanings, same generated files, same verdicts, as the script of the
//! tree's own release has them (its edition, `generate::editions`).
//!
//! Everything that reproduces the reference tool lives here: the release in
//! effect and its edition ([`edition_for`]), the actions of a [`Request`]
//! ([`run`]: list, dump, check or generate each file, `--unixy-check`), the
//! header and library half of `--unixy-check` ([`unixy`]), the verdicts
//! the reference tool reaches on the headers ([`verdicts`]) and how the
//! header findings are reported, quiet when all is well
//! ([`HeaderReport`], also used by `stable-abi pre-commit`). The generated
//! files themselves are rendered by [`crate::generate`]. The command line is
//! turned into a [`Request`] by `commands::dropin`; a new drop-in flag is a
//! field here.

mod header_report;
mod unixy;
mod verdicts;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diagnostic::{LocatedError, Location};
use crate::error::{Error, Result};
use crate::generate::editions::{Edition, Fit, NEWEST_KNOWN};
use crate::generate::{update_file, Update, GENERATORS};
use crate::manifest::{self, Manifest, Rules};
use crate::pyfmt;
use crate::release::{InEffect, Release};
use crate::view::Defines;
use crate::Outcome;

pub use header_report::{other_platforms, HeaderReport};
pub use verdicts::verdicts;

/// The baseline's file name, beside the manifest
/// (`Misc/stable_abi_baseline.txt`).
pub const BASELINE_FILE: &str = "stable_abi_baseline.txt";

/// Where the baseline of the manifest at `manifest` is (whether or not it
/// exists): beside it, `Misc/stable_abi_baseline.txt`.
pub fn baseline_beside(manifest: &Path) -> PathBuf {
    manifest.with_file_name(BASELINE_FILE)
}

/// Which accepted header findings apply to a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BaselineChoice {
    /// [`baseline_beside`] the manifest, when that file exists (the default).
    #[default]
    Beside,
    /// This file (`--baseline FILE`), which must exist.
    File(PathBuf),
    /// None (`--no-baseline`).
    Off,
}

impl BaselineChoice {
    /// From `--baseline FILE` and `--no-baseline` (which clap keeps apart).
    pub fn from_flags(file: Option<&Path>, none: bool) -> BaselineChoice {
        match (file, none) {
            (Some(path), _) => BaselineChoice::File(path.to_path_buf()),
            (None, true) => BaselineChoice::Off,
            (None, false) => BaselineChoice::Beside,
        }
    }

    /// The baseline file in effect for the manifest at `manifest`, if any.
    pub fn resolve(&self, manifest: &Path) -> Option<PathBuf> {
        match self {
            // A FIFO or device there is read, and refused saying what it
            // is, rather than silently not applied.
            BaselineChoice::Beside => {
                Some(baseline_beside(manifest)).filter(|p| crate::input::is_present(p))
            }
            BaselineChoice::File(path) => Some(path.clone()),
            BaselineChoice::Off => None,
        }
    }
}

/// Where one generated file is checked or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The generator's default path, under the manifest's tree.
    DefaultPath,
    /// A path given on the command line.
    Path(PathBuf),
}

/// What one drop-in invocation asks for.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The manifest (`Misc/stable_abi.toml`).
    pub manifest: PathBuf,
    /// Write the files rather than check them (`--generate`,
    /// `--generate-all`).
    pub generate: bool,
    /// Every generator at its default path unless named (`--generate-all`,
    /// `--all`).
    pub all_generators: bool,
    /// List the generators and their default paths, and nothing else.
    pub list: bool,
    /// Print the manifest as read, and check it reads back the same.
    pub dump: bool,
    /// For each generator of [`GENERATORS`], in order: the file asked for.
    pub generators: Vec<Option<Target>>,
    /// Check the headers and the built library (`--unixy-check`, `--all`).
    pub unixy_check: bool,
    /// `-D`/`-U` for the header view of `--unixy-check`.
    pub defines: Defines,
    /// Accepted header findings for `--unixy-check` (see [`HeaderReport`]).
    pub baseline: BaselineChoice,
    /// Print every header finding, not one line for those beyond the
    /// reference's checks.
    pub verbose: bool,
    /// The platforms whose views of the headers `--unixy-check` checks
    /// besides Linux's, the reference's (`--platform`).
    pub platforms: Vec<crate::platform::Platform>,
    /// Follow this release instead of the tree's `Include/patchlevel.h`.
    pub release: Option<Release>,
    /// On a release newer than the tool knows, what it does not know in the
    /// manifest is an error rather than a warning.
    pub strict: bool,
}

/// The release in effect for the tree of `manifest_path` (`over` when
/// given), its edition and how it fits.
///
/// Errors: an unreadable `patchlevel.h`; a release no edition covers (a
/// usage error: `--release` chooses one).
pub fn edition_for(
    manifest_path: &Path,
    over: Option<Release>,
) -> Result<(InEffect, &'static Edition, Fit)> {
    let base = manifest::tree_root(manifest_path);
    let in_effect = InEffect::detect(&base, over, NEWEST_KNOWN)?;
    let Some((edition, fit)) = Edition::lookup(in_effect.release) else {
        return Err(Error::usage(format!(
            "release {in_effect}: no edition of stable_abi.py is known for it \
             (known: {}); choose one with --release 3.N[.M]",
            Edition::covered()
        )));
    };
    Ok((in_effect, edition, fit))
}

/// Every generated file of the tree of `manifest`: its place (the
/// generator's default path under the tree's root) and its text as the
/// tree's own release writes it. Used where the whole tree is regenerated or
/// checked at once (`add --regen`, `pre-commit`).
///
/// Errors: as [`edition_for`]; a template that fails to render.
pub fn tree_files(manifest: &Manifest) -> Result<Vec<(PathBuf, String)>> {
    let root = manifest.root();
    let (in_effect, edition, _) = edition_for(&manifest.path, None)?;
    require_kind_tables(manifest, edition, in_effect.release)?;
    crate::generate::require_items(manifest)?;
    GENERATORS
        .iter()
        .map(|generator| {
            let path = if root == Path::new(".") {
                generator.default_path.into()
            } else {
                root.join(generator.default_path)
            };
            let text = generator.render(manifest, edition).map_err(|err| {
                Error::other(format!("rendering {}: {err:#}", generator.template.0))
            })?;
            Ok((path, text))
        })
        .collect()
}

/// Refuses a manifest the edition's `stable_abi.py` cannot read: one
/// without a table of every kind. The script's `parse_manifest` indexes the
/// TOML data by each kind it registers, `data[kind]`, in the order they are
/// registered ([`Edition::dump_order`]), and stops at the first one missing
/// with `KeyError: 'typedef'` (or the kind missing) before it reads
/// anything else or writes any file: `parse_manifest` in 3.11.2's
/// `Tools/scripts/stable_abi.py` (lines 147-163, the kinds registered at
/// 117-140), 3.13.15's `Tools/build/stable_abi.py` (146-162; 116-139) and
/// 3.14.10's (152-168; 118-146, `macro` last). An empty table (`[const]`
/// alone) is read, as by the script. A manifest cut short (a save or a
/// merge gone wrong) loses the kinds after the cut: its generated files
/// would be emptied, so nothing is generated from it, by any action
/// (`--list` does not read the manifest).
///
/// Errors: the kinds missing, at the manifest's first line, naming the
/// `KeyError` of the script of `release` (whose edition is `edition`).
pub fn require_kind_tables(manifest: &Manifest, edition: &Edition, release: Release) -> Result<()> {
    let missing: Vec<&str> = edition
        .dump_order
        .iter()
        .filter(|kind| !manifest.kind_tables.contains(kind))
        .map(|kind| kind.as_str())
        .collect();
    let Some(first) = missing.first() else {
        return Ok(());
    };
    let others = match &missing[1..] {
        [] => String::new(),
        rest => format!(" (nor of {})", rest.join(", ")),
    };
    Err(LocatedError::new(
        Location::new(&manifest.path, 1, 1),
        format!(
            "the manifest has no table of {first} items{others}: stable_abi.py of {release} \
             stops reading it with KeyError: '{first}', and nothing is generated from it (is \
             the file cut short?)"
        ),
    )
    .into())
}

/// Runs the request as `stable_abi.py` would: every action, then one
/// summary of those that failed (on stderr).
///
/// Errors: a usage error when nothing is asked; an unreadable or invalid
/// manifest, a bad header, a file that cannot be read or written.
pub fn run(request: &Request) -> Result<Outcome> {
    // The manifest's path as the script's `pathlib` shows it (`./Misc/…`
    // is `Misc/…`), and so every path made from it.
    let manifest_path = &pyfmt::pure_path(&request.manifest);
    let base = manifest::tree_root(manifest_path);
    let (in_effect, edition, fit) = edition_for(manifest_path, request.release)?;
    if request.list {
        for generator in GENERATORS {
            let path = if edition.list_resolves_paths {
                absolute(&base.join(generator.default_path))
            } else {
                python_join(manifest_path, generator.default_path)
            };
            outln!("--{}: {}", generator.flag(), path.display())?;
        }
        errln!("release: {in_effect}; edition {}", edition.name);
        return Ok(Outcome::Success);
    }
    let rules = Rules {
        static_inline_macros: edition.static_inline_macros,
        abi3t_opaque: false,
        newer: fit == Fit::Newer && !request.strict,
        ..Rules::ALL_KNOWN
    };
    let parsed = Manifest::load_with(manifest_path, rules)?;
    for warning in &parsed.warnings {
        errln!("{}", warning.as_warning());
    }
    let manifest = parsed.manifest;
    require_kind_tables(&manifest, edition, in_effect.release)?;
    // Every table there, and none holding an item: the script would write
    // empty files; a manifest emptied by a merge gone wrong is refused.
    crate::generate::require_items(&manifest)?;

    // Each action that ran, and whether it succeeded.
    let mut results: Vec<(&str, bool)> = Vec::new();
    if request.dump {
        let text = manifest::dump_text(&manifest, edition.dump_order);
        out!("{text}")?;
        let round_trip = manifest::check_dump(&manifest, &text, rules);
        if let Err(message) = &round_trip {
            errln!("{}: error: {message}", manifest_path.display());
        }
        results.push(("dump", round_trip.is_ok()));
    }
    for (generator, requested) in GENERATORS.iter().zip(&request.generators) {
        let path = match requested {
            Some(Target::Path(path)) => path.clone(),
            Some(Target::DefaultPath) => python_join(manifest_path, generator.default_path),
            None if request.all_generators => python_join(manifest_path, generator.default_path),
            None => continue,
        };
        let text = generator
            .render(&manifest, edition)
            .map_err(|err| Error::other(format!("rendering {}: {err:#}", generator.template.0)))?;
        let ok = match update_file(&path, &text, request.generate)? {
            Update::UpToDate | Update::Written => true,
            Update::Missing => {
                errln!(
                    "{}: error: file does not exist; run with --generate to create it",
                    path.display()
                );
                false
            }
            Update::Stale { diff } => {
                outln!("File {} differs from expected!", path.display())?;
                out!("{diff}")?;
                false
            }
        };
        results.push((generator.name, ok));
    }
    if request.unixy_check {
        let baseline = request.baseline.resolve(manifest_path);
        let ok = unixy::check(
            &manifest,
            &request.defines,
            &request.platforms,
            baseline.as_deref(),
            request.verbose,
        )?;
        results.push(("unixy_check", ok));
    }

    if results.is_empty() {
        let (no_file, no_check) = edition.no_action_errors;
        let message = if request.generate { no_file } else { no_check };
        return Err(Error::usage(message));
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| *name)
        .collect();
    if failed.is_empty() {
        return Ok(Outcome::Success);
    }
    let mut stderr = std::io::stderr().lock();
    writeln!(
        stderr,
        "\nThese checks related to the stable ABI did not succeed: {}\n\n\
         If you see diffs in the output, files derived from the stable ABI manifest\n\
         were not regenerated. Run `make regen-limited-abi` to fix this.\n\
         Otherwise, see the error(s) above.\n\n\
         The stable ABI manifest is at: {}\n\
         Note that there is a process to follow when modifying it:\n\
         https://devguide.python.org/c-api/#limited-api",
        failed.join(", "),
        manifest_path.display()
    )?;
    Ok(Outcome::Failure)
}
/// `Path(manifest).parent.parent / default_path` as Python's pathlib
/// shows it (`Misc/stable_abi.toml` and `./Misc/stable_abi.toml` give
/// `PC/python3dll.c`, no `./`).
fn python_join(manifest_path: &Path, default_path: &str) -> PathBuf {
    let base = pyfmt::pure_parent(&pyfmt::pure_parent(manifest_path));
    pyfmt::pure_join(&base, default_path)
}

/// The path made absolute (like Python's `Path.resolve()`), without
/// requiring it to exist.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .map(|p| normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Folds `.` and `..` components, as `Path.resolve()` shows paths.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
