//! What the headers say of each name an extension can use: whether the full
//! API has it, and at which versions of each Stable ABI the Limited API
//! does; which structs are complete where, and whose members are whose.
//!
//! Nothing here is a list written by hand: it is read from the views of the
//! same headers — the full API (no `Py_LIMITED_API`; from 3.13 also with
//! `Py_GIL_DISABLED`, a free-threaded build's), the limited view at
//! every version from 3.2 to the headers' own, and from 3.15 the abi3t
//! view (`Py_TARGET_ABI3T`) — each of the headers as extensions see them (see
//! [`crate::view::Layout::extension`]). What abi3t hides is what the
//! abi3 view of the same version has and the abi3t view has not; the
//! functions abi3t cannot use are those whose declaration names a struct
//! complete in abi3 and opaque in abi3t, and the macros that call them
//! (the derivation `audit`'s `abi3t-unusable` makes for binaries). For
//! functions and data the manifest's `added` is the version too: a header
//! may declare a function before the version that added it to the Stable
//! ABI (the `too-early` defects of `stable-abi headers`), and an extension
//! using it would not load on that version.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::abi::Abi;
use crate::error::Result;
use crate::manifest::Manifest;
use crate::version::Version;
use crate::view::{abi3t_hidden_definitions, ByName, Decl, Defines, Headers, View};

/// The first release with free-threaded builds (PEP 703).
const FREE_THREADING: Version = Version::new(3, 13);

/// Where something is available: the full API, and a bit per minor version
/// (bit `N` for 3.N) of each Stable ABI.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct Masks {
    full: bool,
    abi3: u64,
    abi3t: u64,
}

impl Masks {
    fn of(&self, abi: Abi) -> u64 {
        match abi {
            Abi::Abi3 => self.abi3,
            Abi::Abi3t => self.abi3t,
        }
    }

    fn remove(&mut self, abi: Abi, version: Version) {
        match abi {
            Abi::Abi3 => self.abi3 &= !bit(version),
            Abi::Abi3t => self.abi3t &= !bit(version),
        }
    }

    /// These masks less the versions before `added` (kept where `keep`
    /// has them).
    fn from(self, added: Version, keep: Masks) -> Masks {
        let before = bit(added) - 1;
        Masks {
            full: self.full,
            abi3: self.abi3 & !(before & !keep.abi3),
            abi3t: self.abi3t & !(before & !keep.abi3t),
        }
    }

    fn add(&mut self, on: On) {
        match on {
            On::Full => self.full = true,
            On::Limited(Abi::Abi3, version) => self.abi3 |= bit(version),
            On::Limited(Abi::Abi3t, version) => self.abi3t |= bit(version),
        }
    }
}

fn bit(version: Version) -> u64 {
    1u64 << version.minor.min(63)
}

/// Which view something was seen in.
#[derive(Copy, Clone, Debug)]
enum On {
    Full,
    Limited(Abi, Version),
}

/// What a name, a member or a type is for an extension built for one
/// Stable ABI at one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Usable: available from `since` up to the target.
    Available { since: Version },
    /// Declared at the target, but a function or data the manifest says
    /// the Stable ABI added at `added`, after the target: it compiles, and
    /// may not load on the versions between (a header declaring it too
    /// early, `headers`' too-early).
    Early { added: Version },
    /// In the Limited API from `since`, after the target.
    Newer { since: Version },
    /// abi3 has it (at `since`, when it is newer than the target) and abi3t
    /// does not; `why` says what (a struct it needs, when not the name
    /// itself).
    HiddenByAbi3t { why: Option<String> },
    /// Only in the full API.
    FullOnly,
    /// Not a name of the headers.
    Unknown,
}

/// A member of the full API's structs.
#[derive(Clone, Debug, Default)]
struct Member {
    /// Where a struct that has it is complete.
    masks: Masks,
    /// The full view's structs that have it (their public names first),
    /// one name per struct (a tag and its typedef are one), each with
    /// where it is defined.
    owners: Vec<Owner>,
}

/// A struct that has a member.
#[derive(Clone, Debug)]
struct Owner {
    name: String,
    location: crate::diagnostic::Location,
    /// Where it is complete.
    masks: Masks,
}

