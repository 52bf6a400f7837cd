//! The limited view: with `#define Py_LIMITED_API <V>` and
//! `#include "Python.h"`, on a given platform configuration, which functions
//! and data are declared, which macros are defined, which typedefs and
//! structs exist, and where.
//!
//! Headers are parsed once ([`Headers::load`]); each version is an
//! evaluation of the preprocessor over that one parse ([`Headers::view`]).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::cli::{HeaderOptions, ViewArgs};
use crate::diagnostic::Location;
use crate::version::Version;
use crate::Outcome;

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
    pub fn from_options(options: &HeaderOptions) -> Result<Profile> {
        let defines = options
            .define
            .iter()
            .map(|d| match d.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None => (d.clone(), "1".to_string()),
            })
            .collect();
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
    /// `PyAPI_FUNC(type) name(...)`
    pub functions: BTreeMap<String, Decl>,
    /// `PyAPI_DATA(type) name;`
    pub data: BTreeMap<String, Decl>,
    /// Every macro defined once `Python.h` is fully included.
    pub macros: BTreeMap<String, Decl>,
    pub typedefs: BTreeMap<String, Decl>,
    /// Keyed by struct tag and by every typedef name that names the struct.
    pub structs: BTreeMap<String, StructDef>,
}

/// Every header reachable from `Include/Python.h`, parsed once.
pub struct Headers {
    _private: (),
}

impl Headers {
    /// Parses the headers of the CPython tree at `root`.
    pub fn load(_root: &Path, _profile: &Profile) -> Result<Headers> {
        anyhow::bail!("the header view is not available yet")
    }

    /// The tree's own version, from `Include/patchlevel.h`.
    pub fn python_version(&self) -> Version {
        Version::FIRST
    }

    /// The view at one `Py_LIMITED_API` version (`None`: the full API),
    /// with `extra` applied on top of the profile (to toggle feature macros).
    pub fn view(&self, _limited: Option<Version>, _extra: &Profile) -> Result<View> {
        anyhow::bail!("the header view is not available yet")
    }
}

/// `stable-abi view 3.N`
pub fn run(_args: &ViewArgs) -> Result<Outcome> {
    anyhow::bail!("`stable-abi view` is not available yet")
}
