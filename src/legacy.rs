//! The drop-in for `Tools/build/stable_abi.py`: same flags, same meanings,
//! same generated files, as the script of the tree's own release writes
//! them (its edition, `generate::editions`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::LegacyArgs;
use crate::generate::editions::{Edition, Fit, NEWEST_KNOWN};
use crate::generate::{update_file, Update, GENERATORS};
use crate::manifest::{self, Manifest, Rules};
use crate::release::{InEffect, Release};
use crate::{Outcome, UsageError};

/// The release in effect for the tree of `manifest_path` (`over` when
/// given), its edition and how it fits.
///
/// Errors: an unreadable `patchlevel.h` (exit 2); a release no edition
/// covers (a usage error: `--release` chooses one).
pub fn edition_for(
    manifest_path: &Path,
    over: Option<Release>,
) -> Result<(InEffect, &'static Edition, Fit)> {
    let base = manifest::tree_root(manifest_path);
    let in_effect = InEffect::detect(&base, over, NEWEST_KNOWN)?;
    let Some((edition, fit)) = Edition::lookup(in_effect.release) else {
        return Err(UsageError(format!(
            "release {in_effect}: no edition of stable_abi.py is known for it \
             (known: {}); choose one with --release 3.N[.M]",
            Edition::covered()
        ))
        .into());
    };
    Ok((in_effect, edition, fit))
}

pub fn run(args: &LegacyArgs) -> Result<Outcome> {
    let base = manifest::tree_root(&args.file);
    let (in_effect, edition, fit) = edition_for(&args.file, args.release)?;
    if args.list {
        for generator in GENERATORS {
            let path = if edition.list_resolves_paths {
                absolute(&base.join(generator.default_path))
            } else {
                python_join(&args.file, generator.default_path)
            };
            println!("--{}: {}", generator.flag(), path.display());
        }
        eprintln!("release: {in_effect}; edition {}", edition.name);
        return Ok(Outcome::Success);
    }
    let generate = args.generate || args.generate_all;
    let all_generators = args.generate_all || args.all;
    let unixy_check = args.unixy_check || args.all;

    let rules = Rules {
        static_inline_macros: edition.static_inline_macros,
        abi3t_opaque: false,
        newer: fit == Fit::Newer && !args.strict,
    };
    let parsed = Manifest::load_with(&args.file, rules)?;
    for warning in &parsed.warnings {
        eprintln!("{}", warning.as_warning());
    }
    let manifest = parsed.manifest;

    // Each action that ran, and whether it succeeded.
    let mut results: Vec<(&str, bool)> = Vec::new();
    if args.dump {
        for line in manifest::dump(&manifest) {
            println!("{line}");
        }
        let round_trip = manifest::check_round_trip(&manifest);
        if let Err(message) = &round_trip {
            eprintln!("{}: error: {message}", args.file.display());
        }
        results.push(("dump", round_trip.is_ok()));
    }
    for (generator, requested) in GENERATORS.iter().zip(&args.generators.requested) {
        let path = match requested {
            Some(Some(path)) => path.clone(),
            Some(None) => python_join(&args.file, generator.default_path),
            None if all_generators => python_join(&args.file, generator.default_path),
            None => continue,
        };
        let text = generator
            .render(&manifest, edition)
            .with_context(|| format!("rendering {}", generator.template.0))?;
        let ok = match update_file(&path, &text, generate)? {
            Update::UpToDate | Update::Written => true,
            Update::Missing => {
                eprintln!(
                    "{}: error: file does not exist; run with --generate to create it",
                    path.display()
                );
                false
            }
            Update::Stale { diff } => {
                println!("File {} differs from expected!", path.display());
                print!("{diff}");
                false
            }
        };
        results.push((generator.name, ok));
    }
    if unixy_check {
        results.push((
            "unixy_check",
            crate::unixy::check(&manifest, &args.headers, args.baseline.as_deref())?,
        ));
    }

    if results.is_empty() {
        let (no_file, no_check) = edition.no_action_errors;
        let message = if generate { no_file } else { no_check };
        return Err(UsageError(message.to_string()).into());
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
        args.file.display()
    )?;
    Ok(Outcome::Failure)
}

/// `Path(manifest).parent.parent / default_path` as Python's pathlib
/// shows it (`Misc/stable_abi.toml` gives `PC/python3dll.c`, no `./`).
fn python_join(manifest_path: &Path, default_path: &str) -> PathBuf {
    let base = manifest_path
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new(""));
    base.join(default_path)
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