/// The index: see the module's documentation.
pub struct Api {
    /// The headers' own version, the newest any view has.
    pub version: Version,
    names: HashMap<Arc<str>, Masks, Hasher>,
    /// Where each name is a macro or a static inline function: a use
    /// imports no symbol (a macro shadows a function of the same name),
    /// so the manifest's `added` of a function of that name does not
    /// apply there (`Py_TYPE` is a macro up to 3.13, a function from
    /// 3.14).
    symbolless: HashMap<Arc<str>, Masks, Hasher>,
    /// The macros a limited view defines but cannot expand: each with the
    /// names outside that view its replacement reaches (through the
    /// view's own macros), from the newest view where it is so.
    expands: HashMap<Arc<str>, Vec<String>, Hasher>,
    /// Where each struct (by tag and typedef name) is complete.
    complete: HashMap<Arc<str>, Masks, Hasher>,
    /// The members of each struct of the full API (by tag and typedef
    /// name).
    full_members: HashMap<Arc<str>, Vec<String>, Hasher>,
    members: HashMap<String, Member, Hasher>,
    /// The manifest's `added` of its functions and data.
    added: HashMap<String, Version, Hasher>,
    /// Functions and macros abi3t declares but an extension cannot use,
    /// with the struct that is the reason.
    abi3t_unusable: BTreeMap<String, String>,
    /// The system headers `Python.h` includes: in which views, and where
    /// the full API's includes each (its first directive).
    system_includes: BTreeMap<String, (Masks, Option<crate::diagnostic::Location>)>,
}

impl Api {
    /// Reads the views of `headers` (loaded as extensions see them:
    /// [`crate::view::Config::for_extensions`]) and the `added` of
    /// `manifest`'s functions and data.
    ///
    /// Errors: a view of the headers fails (a bad header, at its place).
    pub fn build(headers: &Headers, manifest: &Manifest) -> Result<Api> {
        let version = headers.python_version();
        let none = Defines::default();
        let mut api = Api {
            version,
            names: HashMap::default(),
            symbolless: HashMap::default(),
            expands: HashMap::default(),
            complete: HashMap::default(),
            full_members: HashMap::default(),
            members: HashMap::default(),
            added: manifest
                .items
                .iter()
                .filter(|item| item.kind.is_symbol())
                .filter_map(|item| Some((item.name.clone(), item.added?)))
                .collect(),
            abi3t_unusable: BTreeMap::new(),
            system_includes: BTreeMap::new(),
        };
        api.add(&headers.view(None, &none)?, On::Full);
        // The full API of free-threaded builds too (`PyUnstable_Module_SetGIL`
        // is declared under `Py_GIL_DISABLED` only), which abi3t sources
        // see: `Include/pyabi.h` defines the macro for them.
        if version >= FREE_THREADING {
            let free_threaded = Defines::define("Py_GIL_DISABLED", "1");
            api.add(&headers.view(None, &free_threaded)?, On::Full);
        }
        let mut newest = BTreeMap::new();
        for abi in Abi::ALL {
            for v in abi.versions(version) {
                let view = headers.view_abi_with_bodies(abi, v, &none)?;
                api.add(&view, On::Limited(abi, v));
                if v == version {
                    newest.insert(abi, view);
                }
            }
        }
        if let (Some(abi3), Some(abi3t)) = (newest.get(&Abi::Abi3), newest.get(&Abi::Abi3t)) {
            api.abi3t_unusable = abi3t_unusable(headers, manifest, abi3, abi3t);
        }
        for member in api.members.values_mut() {
            let owners = &mut member.owners;
            owners.sort_by(|a, b| {
                (a.name.starts_with('_'), &a.name).cmp(&(b.name.starts_with('_'), &b.name))
            });
            // A tag and its typedef are one struct (views of other
            // versions may place it elsewhere: the first place counts).
            let mut seen = std::collections::HashSet::new();
            owners.retain(|owner| owner.masks.full && seen.insert(owner.location.clone()));
        }
        Ok(api)
    }

