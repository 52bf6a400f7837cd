//! The limited view: with `#define Py_LIMITED_API <V>` and
//! `#include "Python.h"`, on a given platform configuration, which functions
//! and data are declared, which macros are defined, which typedefs and
//! structs exist, and where.
//!
//! Headers are parsed once ([`Headers::load`]); each version is an
//! evaluation of the preprocessor over that one parse ([`Headers::view`]).

mod command;
mod decls;
mod expand;
mod expr;
mod fuzz;
mod ir;
mod lex;
mod load;
mod profile;
mod struct_body;
mod struct_defs;
mod type_statements;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::abi::Abi;
use crate::cli::HeaderOptions;
use crate::diagnostic::Location;
use crate::manifest::is_c_identifier;
use crate::version::Version;
use crate::UsageError;

use ir::FileIr;
use load::Loaded;
use walk::{Source, Walk};

pub use command::{run, KINDS as VIEW_KINDS};
pub use fuzz::fuzz_view;
pub use walk::MAX_INCLUDE_DEPTH;

/// Macros defined or undefined on the command line (`-D`, `-U`), applied
/// after the platform profile (pyconfig.h or the built-in default).
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// `-D NAME[=VALUE]`: the value is `1` when not given.
    pub defines: Vec<(String, String)>,
    /// `-U NAME`
    pub undefines: Vec<String>,
}

impl Profile {
    /// The `-D`/`-U` of the command line; a name that is not a C
    /// identifier is an error rather than a surprising definition.
    pub fn from_options(options: &HeaderOptions) -> Result<Profile> {
        let check = |flag: &str, arg: &str, name: &str| {
            if is_c_identifier(name) {
                Ok(())
            } else {
                Err(UsageError(format!(
                    "{flag} {arg:?}: `{name}` is not a macro name"
                )))
            }
        };
        let mut defines = Vec::new();
        for arg in &options.define {
            let (name, value) = arg.split_once('=').unwrap_or((arg, "1"));
            check("-D", arg, name)?;
            defines.push((name.to_string(), value.to_string()));
        }
        for name in &options.undefine {
            check("-U", name, name)?;
        }
        Ok(Profile {
            defines,
            undefines: options.undefine.clone(),
        })
    }
}

/// A declaration or definition in the view, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub location: Location,
}

/// A struct as the view sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDef {
    pub location: Location,
    /// The members in order, or `None` when the struct is only declared
    /// (incomplete, i.e. opaque).
    pub members: Option<Vec<String>>,
}

/// What one `Py_LIMITED_API` value (or none: the full API) exposes.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// `None` for the full API (`Py_LIMITED_API` undefined).
    pub limited: Option<Version>,
    /// The Stable ABI the view is of (abi3 for the full API).
    pub abi: Abi,
    /// The replacement of each macro in `macros`, token by token; kept for
    /// abi3t views only (to see which macros reach into hidden structs).
    pub macro_bodies: BTreeMap<String, Vec<String>>,
    /// `PyAPI_FUNC(type) name(...)`
    pub functions: BTreeMap<String, Decl>,
    /// `PyAPI_DATA(type) name;`
    pub data: BTreeMap<String, Decl>,
    /// Every macro defined once `Python.h` is fully included, as `gcc -dM`
    /// lists them, keeping those a header or pyconfig.h defines (a macro
    /// from the compiler, a system header or the command line is listed
    /// when a header also defines it, e.g. `#ifndef INT_MAX`).
    pub macros: BTreeMap<String, Decl>,
    pub typedefs: BTreeMap<String, Decl>,
    /// Keyed by struct tag and by every typedef name that names the struct.
    pub structs: BTreeMap<String, StructDef>,
}

impl View {
    /// The function or data item `name`, if declared.
    pub fn symbol(&self, name: &str) -> Option<&Decl> {
        self.functions.get(name).or_else(|| self.data.get(name))
    }

    /// Whether `name` is declared (function, data) or defined (macro).
    pub fn exposes(&self, name: &str) -> bool {
        self.symbol(name).is_some() || self.macros.contains_key(name)
    }
}

/// Every header reachable from `Include/Python.h`, parsed once.
pub struct Headers {
    root: PathBuf,
    loaded: Loaded,
    version: Version,
    /// `-D`/`-U` given at load time.
    profile: Profile,
    /// The `#define`s of the command line (including the profile's `-D`s).
    command_line: FileIr,
    /// `#define Py_LIMITED_API <V>` for each version, 3.2 first.
    limited: Vec<FileIr>,
}

