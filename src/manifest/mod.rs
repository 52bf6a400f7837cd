//! The Stable ABI manifest, `Misc/stable_abi.toml`, as a typed model.
//!
//! Parsing and validation live in [`parse`]; re-emitting the manifest
//! (`--dump`) in [`dump`].

pub mod add;
mod dump;
mod parse;
mod plain;
mod tables;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use hashbrown::hash_table::{Entry, HashTable};

use crate::diagnostic::Location;
use crate::generate::editions;
use crate::release::Release;
use crate::version::Version;

pub use dump::{check_dump, check_round_trip, dump, dump_text};
pub use parse::{is_c_identifier, Parsed};

/// What a manifest may say: the fields and values a release's
/// `stable_abi.py` accepts (see `generate::editions`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// `is_static_inline_function` on `macro` items (3.14+).
    pub static_inline_macros: bool,
    /// `struct_abi_kind = 'abi3t-opaque'` (CPython main, PEP 803).
    pub abi3t_opaque: bool,
    /// The release is newer than the tool knows: an unknown kind, field or
    /// `struct_abi_kind`, and an item without `added`, are warnings, and
    /// pass through to the generated files as the release's own script
    /// writes them. Otherwise they are errors.
    pub newer: bool,
    /// Why [`Rules::newer`] passes what the tool does not know through, as
    /// its warnings say.
    pub because: PassThrough,
}

/// Why what the tool does not know of a manifest is a warning, not an
/// error ([`Rules::newer`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PassThrough {
    /// The release is newer than every one the tool knows (CPython main):
    /// what it adds passes through as its own `stable_abi.py` writes it.
    NewerRelease,
    /// `compat` compares what the tool knows of two releases, whichever
    /// they are, and leaves the rest out of the comparison.
    Comparison,
}

impl PassThrough {
    /// What a warning adds to its message.
    pub fn explained(self) -> &'static str {
        match self {
            PassThrough::NewerRelease => {
                "the release is newer than the tool knows, so it passes through as its own stable_abi.py writes it"
            }
            PassThrough::Comparison => {
                "compat compares what the tool knows and leaves this out"
            }
        }
    }
}

impl Rules {
    /// Everything the tool knows, nothing passed through: for the commands
    /// that do not follow a release.
    pub const ALL_KNOWN: Rules = Rules {
        static_inline_macros: true,
        abi3t_opaque: true,
        newer: false,
        because: PassThrough::NewerRelease,
    };

    /// The rules of the commands beyond the drop-in (headers, view,
    /// library, audit, compat) for a tree of `release` (`None`: unknown):
    /// everything the tool knows, as on every known release; on a release
    /// newer than the tool knows (CPython main), what it does not know is a
    /// warning and passes through, as in the drop-in, unless `strict`.
    pub fn beyond_drop_in(release: Option<Release>, strict: bool) -> Rules {
        Rules {
            newer: !strict && release.is_some_and(editions::is_newer_than_known),
            ..Rules::ALL_KNOWN
        }
    }

    /// [`Rules::beyond_drop_in`] for the tree of the manifest at `path`,
    /// its release read from the tree's `Include/patchlevel.h` (a tree
    /// without one, or with one that cannot be read, is not newer).
    pub fn beyond_drop_in_for_tree(path: &Path, strict: bool) -> Rules {
        let patchlevel = tree_root(path).join(crate::release::PATCHLEVEL_H);
        let release = crate::input::read(&patchlevel).ok().and_then(|bytes| {
            Release::parse_patchlevel(&String::from_utf8_lossy(&bytes), &patchlevel).ok()
        });
        Rules::beyond_drop_in(release, strict)
    }

    /// Whether a `struct_abi_kind` value is one these rules know.
    pub fn accepts(self, kind: StructAbiKind) -> bool {
        kind != StructAbiKind::Abi3tOpaque || self.abi3t_opaque
    }
}

/// The kinds of item the manifest lists, one TOML table each.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Function,
    Macro,
    Data,
    Const,
    Typedef,
    FeatureMacro,
    Struct,
}

impl Kind {
    /// Every kind, in the order the 3.11–3.13 scripts register them (their
    /// `itemclass` decorators run bottom-up), which is the order their
    /// `--dump` emits them in.
    pub const DUMP_ORDER: [Kind; 7] = [
        Kind::Typedef,
        Kind::Const,
        Kind::Data,
        Kind::Macro,
        Kind::Function,
        Kind::FeatureMacro,
        Kind::Struct,
    ];

