//! The limited view: with `#define Py_LIMITED_API <V>` and
//! `#include "Python.h"`, on a given platform configuration, which functions
//! and data are declared, which macros are defined, which typedefs and
//! structs exist, and where.
//!
//! Headers are parsed once ([`Headers::load`]); each version is an
//! evaluation of the preprocessor over that one parse ([`Headers::view`]).

mod decl;
mod declarations;
mod defines;
mod fuzz;
mod listing;
mod load;
mod model;
mod parse;
mod pp;
mod profile;
mod range;
mod unit;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::abi::Abi;
use crate::diagnostic::LocatedError;
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::release::version_of_patchlevel;
use crate::version::Version;

use load::Loaded;
use pp::ir::FileIr;
use pp::lex::{self, Interner};
use pp::walk::{self, Source, TableSizes, Walk};
use pp::{expand, expr};
use profile::Profile;
pub use profile::StandIn;

pub use declarations::abi3t_hidden_definitions;
pub use defines::Defines;
pub use fuzz::fuzz_view;
pub use listing::{entries, write_entries, Entry, KINDS as VIEW_KINDS};
pub use load::Layout;
pub use model::{ByName, Decl, GuardConstant, Listing, StructDef, View};
pub use pp::expr::{Constant, Use as ConstantUse};
pub use pp::ir::FileId;
pub use pp::walk::{Place, VersionGuard, MAX_INCLUDE_DEPTH};
pub use range::{hex_ranges, sample_views, RangeViews, Sample, MAX_SAMPLES};
pub use unit::{Definition, MacroValue, Placed, Sources, SystemInclude, Tok, Unit, UnitFile};

/// How the headers are read: where they are and which of them a view
/// includes ([`Layout`]: a CPython tree's `Include/Python.h` by default),
/// the platform's profile, with the command line's `-D`/`-U` on top of it.
/// The one configuration value of [`Headers::load`] (a `&Defines` alone is
/// this for a Linux tree).
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub platform: Platform,
    pub defines: Defines,
    pub layout: Layout,
}

impl Config {
    /// The headers as an extension sees them ([`Layout::extension`]):
    /// every public header, every name C code can use.
    pub fn for_extensions(mut self) -> Config {
        self.layout.extension = true;
        self
    }
}

impl From<&Defines> for Config {
    fn from(defines: &Defines) -> Config {
        Config {
            platform: Platform::default(),
            defines: defines.clone(),
            layout: Layout::default(),
        }
    }
}

impl From<&Config> for Config {
    fn from(config: &Config) -> Config {
        config.clone()
    }
}

/// Every header reachable from `Include/Python.h`, parsed once, and read
/// as one platform sees them ([`Headers::platform`]). The parse is shared:
/// [`Headers::with_platform`] reads the same headers for another platform
/// without parsing them again.
#[derive(Clone)]
pub struct Headers {
    parse: Arc<Parse>,
    platform: Platform,
}

/// What every platform's views share.
struct Parse {
    root: PathBuf,
    /// Where `Python.h` is, relative to `root` ([`Layout::include`]).
    include: PathBuf,
    loaded: Loaded,
    /// The names of the parse (taken out of `loaded`), shared with the
    /// interners of views that add names.
    interner: Arc<Interner>,
    /// The interner's [`Interner::ranks`].
    ranks: Vec<u32>,
    /// The files' [`walk::path_ranks`].
    path_ranks: Vec<u32>,
    version: Version,
    /// `-D`/`-U` given at load time.
    defines: Defines,
    /// The ids of the command line's files.
    ids: CommandLineIds,
    /// For each platform, the `#define`s of the command line (the
    /// profile's `-D`s and the user's).
    command_lines: Vec<FileIr>,
    /// `#define Py_LIMITED_API <V>` for each version, 3.2 first.
    limited: Vec<FileIr>,
    /// The name `Py_LIMITED_API`, when the headers use it.
    tracked: Option<lex::Sym>,
    /// What each walk reserves.
    sizes: TableSizes,
}

/// How one view is evaluated.
struct Evaluation<'l> {
    /// Keep [`View::macro_bodies`].
    macro_bodies: bool,
    listing: &'l Listing,
}

impl Default for Evaluation<'_> {
    fn default() -> Self {
        Evaluation {
            macro_bodies: false,
            listing: &Listing::All,
        }
    }
}

