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
use crate::view::{abi3t_hidden_definitions, Defines, Headers, View};

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
    /// Where each name is a macro (which shadows a function of the same
    /// name: its version is the macro's, not the symbol's).
    macros: HashMap<Arc<str>, Masks, Hasher>,
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
            macros: HashMap::default(),
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
                let view = headers.view_abi(abi, v, &none)?;
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
        let declared = [
            &view.functions,
            &view.data,
            &view.enumerators,
            &view.inline_functions,
            &view.macros,
            &view.typedefs,
        ];
        let names = declared
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
        for (name, decl) in &view.macros {
            if in_headers(&decl.location) {
                self.macros.entry(Arc::clone(name)).or_default().add(on);
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
    pub fn name(&self, name: &str, abi: Abi, target: Version) -> Status {
        let Some(&masks) = self.names.get(name) else {
            return Status::Unknown;
        };
        let status = self.status(masks, abi, target);
        let added = self.added.get(name).copied();
        match (status, added) {
            (Status::Available { since }, _) if abi == Abi::Abi3t => {
                match self.abi3t_unusable.get(name) {
                    Some(why) => Status::HiddenByAbi3t {
                        why: Some(why.clone()),
                    },
                    None => Status::Available { since },
                }
            }
            (Status::Available { since }, Some(added)) if added > target => {
                let macro_at_target = self
                    .macros
                    .get(name)
                    .is_some_and(|masks| masks.of(abi) & bit(target) != 0);
                if macro_at_target {
                    // The macro is what the source calls (`Py_NewRef` to
                    // `_Py_NewRef`): the symbol is not imported.
                    Status::Available { since }
                } else {
                    Status::Early { added }
                }
            }
            (Status::Available { since }, Some(added)) => Status::Available {
                since: since.max(added),
            },
            (Status::Newer { since }, Some(added)) => Status::Newer {
                since: since.max(added),
            },
            (status, _) => status,
        }
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