    /// [`Kind::DUMP_ORDER`] of the 3.14 script (3.15's is the same): `macro`
    /// items got a class of their own there (`Macro`, which adds
    /// `is_static_inline_function`), defined and registered after the
    /// others, so `--dump` prints them last.
    pub const DUMP_ORDER_3_14: [Kind; 7] = [
        Kind::Typedef,
        Kind::Const,
        Kind::Data,
        Kind::Function,
        Kind::FeatureMacro,
        Kind::Struct,
        Kind::Macro,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Macro => "macro",
            Kind::Data => "data",
            Kind::Const => "const",
            Kind::Typedef => "typedef",
            Kind::FeatureMacro => "feature_macro",
            Kind::Struct => "struct",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::DUMP_ORDER.into_iter().find(|k| k.as_str() == name)
    }

    /// Every kind the headers can show (all but feature macros, which
    /// come from pyconfig.h).
    pub const IN_HEADERS: [Kind; 6] = [
        Kind::Function,
        Kind::Data,
        Kind::Macro,
        Kind::Const,
        Kind::Typedef,
        Kind::Struct,
    ];

    /// The kinds a library exports: functions and data.
    pub const SYMBOLS: [Kind; 2] = [Kind::Function, Kind::Data];

    /// Functions and data are symbols a library exports.
    pub fn is_symbol(self) -> bool {
        matches!(self, Kind::Function | Kind::Data)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `windows` of a feature macro: whether it is defined on Windows.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Windows {
    #[default]
    No,
    Yes,
    Maybe,
}

/// `struct_abi_kind` of a struct: how much of it is in the Stable ABI.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StructAbiKind {
    #[serde(rename = "full-abi")]
    FullAbi,
    #[serde(rename = "opaque")]
    Opaque,
    #[serde(rename = "members")]
    Members,
    /// 'full-abi' in the abi3 Stable ABI, 'opaque' in the free-threaded
    /// one (abi3t, PEP 803): `PyObject`, `PyVarObject`, `PyModuleDef`, …
    /// CPython main's manifest documents it (CPython gh-146636).
    #[serde(rename = "abi3t-opaque")]
    Abi3tOpaque,
}

impl StructAbiKind {
    pub const ALL: [StructAbiKind; 4] = [
        StructAbiKind::FullAbi,
        StructAbiKind::Opaque,
        StructAbiKind::Members,
        StructAbiKind::Abi3tOpaque,
    ];

    /// The value as the manifest (and `Doc/data/stable_abi.dat`) spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StructAbiKind::FullAbi => "full-abi",
            StructAbiKind::Opaque => "opaque",
            StructAbiKind::Members => "members",
            StructAbiKind::Abi3tOpaque => "abi3t-opaque",
        }
    }

    /// What the kind means in the abi3 Stable ABI: 'abi3t-opaque' is
    /// 'full-abi' there; the others mean themselves.
    pub fn in_abi3(self) -> StructAbiKind {
        match self {
            StructAbiKind::Abi3tOpaque => StructAbiKind::FullAbi,
            kind => kind,
        }
    }

    /// What the kind means in the free-threaded Stable ABI (abi3t, PEP 803):
    /// 'abi3t-opaque' is 'opaque' there; the others mean themselves.
    pub fn in_abi3t(self) -> StructAbiKind {
        match self {
            StructAbiKind::Abi3tOpaque => StructAbiKind::Opaque,
            kind => kind,
        }
    }
}

/// One item of the manifest: `[kind.name]` and its fields. Two items are
/// equal when their fields are, wherever they stand in their files.
#[derive(Clone, Debug)]
pub struct Item {
    pub name: String,
    pub kind: Kind,
    /// Required for every kind but `feature_macro`.
    pub added: Option<Version>,
    /// In the Stable ABI but not the Limited API. Feature macros are always
    /// ABI-only.
    pub abi_only: bool,
    /// The feature macro this item depends on.
    pub ifdef: Option<String>,
    /// Feature macros: the note shown in the documentation.
    pub doc: Option<String>,
    /// Feature macros: whether defined on Windows.
    pub windows: Windows,
    pub struct_abi_kind: Option<StructAbiKind>,
    /// A `struct_abi_kind` the rules do not know, as written; kept for the
    /// generated files of a release newer than the tool knows.
    pub unknown_struct_abi_kind: Option<String>,
    pub members: Option<Vec<String>>,
    /// Fields the rules do not know, passed through (a release newer than
    /// the tool knows), in file order: each name and its value as the
    /// release's `stable_abi.py --dump` writes it. False values are left
    /// out, as the script's dump leaves them out.
    pub unknown_fields: Vec<(String, String)>,
    /// Macros: implemented as a static inline function, so not among the
    /// defined macros (`is_static_inline_function`, 3.14+).
    pub is_static_inline_function: bool,
    /// Where `[kind.name]` stands in the manifest (line and column).
    pub line: usize,
    pub column: usize,
}

impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        // Every field but `line` and `column`, spelled out so that a new
        // field is not forgotten here.
        let Item {
            name,
            kind,
            added,
            abi_only,
            ifdef,
            doc,
            windows,
            struct_abi_kind,
            unknown_struct_abi_kind,
            members,
            unknown_fields,
            is_static_inline_function,
            line: _,
            column: _,
        } = self;
        *name == other.name
            && *kind == other.kind
            && *added == other.added
            && *abi_only == other.abi_only
            && *ifdef == other.ifdef
            && *doc == other.doc
            && *windows == other.windows
            && *struct_abi_kind == other.struct_abi_kind
            && *unknown_struct_abi_kind == other.unknown_struct_abi_kind
            && *members == other.members
            && *unknown_fields == other.unknown_fields
            && *is_static_inline_function == other.is_static_inline_function
    }
}

impl Eq for Item {}

/// Which items [`Manifest::select`] picks: of some kinds, then optionally
/// only the Limited API and only those whose `ifdef` is defined.
///
/// ```
/// # use stable_abi::manifest::{Kind, Selection};
/// let every_macro = Selection::of(&[Kind::Macro]);
/// let limited_api = Selection::of(&Kind::SYMBOLS).limited_api();
/// ```
#[derive(Copy, Clone, Debug)]
pub struct Selection<'a> {
    kinds: &'a [Kind],
    limited_api_only: bool,
    defined: Option<&'a BTreeSet<String>>,
}

impl<'a> Selection<'a> {
    /// Every item of these kinds, `abi_only` ones and any `ifdef` included.
    pub fn of(kinds: &'a [Kind]) -> Selection<'a> {
        Selection {
            kinds,
            limited_api_only: false,
            defined: None,
        }
    }

    /// Only the Limited API: leave out `abi_only` items.
    pub fn limited_api(self) -> Selection<'a> {
        Selection {
            limited_api_only: true,
            ..self
        }
    }

    /// Leave out items whose `ifdef` feature macro is not in `defined`.
    pub fn where_defined(self, defined: &'a BTreeSet<String>) -> Selection<'a> {
        Selection {
            defined: Some(defined),
            ..self
        }
    }

    fn keeps(&self, item: &Item) -> bool {
        self.kinds.contains(&item.kind)
            && !(self.limited_api_only && item.abi_only)
            && match (self.defined, &item.ifdef) {
                (Some(defined), Some(macro_name)) => defined.contains(macro_name),
                _ => true,
            }
    }
}

/// The whole manifest, items in the order the file lists them.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub path: PathBuf,
    pub items: Vec<Item>,
    /// The kinds the file has a table of (`[function.NAME]` makes one;
    /// `[function]` alone, an empty one): what `stable_abi.py` indexes
    /// (see `dropin::require_kind_tables`).
    pub kind_tables: BTreeSet<Kind>,
    /// Indices of `items`, found by name (hashed with [`name_hash`]).
    by_name: HashTable<usize>,
}

impl Manifest {
    /// Reads and validates a manifest file with every rule the tool
    /// knows ([`Rules::ALL_KNOWN`]).
    pub fn load(path: &Path) -> crate::Result<Manifest> {
        parse::load(path, Rules::ALL_KNOWN).map(|parsed| parsed.manifest)
    }

    /// Reads and validates a manifest file under a release's rules; the
    /// warnings are what the rules passed through.
    pub fn load_with(path: &Path, rules: Rules) -> crate::Result<Parsed> {
        parse::load(path, rules)
    }