/// The command line's virtual files, numbered after the tree's files (the
/// walk finds them in [`Source::extra`], in this order).
#[derive(Copy, Clone, Debug)]
struct CommandLineIds {
    /// The `-D`s given at load time: the platform profile's and the user's.
    defines: FileId,
    /// `#define Py_LIMITED_API <V>` (for the full API the slot is filled
    /// but never walked).
    limited_api: FileId,
    /// The `-D`s given to one [`Headers::view`] (to toggle feature macros).
    extra: FileId,
}

impl CommandLineIds {
    fn after(tree_files: usize) -> CommandLineIds {
        CommandLineIds {
            defines: tree_files,
            limited_api: tree_files + 1,
            extra: tree_files + 2,
        }
    }
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

/// `PY_MINOR_VERSION` from the `patchlevel.h` beside `Python.h`
/// (`Include/patchlevel.h` in a tree).
fn read_python_version(root: &Path, include: &Path) -> Result<Version> {
    let path = root.join(include).join("patchlevel.h");
    let text = crate::input::read_to_string(&path)
        .map_err(|err| Error::io(&path, "cannot read the tree's version", err))?;
    version_of_patchlevel(&text)
        .ok_or_else(|| Error::file(&path, "no `#define PY_MINOR_VERSION N`"))
}

impl Headers {
    /// Parses the headers of the CPython tree at `root` (and the Windows
    /// build's `PC/pyconfig.h`, for that platform), to be read as
    /// `config` says: for its platform, with its `-D`/`-U` applied after
    /// the platform's profile. A `&Defines` is the Linux configuration.
    ///
    /// Errors: `Include/patchlevel.h` cannot be read or has no
    /// `PY_MINOR_VERSION`. (A bad header is an error of [`Headers::view`],
    /// where it is evaluated.)
    pub fn load(root: &Path, config: impl Into<Config>) -> Result<Headers> {
        let config = config.into();
        let version = read_python_version(root, &config.layout.include)?;
        Ok(Headers::from_loaded(
            root,
            load::load(root, &config.layout, None),
            version,
            &config,
        ))
    }

    /// [`Headers::load`], and the public headers that `Python.h` does not
    /// include (files directly in `Include/`) that define or declare a name
    /// `listed` says is a Limited API item (the callers: one the manifest
    /// lists, not `abi_only`) become part of every view, walked after
    /// `Python.h` in path order, as an extension includes them beside it
    /// to use the item: what such a header exposes under `Py_LIMITED_API`
    /// is the version's Limited API too.
    ///
    /// Where the rule comes from: the manifest lists what the Limited API
    /// has, and a header that provides a listed item is where extensions
    /// get it. CPython 3.11's `structmember.h` defines `PyMemberDef` and
    /// declares `PyMember_GetOne`; CPython gh-99014 (3.12) moved them into
    /// `Python.h`'s graph because "Stable ABI extensions in the wild use
    /// `structmember.h`" (its 3.12+ copy says it "must be included
    /// individually"). Headers that provide no listed item stay out:
    /// `datetime.h`, `marshal.h` (its functions are `abi_only`, declared
    /// only outside the Limited API), 3.12+'s `structmember.h` (its aliases
    /// name items `descrobject.h` defines); so the views of the 3.13.15 and
    /// 3.15.2 trees are what `Python.h` alone gives.
    ///
    /// Errors: as [`Headers::load`].
    pub fn load_with_outside(
        root: &Path,
        config: impl Into<Config>,
        listed: &dyn Fn(&str) -> bool,
    ) -> Result<Headers> {
        let config = config.into();
        let version = read_python_version(root, &config.layout.include)?;
        let loaded = load::load(root, &config.layout, Some(listed));
        Ok(Headers::from_loaded(root, loaded, version, &config))
    }

    /// Header text taken as the `Python.h` of a tree with nothing else, at
    /// the newest version this tool knows (that of the newest release
    /// edition). For fuzzing: any input gives headers whose views are
    /// either a view or an error, never a panic.
    pub fn from_text(text: &[u8]) -> Headers {
        let newest = crate::generate::editions::NEWEST_KNOWN.version();
        let loaded = load::load_text(text);
        Headers::from_loaded(Path::new("."), loaded, newest, &Config::default())
    }