    fn add(&mut self, view: &View, on: On) {
        let names = declarations(view)
            .into_iter()
            .flatten()
            .map(|(name, decl)| (name, &decl.location))
            .chain(view.structs.iter().map(|(name, def)| (name, &def.location)));
        // Locations share their file's path: each is judged once.
        let mut judged: HashMap<*const std::path::Path, bool, Hasher> = HashMap::default();
        let mut in_headers = |location: &crate::diagnostic::Location| {
            *judged
                .entry(Arc::as_ptr(&location.path))
                .or_insert_with(|| in_headers(location))
        };
        for (name, location) in names {
            if in_headers(location) {
                self.names.entry(Arc::clone(name)).or_default().add(on);
            }
        }
        for (header, location) in &view.system_includes {
            let entry = self.system_includes.entry(header.clone()).or_default();
            entry.0.add(on);
            if matches!(on, On::Full) && entry.1.is_none() {
                entry.1 = Some(location.clone());
            }
        }
        for (name, decl) in view.macros.iter().chain(&view.inline_functions) {
            if in_headers(&decl.location) {
                self.symbolless.entry(Arc::clone(name)).or_default().add(on);
            }
        }
        if let On::Limited(abi, version) = on {
            for (name, outside) in self.unexpandable(view) {
                if let Some(masks) = self.names.get_mut(name) {
                    masks.remove(abi, version);
                }
                self.expands.insert(Arc::from(name), outside);
            }
        }
        for (name, def) in &view.structs {
            let Some(members) = &def.members else {
                continue;
            };
            self.complete.entry(Arc::clone(name)).or_default().add(on);
            if matches!(on, On::Full) {
                let known = self.full_members.entry(Arc::clone(name)).or_default();
                for member in members {
                    if !known.contains(member) {
                        known.push(member.clone());
                    }
                }
            }
            for member in members {
                let entry = self.members.entry(member.clone()).or_default();
                entry.masks.add(on);
                match entry.owners.iter_mut().find(|o| o.name == **name) {
                    Some(owner) => owner.masks.add(on),
                    None => {
                        let mut masks = Masks::default();
                        masks.add(on);
                        entry.owners.push(Owner {
                            name: name.to_string(),
                            location: def.location.clone(),
                            masks,
                        });
                    }
                }
            }
        }
    }