    /// Parses and validates manifest text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> crate::Result<Manifest> {
        parse::parse(text, path, Rules::ALL_KNOWN).map(|parsed| parsed.manifest)
    }

    /// [`Manifest::parse`] under a release's rules.
    pub fn parse_with(text: &str, path: &Path, rules: Rules) -> crate::Result<Parsed> {
        parse::parse(text, path, rules)
    }

    /// [`Manifest::parse_with`] through `toml_edit`'s document model even
    /// where the faster plain reader reads the text (see
    /// [`Manifest::reads_plainly`]): the tests and the fuzz target check
    /// that both readers give the same manifest, warnings and errors.
    #[doc(hidden)]
    pub fn parse_by_document(text: &str, path: &Path, rules: Rules) -> crate::Result<Parsed> {
        parse::parse_by_document(text, path, rules)
    }

    /// [`Manifest::parse_with`] with the plain reader reading chunks of
    /// about `chunk` bytes (1 MiB otherwise): the fuzz target checks that
    /// the size of the chunks changes nothing.
    #[doc(hidden)]
    pub fn parse_in_chunks(
        text: &str,
        path: &Path,
        rules: Rules,
        chunk: usize,
    ) -> crate::Result<Parsed> {
        parse::parse_in_chunks(text, path, rules, chunk)
    }

    /// Whether the plain reader reads `text` (the TOML subset CPython's
    /// manifests are written in); other text goes through `toml_edit`.
    #[doc(hidden)]
    pub fn reads_plainly(text: &str) -> bool {
        plain::reads(text)
    }

    /// A manifest with no items (and no tables).
    pub fn empty(path: PathBuf) -> Manifest {
        Manifest::new(path, Vec::new(), BTreeSet::new()).0
    }

    /// The manifest of `items` and `kind_tables`, and the items whose name
    /// an earlier item has: (the earlier, the later) indices, in the
    /// later's order.
    fn new(
        path: PathBuf,
        items: Vec<Item>,
        kind_tables: BTreeSet<Kind>,
    ) -> (Manifest, Vec<(usize, usize)>) {
        let mut by_name = HashTable::with_capacity(items.len());
        let mut repeated = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let same_name = |&other: &usize| items[other].name == item.name;
            let rehash = |&other: &usize| name_hash(&items[other].name);
            match by_name.entry(name_hash(&item.name), same_name, rehash) {
                Entry::Occupied(first) => repeated.push((*first.get(), index)),
                Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
        }
        let manifest = Manifest {
            path,
            items,
            kind_tables,
            by_name,
        };
        (manifest, repeated)
    }

    /// The item named `name` (the first, should two have it).
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.index_of(name).map(|index| &self.items[index])
    }

    /// Whether `name` is an item of the Limited API (listed, not
    /// `abi_only`).
    pub fn in_limited_api(&self, name: &str) -> bool {
        self.get(name).is_some_and(|item| !item.abi_only)
    }

    /// The index in `items` of [`Manifest::get`]'s item.
    fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name
            .find(name_hash(name), |&index| self.items[index].name == name)
            .copied()
    }

    /// The CPython tree the manifest belongs to: the grandparent of
    /// `Misc/stable_abi.toml`.
    pub fn root(&self) -> PathBuf {
        tree_root(&self.path)
    }

    /// Where an item is defined in the manifest.
    pub fn location(&self, item: &Item) -> Location {
        Location::new(self.path.clone(), item.line, item.column)
    }

    /// The items `selection` picks, sorted by name.
    pub fn select(&self, selection: Selection) -> Vec<&Item> {
        let mut selected: Vec<&Item> = self
            .items
            .iter()
            .filter(|item| selection.keeps(item))
            .collect();
        selected.sort_by(|a, b| a.name.cmp(&b.name));
        selected
    }

    /// The feature macros, sorted by name.
    pub fn feature_macros(&self) -> Vec<&Item> {
        self.select(Selection::of(&[Kind::FeatureMacro]))
    }

    /// The newest `added` version in the manifest.
    pub fn newest_version(&self) -> Option<Version> {
        self.items.iter().filter_map(|item| item.added).max()
    }
}

/// The hash [`Manifest`] finds items by.
fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(name)
}

/// Where the manifest is in a CPython tree (and in a git revision of one).
pub const MANIFEST_IN_TREE: &str = "Misc/stable_abi.toml";

/// The CPython tree of a manifest path (`<root>/Misc/stable_abi.toml`).
pub fn tree_root(manifest_path: &Path) -> PathBuf {
    let root = manifest_path
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new(""));
    if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root.to_path_buf()
    }
}