    fn from_loaded(root: &Path, mut loaded: Loaded, version: Version, config: &Config) -> Headers {
        let ids = CommandLineIds::after(loaded.files.len());
        let command_lines = Platform::ALL
            .into_iter()
            .map(|platform| {
                let mut defines: Vec<(String, String)> = Profile::of(platform)
                    .command_line
                    .iter()
                    .map(|&(name, value)| (name.to_string(), value.to_string()))
                    .collect();
                defines.extend(config.defines.defines.iter().cloned());
                load::virtual_file(
                    "<command line>",
                    &command_line_text(&defines),
                    ids.defines,
                    &mut loaded.interner,
                )
            })
            .collect();
        let limited = Version::FIRST
            .up_to(version)
            .into_iter()
            .map(|v| {
                let text = format!("#define Py_LIMITED_API {:#x}\n", v.limited_api_value());
                load::virtual_file(
                    "<command line>",
                    &text,
                    ids.limited_api,
                    &mut loaded.interner,
                )
            })
            .collect();
        let tracked = loaded.interner.get("Py_LIMITED_API");
        let interner = Arc::new(std::mem::take(&mut loaded.interner));
        let ranks = interner.ranks();
        let sizes = TableSizes::of(&loaded.files);
        let path_ranks = walk::path_ranks(&loaded.files);
        let parse = Parse {
            root: root.to_path_buf(),
            include: config.layout.include.clone(),
            loaded,
            interner,
            ranks,
            path_ranks,
            version,
            defines: config.defines.clone(),
            ids,
            command_lines,
            limited,
            tracked,
            sizes,
        };
        Headers {
            parse: Arc::new(parse),
            platform: config.platform,
        }
    }

    /// The same headers, read as `platform` sees them (the parse is
    /// shared, not repeated; the `-D`/`-U` of the load apply).
    pub fn with_platform(&self, platform: Platform) -> Headers {
        Headers {
            parse: Arc::clone(&self.parse),
            platform,
        }
    }

    /// The platform whose view of the headers the views are.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// The built-in configuration header this platform's view reads because
    /// the tree lacks its own, when a report should say so
    /// ([`profile::Config::noted_stand_in`]).
    pub fn stand_in(&self) -> Option<&'static profile::StandIn> {
        let files = &self.parse.loaded.platforms[self.platform as usize];
        let stand_in = profile::Profile::of(self.platform)
            .config
            .noted_stand_in()?;
        (files.config == Some(files.builtin_config)).then_some(stand_in)
    }

    /// A [`Listing`] of `names` (and of no other name the headers know).
    pub fn listing_of<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Listing {
        let mut listed = vec![false; self.parse.ranks.len()];
        for sym in names
            .into_iter()
            .filter_map(|name| self.parse.interner.get(name))
        {
            listed[sym as usize] = true;
        }
        Listing::Only(listed)
    }

    /// The tree's own version, from `Include/patchlevel.h`.
    pub fn python_version(&self) -> Version {
        self.parse.version
    }

    /// The tree this was loaded from.
    pub fn root(&self) -> &Path {
        &self.parse.root
    }

    /// The view of one Stable ABI at one version: for abi3t, as with
    /// `-DPy_TARGET_ABI3T=0x030N0000` (and `Py_LIMITED_API`, which
    /// `Include/pyabi.h` sets to the same value when only
    /// `Py_TARGET_ABI3T` is given). `extra` is applied on top of the
    /// profile. A version before the ABI's first is an error.
    pub fn view_abi(&self, abi: Abi, version: Version, extra: &Defines) -> Result<View> {
        self.view_abi_keeping(abi, version, extra, abi == Abi::Abi3t)
    }

    /// [`Headers::view_abi`] with [`View::macro_bodies`] kept, for abi3 too
    /// (what each macro expands to: `port` follows them).
    pub fn view_abi_with_bodies(
        &self,
        abi: Abi,
        version: Version,
        extra: &Defines,
    ) -> Result<View> {
        self.view_abi_keeping(abi, version, extra, true)
    }