/// The `-D`s of a compiler command line as a file of `#define`s.
fn command_line_text(defines: &[(String, String)]) -> String {
    defines
        .iter()
        .map(|(name, value)| format!("#define {name} {value}\n"))
        .collect()
}

/// The value of a constant expression of literals and operators only
/// (`(1 << 3)`, `0x0002`), with the C rules of `#if`; `None` when it names
/// anything (a macro, a type in a cast) or does not evaluate.
pub fn literal_value(text: &str) -> Option<u64> {
    let mut interner = lex::Interner::default();
    let tokens = lex::tokenize(text.as_bytes(), 0, text.len(), &mut interner);
    let literal = |kind: &lex::TokKind| {
        matches!(
            kind,
            lex::TokKind::Number(_) | lex::TokKind::Char(_) | lex::TokKind::Punct(_)
        )
    };
    if tokens.is_empty() || !tokens.iter().all(|t| literal(&t.kind)) {
        return None;
    }
    let tokens: Vec<expand::PTok> = tokens
        .into_iter()
        .map(|t| expand::PTok::plain(t.kind))
        .collect();
    expr::evaluate(&tokens).ok().map(expr::Value::bits)
}

/// `PY_MINOR_VERSION` from `Include/patchlevel.h`.
fn read_python_version(root: &Path) -> Result<Version> {
    let path = root.join("Include/patchlevel.h");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read the tree's version", path.display()))?;
    parse_patchlevel(&text)
        .ok_or_else(|| anyhow::anyhow!("{}: no `#define PY_MINOR_VERSION N`", path.display()))
}

/// The release `3.N` that `Include/patchlevel.h`'s text names
/// (`#define PY_MINOR_VERSION N`), if it names one.
pub fn parse_patchlevel(text: &str) -> Option<Version> {
    for line in text.lines() {
        let Some(directive) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let mut words = directive.split_whitespace();
        if words.next() == Some("define") && words.next() == Some("PY_MINOR_VERSION") {
            let minor = words.next().and_then(|w| w.parse::<u8>().ok());
            if let Some(version) = minor.and_then(|m| Version::parse(&format!("3.{m}")).ok()) {
                return Some(version);
            }
        }
    }
    None
}

impl Headers {
    /// Parses the headers of the CPython tree at `root`.
    pub fn load(root: &Path, profile: &Profile) -> Result<Headers> {
        let version = read_python_version(root)?;
        Ok(Headers::from_loaded(
            root,
            load::load(root),
            version,
            profile,
        ))
    }

    /// Header text taken as the `Python.h` of a tree with nothing else, at
    /// the newest version this tool knows (that of the newest release
    /// edition). For fuzzing: any input gives headers whose views are
    /// either a view or an error, never a panic.
    pub fn from_text(text: &[u8]) -> Headers {
        let newest = crate::generate::editions::NEWEST_KNOWN.version();
        let loaded = load::load_text(text);
        Headers::from_loaded(Path::new("."), loaded, newest, &Profile::default())
    }

    fn from_loaded(
        root: &Path,
        mut loaded: Loaded,
        version: Version,
        profile: &Profile,
    ) -> Headers {
        let mut defines: Vec<(String, String)> = profile::COMMAND_LINE
            .iter()
            .map(|&(name, value)| (name.to_string(), value.to_string()))
            .collect();
        defines.extend(profile.defines.iter().cloned());
        let base = loaded.files.len();
        let command_line = load::virtual_file(
            "<command line>",
            &command_line_text(&defines),
            base,
            &mut loaded.interner,
        );
        let limited = Version::FIRST
            .up_to(version)
            .into_iter()
            .map(|v| {
                let text = format!("#define Py_LIMITED_API {:#x}\n", v.limited_api_value());
                load::virtual_file("<command line>", &text, base + 1, &mut loaded.interner)
            })
            .collect();
        Headers {
            root: root.to_path_buf(),
            loaded,
            version,
            profile: profile.clone(),
            command_line,
            limited,
        }
    }

    /// The tree's own version, from `Include/patchlevel.h`.
    pub fn python_version(&self) -> Version {
        self.version
    }

