//! What a view is: the names one `Py_LIMITED_API` value (or the full API)
//! exposes, with their places ([`View`]), and which of them a view lists
//! ([`Listing`]). [`super::Headers`] makes them.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::abi::Abi;
use crate::diagnostic::Location;
use crate::version::Version;

use super::pp::expr::Constant;
use super::pp::lex;

/// A map by C name. It iterates in insertion order, which for a view of
/// the headers is name order. The names are shared with the headers'
/// interner, so building a view's maps copies no string; lookups hash the
/// name (the checks look up every manifest item in every view).
pub type ByName<T> = indexmap::IndexMap<Arc<str>, T, foldhash::fast::RandomState>;

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

/// An `#if` or `#elif` that compares `Py_LIMITED_API` (or a value computed
/// from it) with a constant, or masks it with one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GuardConstant {
    /// The directive.
    pub location: Location,
    pub constant: Constant,
}

/// What one `Py_LIMITED_API` value (or none: the full API) exposes.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// `None` for the full API (`Py_LIMITED_API` undefined).
    pub limited: Option<Version>,
    /// The exact value of `Py_LIMITED_API` (`None`: the full API).
    pub limited_value: Option<u32>,
    /// The constants the evaluated conditions compare `Py_LIMITED_API`
    /// with: where the view can change within a version's range.
    pub guard_constants: Vec<GuardConstant>,
    /// The Stable ABI the view is of (abi3 for the full API).
    pub abi: Abi,
    /// The replacement of each macro in `macros`, token by token; kept for
    /// abi3t views (to see which macros reach into hidden structs) and
    /// when asked ([`Headers::view_abi_with_bodies`]).
    pub macro_bodies: BTreeMap<String, Vec<String>>,
    /// The system headers `Python.h` includes (`#include <stdio.h>`), each
    /// with the directive, in the order the walk reached them (a header
    /// as often as it is included).
    pub system_includes: Vec<(String, Location)>,
    /// `PyAPI_FUNC(type) name(...)`
    pub functions: ByName<Decl>,
    /// `PyAPI_DATA(type) name;`
    pub data: ByName<Decl>,
    /// The constants of `enum`s (`PyUnicode_1BYTE_KIND`).
    pub enumerators: ByName<Decl>,
    /// `static inline` functions (`Py_INCREF`, `Py_TYPE` in recent
    /// releases): callable, but no symbols.
    pub inline_functions: ByName<Decl>,
    /// Every macro defined once `Python.h` is fully included, as `gcc -dM`
    /// lists them, keeping those a header or pyconfig.h defines (a macro
    /// from the compiler, a system header or the command line is listed
    /// when a header also defines it, e.g. `#ifndef INT_MAX`). Like
    /// `typedefs` and `structs`, only the names of the view's [`Listing`].
    pub macros: ByName<Decl>,
    pub typedefs: ByName<Decl>,
    /// Keyed by struct tag and by every typedef name that names the struct.
    pub structs: ByName<StructDef>,
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

/// Which names a view lists among its macros, typedefs and structs.
/// Functions and data are always listed in full.
///
/// A compiler's `-dM` lists a thousand macros at every version; checks that
/// only look up the manifest's names need not have each view build (and
/// hold) that list: [`Headers::listing_of`] names what they look up.
#[derive(Clone, Debug)]
pub enum Listing {
    /// Every macro (as `gcc -dM` lists them), typedef and struct.
    All,
    /// Only these names, by symbol of the headers' interner. A name the
    /// headers never mention (one a `-D` adds) is listed too.
    Only(Vec<bool>),
}

impl Listing {
    pub(super) fn lists(&self, sym: lex::Sym) -> bool {
        match self {
            Listing::All => true,
            Listing::Only(listed) => listed.get(sym as usize).copied().unwrap_or(true),
        }
    }
}