    fn view_abi_keeping(
        &self,
        abi: Abi,
        version: Version,
        extra: &Defines,
        macro_bodies: bool,
    ) -> Result<View> {
        if version < abi.first_version() {
            return Err(Error::other(format!(
                "{abi} begins with {} (PEP 803); there is no {abi} {version}",
                abi.first_version()
            )));
        }
        let how = Evaluation {
            macro_bodies,
            ..Evaluation::default()
        };
        let mut view = if abi == Abi::Abi3 {
            self.evaluate(Some(version.limited_api_value()), extra, &how)?
        } else {
            let mut extra = extra.clone();
            extra.defines.extend(abi.defines(version));
            self.evaluate(Some(version.limited_api_value()), &extra, &how)?
        };
        view.abi = abi;
        Ok(view)
    }

    /// The view at one `Py_LIMITED_API` version (`None`: the full API),
    /// with `extra` applied on top of the profile (to toggle feature macros).
    /// The version's value is its first: `0x030N0000` (`3` for 3.2).
    pub fn view(&self, limited: Option<Version>, extra: &Defines) -> Result<View> {
        self.view_listing(limited, extra, &Listing::All)
    }

    /// [`Headers::view`], listing only what `listing` names.
    pub fn view_listing(
        &self,
        limited: Option<Version>,
        extra: &Defines,
        listing: &Listing,
    ) -> Result<View> {
        self.value_listing(limited.map(Version::limited_api_value), extra, listing)
    }

    /// The view with `Py_LIMITED_API` defined as exactly `value` (`None`:
    /// the full API). A value must select a version from 3.2 to the
    /// headers' own ([`Version::of_limited_api_value`]).
    pub fn view_value(&self, value: Option<u32>, extra: &Defines) -> Result<View> {
        self.value_listing(value, extra, &Listing::All)
    }

    /// [`Headers::view_value`], listing only what `listing` names.
    fn value_listing(
        &self,
        value: Option<u32>,
        extra: &Defines,
        listing: &Listing,
    ) -> Result<View> {
        let evaluation = Evaluation {
            macro_bodies: false,
            listing,
        };
        self.evaluate(value, extra, &evaluation)
    }