    /// The tree this was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The view of one Stable ABI at one version: for abi3t, as with
    /// `-DPy_TARGET_ABI3T=0x030N0000` (and `Py_LIMITED_API`, which
    /// `Include/pyabi.h` sets to the same value when only
    /// `Py_TARGET_ABI3T` is given). `extra` is applied on top of the
    /// profile. A version before the ABI's first is an error.
    pub fn view_abi(&self, abi: Abi, version: Version, extra: &Profile) -> Result<View> {
        if version < abi.first_version() {
            anyhow::bail!(
                "{abi} begins with {} (PEP 803); there is no {abi} {version}",
                abi.first_version()
            );
        }
        let mut view = if abi == Abi::Abi3 {
            self.view(Some(version), extra)?
        } else {
            let mut extra = extra.clone();
            extra.defines.extend(abi.defines(version));
            self.view_keeping(Some(version), &extra, true)?
        };
        view.abi = abi;
        Ok(view)
    }

    /// The view at one `Py_LIMITED_API` version (`None`: the full API),
    /// with `extra` applied on top of the profile (to toggle feature macros).
    pub fn view(&self, limited: Option<Version>, extra: &Profile) -> Result<View> {
        self.view_keeping(limited, extra, false)
    }

    fn view_keeping(
        &self,
        limited: Option<Version>,
        extra: &Profile,
        keep_macro_bodies: bool,
    ) -> Result<View> {
        let limited_file = match limited {
            None => None,
            Some(v) if v >= Version::FIRST && v <= self.version => {
                Some(&self.limited[usize::from(v.minor - Version::FIRST.minor)])
            }
            Some(v) => anyhow::bail!(
                "Py_LIMITED_API {v} is outside 3.2…{} (the version of the headers)",
                self.version
            ),
        };
        // Names new to the headers can only come from `extra`: they get
        // their own copy of the interner, so the shared parse stays as is.
        let mut local_interner;
        let mut interner = &self.loaded.interner;
        // The command line's files follow the tree's: the profile's `-D`s
        // (`base`), `Py_LIMITED_API` (`base + 1`; for the full API the slot
        // is filled but never walked) and `extra`'s `-D`s (`base + 2`).
        let base = self.loaded.files.len();
        let mut extra_files: Vec<&FileIr> = vec![&self.command_line];
        extra_files.push(limited_file.unwrap_or(&self.command_line));
        let extra_file;
        if !extra.defines.is_empty() {
            local_interner = interner.clone();
            extra_file = load::virtual_file(
                "<command line>",
                &command_line_text(&extra.defines),
                base + 2,
                &mut local_interner,
            );
            interner = &local_interner;
            extra_files.push(&extra_file);
        }
        let source = Source {
            files: &self.loaded.files,
            extra: &extra_files,
            interner,
            system: &self.loaded.system,
            root: &self.root,
        };
        let mut walk = Walk::new(source);
        walk.config_file = self.loaded.pyconfig;
        walk.keep_macro_bodies = keep_macro_bodies;
        walk.file(self.loaded.compiler)?;
        walk.file(base)?;
        let undefine = |walk: &mut Walk, names: &[String]| {
            for name in names {
                if let Some(sym) = interner.get(name) {
                    walk.macros.remove(&sym);
                    walk.pinned.insert(sym);
                }
            }
        };
        undefine(&mut walk, &self.profile.undefines);
        if !extra.defines.is_empty() {
            walk.file(base + 2)?;
        }
        undefine(&mut walk, &extra.undefines);
        if limited_file.is_some() {
            walk.file(base + 1)?;
        }
        let pinned: Vec<_> = walk.macros.keys().copied().collect();
        walk.pinned.extend(pinned);
        walk.file(self.loaded.python_h)?;
        let compiler = self.loaded.compiler;
        let default_pyconfig = self.loaded.default_pyconfig;
        // The macros of the headers and pyconfig.h, of the command line's
        // `-D`s, and those that come from the compiler or a system header
        // but that a header also defines (`#ifndef INT_MAX`...), as
        // `gcc -dM` lists them. (`Py_LIMITED_API` itself, at `base + 1`,
        // is the question asked, not part of the answer.)
        let tree_defined = &self.loaded.tree_defined;
        let mut view = walk.into_view(|file, sym| {
            file < compiler
                || file == default_pyconfig
                || file == base
                || file == base + 2
                || tree_defined.contains(&sym)
        });
        view.limited = limited;
        Ok(view)
    }
}