    /// The macros of a limited `view` whose replacement reaches a name the
    /// full API has and the view has not (3.13's `PySequence_Fast_GET_SIZE`
    /// expands to `PyList_GET_SIZE`): followed through the view's own
    /// macros, leaving out members (after `->` or `.`). A compiler given
    /// such a macro under `Py_LIMITED_API` reports the names it reaches, at
    /// the use. Each comes with those names.
    fn unexpandable<'v>(&self, view: &'v View) -> Vec<(&'v str, Vec<String>)> {
        let in_view = |name: &str| {
            declarations(view).iter().any(|map| map.contains_key(name))
                || view.structs.contains_key(name)
        };
        let full_only =
            |name: &str| !in_view(name) && self.names.get(name).is_some_and(|masks| masks.full);
        // The names outside the view that each macro reaches, by macro;
        // computed depth first, once (a macro met again while its own
        // reach is being computed adds nothing: C does not expand it
        // again).
        let mut reach: HashMap<&str, Vec<String>, Hasher> = HashMap::default();
        let mut unexpandable = Vec::new();
        for (name, decl) in &view.macros {
            if !in_headers(&decl.location) {
                continue;
            }
            let outside = macro_reach(name, view, &full_only, &mut reach);
            if !outside.is_empty() {
                unexpandable.push((&**name, outside));
            }
        }
        unexpandable
    }

    /// The status of `masks` for `abi` at `target` (see [`Status`]).
    fn status(&self, masks: Masks, abi: Abi, target: Version) -> Status {
        let mask = masks.of(abi);
        if mask & bit(target) != 0 {
            let mut since = target;
            while since > abi.first_version() && mask & bit(Version::new(3, since.minor - 1)) != 0 {
                since = Version::new(3, since.minor - 1);
            }
            return Status::Available { since };
        }
        let later = (target.minor + 1..=self.version.minor)
            .map(|minor| Version::new(3, minor))
            .find(|&v| mask & bit(v) != 0);
        if let Some(since) = later {
            return Status::Newer { since };
        }
        if abi == Abi::Abi3t && masks.abi3 != 0 {
            return Status::HiddenByAbi3t { why: None };
        }
        if masks.full {
            Status::FullOnly
        } else {
            Status::Unknown
        }
    }

    /// What `name` (a function, data, macro, typedef or struct tag) is for
    /// an extension built for `abi` at `target`.
    ///
    /// A version where a limited view declares it counts when the name is
    /// a macro or a static inline function there, or the manifest's
    /// `added` (of a function or data of that name) is not after it: the
    /// oldest version at which the name is usable is read from the views,
    /// the manifest only saying from when a symbol is exported. Declared at
    /// `target` before its `added`, it is [`Status::Early`].
    pub fn name(&self, name: &str, abi: Abi, target: Version) -> Status {
        let Some(&declared) = self.names.get(name) else {
            return Status::Unknown;
        };
        let added = self.added.get(name).copied();
        let usable = match added {
            Some(added) => {
                let symbolless = self.symbolless.get(name).copied().unwrap_or_default();
                declared.from(added, symbolless)
            }
            None => declared,
        };
        match self.status(usable, abi, target) {
            Status::Available { since } if abi == Abi::Abi3t => {
                match self.abi3t_unusable.get(name) {
                    Some(why) => Status::HiddenByAbi3t {
                        why: Some(why.clone()),
                    },
                    None => Status::Available { since },
                }
            }
            Status::Available { since } => Status::Available { since },
            status => match added {
                Some(added) if declared.of(abi) & bit(target) != 0 => Status::Early { added },
                _ => status,
            },
        }
    }

    /// Where `Python.h` includes the system header `header` (`stdio.h`)
    /// for the full API: its first `#include <stdio.h>`, when it does.
    pub fn full_api_includes(&self, header: &str) -> Option<&crate::diagnostic::Location> {
        self.system_includes
            .get(header)
            .and_then(|(masks, location)| location.as_ref().filter(|_| masks.full))
    }

    /// Whether `Python.h` includes the system header `header` for `abi` at
    /// `version`.
    pub fn includes(&self, header: &str, abi: Abi, version: Version) -> bool {
        self.system_includes
            .get(header)
            .is_some_and(|(masks, _)| masks.of(abi) & bit(version) != 0)
    }

    /// The first version of `abi` at which `Python.h` stops including the
    /// system header `header`, when it includes it at the ABI's first
    /// version (`None`: it never does, or always does).
    pub fn includes_below(&self, header: &str, abi: Abi) -> Option<Version> {
        let (masks, _) = self.system_includes.get(header)?;
        let mask = masks.of(abi);
        let mut version = abi.first_version();
        if mask & bit(version) == 0 {
            return None;
        }
        while mask & bit(version) != 0 {
            version = Version::new(3, version.minor + 1);
        }
        (version <= self.version).then_some(version)
    }

    /// The names outside the Limited API that the macro `name` reaches when
    /// a limited view defines it ([`Api::name`] says it is not usable
    /// there).
    pub fn expands_to(&self, name: &str) -> Option<&[String]> {
        self.expands.get(name).map(Vec::as_slice)
    }

    /// What `->member` / `.member` is: available when a struct complete for
    /// `abi` at `target` has it.
    pub fn member(&self, member: &str, abi: Abi, target: Version) -> Status {
        match self.members.get(member) {
            Some(found) => self.status(found.masks, abi, target),
            None => Status::Unknown,
        }
    }

    /// The full API's structs that have `member` (public names first; a
    /// struct once, by its public name when it has one); for a `status` of
    /// [`Status::Newer`], those complete from that version.
    pub fn owners(&self, member: &str, abi: Abi, status: &Status) -> Vec<&str> {
        let Some(found) = self.members.get(member) else {
            return Vec::new();
        };
        let at = |owner: &&Owner| match status {
            Status::Newer { since } => owner.masks.of(abi) & bit(*since) != 0,
            _ => true,
        };
        found
            .owners
            .iter()
            .filter(at)
            .map(|owner| owner.name.as_str())
            .collect()
    }

    /// Whether `name` is a struct (tag or typedef name) of the full API.
    pub fn is_struct(&self, name: &str) -> bool {
        self.full_members.contains_key(name)
    }

    /// Whether the full API's struct `name` has `member`.
    pub fn has_member(&self, name: &str, member: &str) -> bool {
        self.full_members
            .get(name)
            .is_some_and(|members| members.iter().any(|m| m == member))
    }

    /// What an object (or `sizeof`) of the type `name` is: available when
    /// the type is complete for `abi` at `target`; `Unknown` when the
    /// full API does not define it either.
    pub fn complete_type(&self, name: &str, abi: Abi, target: Version) -> Status {
        match self.complete.get(name) {
            Some(&masks) => self.status(masks, abi, target),
            None => Status::Unknown,
        }
    }
}