    /// A walk of these headers, as this platform reads them, whose files
    /// after the tree's are `extra` (the command line's, in the order of
    /// [`CommandLineIds`], then any others: an extension's sources), named
    /// by `interner`; the platform's pyconfig.h yields to the command line.
    fn walk<'a>(&'a self, extra: &'a [&'a FileIr], interner: &'a Interner) -> Walk<'a> {
        let parse = &*self.parse;
        let platform = &parse.loaded.platforms[self.platform as usize];
        let mut walk = Walk::new(Source {
            files: &parse.loaded.files,
            extra,
            interner,
            ranks: &parse.ranks,
            path_ranks: &parse.path_ranks,
            system: &platform.system,
            compiler: Profile::of(self.platform).compiler,
            pyconfig_include: parse.loaded.pyconfig,
            root: &parse.root,
            include: &parse.include,
            sizes: &parse.sizes,
        });
        walk.config_file = platform.config;
        walk
    }

    /// This platform's command line, in the order of [`CommandLineIds`]:
    /// the profile's and the load's `-D`s, in [`Source::extra`]'s first two
    /// places.
    fn command_line(&self) -> &FileIr {
        &self.parse.command_lines[self.platform as usize]
    }

    /// Walks the command line as a compiler reads it: the platform's
    /// predefined macros, the `-D`/`-U` given at load time, then those of
    /// `extra` (whose `-D`s are the file [`CommandLineIds::extra`]), then
    /// `#define Py_LIMITED_API` when `limited`. What is defined then is
    /// pinned: pyconfig.h cannot change it.
    fn walk_command_line(
        &self,
        walk: &mut Walk,
        interner: &Interner,
        extra: &Defines,
        limited: bool,
    ) -> std::result::Result<(), LocatedError> {
        let ids = self.parse.ids;
        walk.file(self.parse.loaded.platforms[self.platform as usize].compiler)?;
        walk.file(ids.defines)?;
        let undefine = |walk: &mut Walk, names: &[String]| {
            for name in names {
                if let Some(sym) = interner.get(name) {
                    walk.macros.remove(&sym);
                    walk.pinned.insert(sym);
                }
            }
        };
        undefine(walk, &self.parse.defines.undefines);
        if !extra.defines.is_empty() {
            walk.file(ids.extra)?;
        }
        undefine(walk, &extra.undefines);
        if limited {
            walk.file(ids.limited_api)?;
        }
        let pinned: Vec<_> = walk.macros.keys().copied().collect();
        walk.pinned.extend(pinned);
        Ok(())
    }

    fn evaluate(&self, value: Option<u32>, extra: &Defines, how: &Evaluation) -> Result<View> {
        let version = match value {
            None => None,
            Some(value) => match Version::of_limited_api_value(value) {
                Some(v) if v <= self.parse.version => Some(v),
                Some(v) => {
                    return Err(Error::other(format!(
                        "Py_LIMITED_API {v} is outside 3.2…{} (the version of the headers)",
                        self.parse.version
                    )))
                }
                None => {
                    return Err(Error::other(format!(
                        "Py_LIMITED_API {value:#010x} selects no version: expected \
                         0x03NN0000…0x03NNFFFF (N from 2 to {}) or 3",
                        self.parse.version.minor
                    )))
                }
            },
        };
        // Names new to the headers can only come from `extra`: they go to
        // an interner layered over the shared one, which stays as is.
        let mut local_interner;
        let mut interner: &Interner = &self.parse.interner;
        // In the order of `CommandLineIds`.
        let ids = self.parse.ids;
        let exact_file;
        let limited_file = match (version, value) {
            (Some(v), Some(value)) if value == v.limited_api_value() => {
                Some(&self.parse.limited[usize::from(v.minor - Version::FIRST.minor)])
            }
            (_, Some(value)) => {
                local_interner = Interner::over(Arc::clone(&self.parse.interner));
                let text = format!("#define Py_LIMITED_API {value:#x}\n");
                exact_file = load::virtual_file(
                    "<command line>",
                    &text,
                    ids.limited_api,
                    &mut local_interner,
                );
                interner = &local_interner;
                Some(&exact_file)
            }
            _ => None,
        };
        let parse = &*self.parse;
        let platform = &parse.loaded.platforms[self.platform as usize];
        let command_line = self.command_line();
        let mut extra_files: Vec<&FileIr> = vec![command_line];
        extra_files.push(limited_file.unwrap_or(command_line));
        let extra_file;
        let mut extra_interner;
        if !extra.defines.is_empty() {
            // Layered over the exact value's interner when there is one.
            extra_interner = if std::ptr::eq(interner, &*self.parse.interner) {
                Interner::over(Arc::clone(&self.parse.interner))
            } else {
                interner.clone()
            };
            extra_file = load::virtual_file(
                "<command line>",
                &command_line_text(&extra.defines),
                ids.extra,
                &mut extra_interner,
            );
            interner = &extra_interner;
            extra_files.push(&extra_file);
        }
        let mut walk = self.walk(&extra_files, interner);
        walk.tracked = self.parse.tracked;
        walk.keep_macro_bodies = how.macro_bodies;
        self.walk_command_line(&mut walk, interner, extra, limited_file.is_some())?;
        let (python_h, public_headers) = parse.loaded.roots.split_first().unzip();
        if let Some(&python_h) = python_h {
            walk.file(python_h)?;
        }
        let reached = std::mem::take(&mut walk.system_includes);
        let system_includes = reached
            .into_iter()
            .filter_map(|(name, place)| {
                let &(file, offset) = place.last()?;
                Some((name, walk.location(file, offset)))
            })
            .collect();
        // A public header that does not preprocess on its own (3.15's
        // pydtrace.h in a tree configured with dtrace, which includes a
        // generated file) adds what it defined before the error.
        for &header in public_headers.unwrap_or_default() {
            let _ = walk.file(header);
        }
        let tree_files = parse.loaded.tree_files;
        let builtin_config = platform.builtin_config;
        // The macros of the headers and pyconfig.h, of the command line's
        // `-D`s, and those that come from the compiler or a system header
        // but that a header also defines (`#ifndef INT_MAX`...), as
        // `gcc -dM` lists them. (`Py_LIMITED_API` itself is the question
        // asked, not part of the answer.)
        let tree_defined = &platform.tree_defined;
        let mut view = walk.into_view(
            |sym| how.listing.lists(sym),
            |file, sym| {
                file < tree_files
                    || file == builtin_config
                    || file == ids.defines
                    || file == ids.extra
                    || tree_defined.contains(&sym)
                    || self.parse.loaded.unreached.defines(interner.name(sym))
            },
        );
        view.limited = version;
        view.limited_value = value;
        view.system_includes = system_includes;
        Ok(view)
    }
}
