//! `stable-abi add KIND NAME ...`: appends an item to the manifest (see
//! [`crate::manifest::add`]), written atomically, then says what to do next
//! or regenerates the derived files (`--regen`).
//!
//! The manifest is locked from its read to its replacement
//! ([`write::Lock`]): two `add`s at once take turns, and neither item is
//! lost.

use std::path::Path;

use crate::error::{Error, Result};

use crate::cli::AddArgs;
use crate::diagnostic::Location;
use crate::generate::{update_file, Update};
use crate::manifest::add::{append, guard_line, validate, NewItem};
use crate::manifest::{tree_root, Kind, Manifest, StructAbiKind};
use crate::release::{version_of_patchlevel, PATCHLEVEL_H};
use crate::version::Version;
use crate::write;
use crate::Outcome;

pub fn run(args: &AddArgs) -> Result<Outcome> {
    let path = &args.manifest;
    let (lock, bytes) = write::Lock::read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::file(path, "cannot read the manifest: it is not UTF-8"))?;
    let manifest = Manifest::parse(&text, path)?;
    let root = tree_root(path);
    let added = match args.added {
        Some(added) => added,
        None => tree_release(&root)?,
    };
    let item = NewItem {
        kind: Kind::from_name(&args.kind)
            .ok_or_else(|| Error::usage(format!("unknown kind {}", args.kind)))?,
        name: args.name.clone(),
        added,
        abi_only: args.abi_only,
        ifdef: args.ifdef.clone(),
        struct_abi_kind: args
            .struct_abi_kind
            .as_deref()
            .and_then(|name| StructAbiKind::ALL.into_iter().find(|k| k.as_str() == name)),
        members: args.members.clone(),
    };
    validate(&manifest, &item)?;
    if let Ok(release) = tree_release(&root) {
        if added != release {
            errln!(
                "{}: warning: added = '{added}', but the tree is {release}: an item can only \
                 be added to the release in development",
                path.display()
            );
        }
    }
    let result = append(&text, path, &item)?;
    write::file(path, result.as_bytes())?;
    drop(lock);
    let written = Manifest::parse(&result, path)?;
    let entry = written
        .get(&item.name)
        .map(|entry| written.location(entry))
        .unwrap_or_else(|| Location::new(path, 1, 1));
    outln!(
        "{entry}: note: added {} {} (added in {added})",
        item.kind,
        item.name
    )?;
    let regenerated = if args.regen {
        Some(regenerate(&written)?)
    } else {
        None
    };
    out!("{}", next_steps(&item, path, regenerated.as_deref()))?;
    Ok(Outcome::Success)
}

/// The release of the tree at `root`, from `Include/patchlevel.h`.
fn tree_release(root: &Path) -> Result<Version> {
    let patchlevel = root.join(PATCHLEVEL_H);
    crate::input::read_to_string(&patchlevel)
        .ok()
        .and_then(|text| version_of_patchlevel(&text))
        .ok_or_else(|| {
            Error::file(
                &patchlevel,
                "cannot tell the tree's release; pass --added 3.N",
            )
        })
}

/// Writes every generated file of the tree; returns those that changed.
fn regenerate(manifest: &Manifest) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for (path, text) in crate::dropin::tree_files(manifest)? {
        if update_file(&path, &text, true)? == Update::Written {
            written.push(path.display().to_string());
        }
    }
    Ok(written)
}

/// What to do after adding `item`: declare it under its guard, regenerate,
/// check.
pub fn next_steps(item: &NewItem, manifest: &Path, regenerated: Option<&[String]>) -> String {
    let name = &item.name;
    let declaration = match item.kind {
        Kind::Function => format!("PyAPI_FUNC(...) {name}(...);"),
        Kind::Data => format!("PyAPI_DATA(...) {name};"),
        Kind::Macro | Kind::Const => format!("#define {name} ..."),
        Kind::Typedef => format!("typedef ... {name};"),
        Kind::Struct => match item.struct_abi_kind.map(StructAbiKind::in_abi3) {
            Some(StructAbiKind::Opaque) => format!("typedef struct {name} {name};"),
            _ => format!("typedef struct {name} {{ ... }} {name};"),
        },
        Kind::FeatureMacro => format!("#define {name}"),
    };
    let mut lines = vec!["Next:".to_string()];
    let mut block = Vec::new();
    if let Some(feature) = &item.ifdef {
        block.push(format!("#ifdef {feature}"));
    }
    if item.abi_only {
        lines.push(format!(
            "  1. Declare {name} where CPython's own macros and inline functions reach it; \
             it is not in the Limited API, so it needs no version guard:"
        ));
        block.push(declaration);
    } else {
        lines.push(format!(
            "  1. Declare {name} in a header of Include/ (not Include/cpython/), under the \
             guard for {}:",
            item.added
        ));
        block.push(guard_line(item.added));
        block.push(format!("    {declaration}"));
        block.push("#endif".to_string());
    }
    if item.ifdef.is_some() {
        block.push("#endif".to_string());
    }
    lines.extend(block.into_iter().map(|line| format!("       {line}")));
    let shown = manifest.display();
    match regenerated {
        Some([]) => lines.push("  2. Regenerated: every derived file was up to date.".into()),
        Some(files) => lines.push(format!("  2. Regenerated: {}", files.join(", "))),
        None => lines.push(format!(
            "  2. Regenerate the derived files: stable-abi --generate-all {shown} \
             (make regen-limited-abi)"
        )),
    }
    lines.push(format!(
        "  3. Check the headers at every version: stable-abi headers --manifest {shown}"
    ));
    lines.push(String::new());
    lines.join("\n")
}