/// The maps of `view` that declare names by kind (its structs aside).
fn declarations(view: &View) -> [&ByName<Decl>; 6] {
    [
        &view.functions,
        &view.data,
        &view.enumerators,
        &view.inline_functions,
        &view.macros,
        &view.typedefs,
    ]
}

/// The names outside `view` (those `full_only` says the full API alone
/// has) that the macro `name` reaches, through the view's macros; memoized
/// in `reach`.
fn macro_reach<'v>(
    name: &'v str,
    view: &'v View,
    full_only: &dyn Fn(&str) -> bool,
    reach: &mut HashMap<&'v str, Vec<String>, Hasher>,
) -> Vec<String> {
    if let Some(known) = reach.get(name) {
        return known.clone();
    }
    // Met again below this macro: nothing.
    reach.insert(name, Vec::new());
    let mut outside: Vec<String> = Vec::new();
    if let Some((_, body)) = view.macro_bodies.get_key_value(name) {
        let mut previous: Option<&str> = None;
        for token in body {
            let member = matches!(previous, Some("->" | "."));
            previous = Some(token);
            if member || token == name {
                continue;
            }
            let found = if let Some((macro_name, _)) = view.macros.get_key_value(token.as_str()) {
                macro_reach(macro_name, view, full_only, reach)
            } else if full_only(token) {
                vec![token.clone()]
            } else {
                continue;
            };
            for name in found {
                if !outside.contains(&name) {
                    outside.push(name);
                }
            }
        }
    }
    reach.insert(name, outside.clone());
    outside
}

/// Whether a view's entry comes from the headers: not the compiler's
/// predefined macros, the system headers of the profile or the command line
/// (virtual files, `<…>`), nor `pyconfig.h` (configure's results).
fn in_headers(location: &crate::diagnostic::Location) -> bool {
    let path = &*location.path;
    path.as_os_str().as_encoded_bytes().first() != Some(&b'<')
        && path.file_name().is_none_or(|name| name != "pyconfig.h")
}

/// The maps' hasher: the names are the headers' (no one chooses them to
/// collide), and hashing them is most of reading the views.
type Hasher = foldhash::fast::RandomState;

/// The functions abi3t declares that take or return a struct extensions
/// define under abi3 and abi3t hides
/// ([`crate::view::abi3t_hidden_definitions`]), and the macros whose
/// replacement calls such a function, each with that struct.
fn abi3t_unusable(
    headers: &Headers,
    manifest: &Manifest,
    abi3: &View,
    abi3t: &View,
) -> BTreeMap<String, String> {
    let hidden = abi3t_hidden_definitions(manifest, abi3, abi3t);
    let mut unusable = BTreeMap::new();
    for (name, decl) in &abi3t.functions {
        let Some(text) = headers.api_declaration(&decl.location) else {
            continue;
        };
        let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        if let Some(ty) = words.into_iter().find(|word| hidden.contains(word)) {
            unusable.insert(name.to_string(), ty.to_string());
        }
    }
    // A macro of abi3t that expands to such a function (`PyModule_Create`
    // to `PyModule_Create2`), through other macros too.
    loop {
        let found: Vec<(String, String)> = abi3t
            .macro_bodies
            .iter()
            .filter(|(name, _)| !unusable.contains_key(*name))
            .filter_map(|(name, body)| {
                let why = body.iter().find_map(|token| unusable.get(token))?;
                Some((name.clone(), why.clone()))
            })
            .collect();
        if found.is_empty() {
            break;
        }
        unusable.extend(found);
    }
    unusable
}
