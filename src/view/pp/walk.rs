//! One evaluation of the preprocessor over the parsed headers: the walk a
//! compiler makes through `Python.h` for one configuration, recording what
//! is declared and defined in the regions that are active.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::diagnostic::{LocatedError, Location};

use super::expand::{BuildSymHasher, Expander, MacroTable, Oracle};
use super::expr::{self, Constant};
use super::ir::{Cond, FileId, FileIr, Include, Item, Macro};
use super::lex::{self, Sym, TokKind, Token};
use crate::view::profile::Compiler;
use crate::view::{ByName, Decl, GuardConstant, StructDef, View};

mod versions;
mod view;

pub use versions::{Place, VersionGuard};

/// How deep `#include`s may nest before we call it a cycle (gcc's limit).
pub const MAX_INCLUDE_DEPTH: usize = 200;

/// What a walk reads: the files and the interned names.
pub struct Source<'a> {
    pub files: &'a [FileIr],
    /// Files outside `files` (the command line of one view).
    pub extra: &'a [&'a FileIr],
    pub interner: &'a super::lex::Interner,
    /// [`super::lex::Interner::ranks`] of the headers' names.
    pub ranks: &'a [u32],
    /// [`path_ranks`] of `files`.
    pub path_ranks: &'a [u32],
    pub system: &'a HashMap<String, FileId>,
    /// The compiler of the platform (its `__has_*` operators).
    pub compiler: &'static Compiler,
    /// Where the parse resolved `#include "pyconfig.h"`: the walk reads
    /// its [`Walk::config_file`] there instead (each platform has its own).
    pub pyconfig_include: Option<FileId>,
    pub root: &'a std::path::Path,
    /// Where `Python.h` is, relative to `root` (`Include` in a tree).
    pub include: &'a std::path::Path,
    /// How many entries the walk's tables may reach.
    pub sizes: &'a TableSizes,
}

/// Bounds on the walk's tables: the number of `#define`s, function, data,
/// typedef and struct declarations of the files, counted once at load.
/// Every walk (twenty for a tree) reserves them up front rather than grow
/// its tables step by step.
#[derive(Clone, Debug, Default)]
pub struct TableSizes {
    pub macros: usize,
    pub functions: usize,
    pub data: usize,
    pub typedefs: usize,
    pub structs: usize,
}

impl TableSizes {
    /// The sizes for `files`.
    pub fn of(files: &[FileIr]) -> TableSizes {
        let mut sizes = TableSizes::default();
        for item in files.iter().flat_map(|file| &file.items) {
            match item {
                Item::Define(_) => sizes.macros += 1,
                Item::Function { .. } => sizes.functions += 1,
                Item::Data { .. } => sizes.data += 1,
                Item::Typedef { .. } => sizes.typedefs += 1,
                Item::StructBegin { .. } | Item::StructDecl { .. } => sizes.structs += 1,
                _ => {}
            }
        }
        sizes
    }
}

impl<'a> Source<'a> {
    pub fn file(&self, id: FileId) -> &'a FileIr {
        if id < self.files.len() {
            &self.files[id]
        } else {
            self.extra[id - self.files.len()]
        }
    }

    /// The order of two files' paths: by their ranks when both have one
    /// (comparing paths component by component, for every view, cost more
    /// than the rest of ordering its guard constants).
    fn path_order(&self, a: FileId, b: FileId) -> std::cmp::Ordering {
        match (self.path_ranks.get(a), self.path_ranks.get(b)) {
            (Some(a), Some(b)) => a.cmp(b),
            _ => self.file(a).path.cmp(&self.file(b).path),
        }
    }
}

/// Each file's rank in the order of their paths (files of one path share
/// their rank), for [`Source::path_ranks`].
pub fn path_ranks(files: &[FileIr]) -> Vec<u32> {
    let mut order: Vec<FileId> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].path.cmp(&files[b].path));
    let mut ranks = vec![0; files.len()];
    let mut rank = 0;
    for (i, &file) in order.iter().enumerate() {
        if i > 0 && files[order[i - 1]].path != files[file].path {
            rank += 1;
        }
        ranks[file] = rank;
    }
    ranks
}

/// A map keyed by symbol (small integers: hashed as such).
type SymMap<V> = HashMap<Sym, V, BuildSymHasher>;

/// The walk's state.
pub struct Walk<'a> {
    source: Source<'a>,
    pub macros: MacroTable<'a>,
    /// Names defined before the headers are read (by the compiler or the
    /// command line) or removed with `-U`: the configuration (pyconfig.h)
    /// may not change them, so `-D`/`-U` win over it.
    pub pinned: HashSet<Sym, BuildSymHasher>,
    /// The platform's `pyconfig.h`: what `#include "pyconfig.h"` reads,
    /// and the file whose `#define`s and `#undef`s yield to `pinned`.
    pub config_file: Option<FileId>,
    /// Whether the view keeps each macro's replacement tokens.
    pub keep_macro_bodies: bool,
    once: HashSet<FileId, BuildSymHasher>,
    systems_seen: HashSet<FileId, BuildSymHasher>,
    stack: Vec<(FileId, u32)>,
    functions: SymMap<(FileId, u32)>,
    data: SymMap<(FileId, u32)>,
    typedefs: SymMap<(FileId, u32, Option<Sym>)>,
    structs: SymMap<(FileId, u32, Option<Vec<Sym>>)>,
    enumerators: SymMap<(FileId, u32)>,
    inline_functions: SymMap<(FileId, u32)>,
    current_struct: Option<(Sym, FileId, u32, Vec<Sym>)>,
    /// `Py_LIMITED_API`, whose values the conditions are compared with.
    pub tracked: Option<Sym>,
    /// The constants the tracked macro meets, and the directive of each.
    guard_constants: HashSet<(FileId, u32, Constant), foldhash::fast::RandomState>,
    scratch: Vec<Constant>,
    /// Files from this id on have what the walk skips of them recorded
    /// in [`Walk::passes`] (an extension's sources; `None`: no file).
    pub record_from: Option<FileId>,
    /// Each walk through a recorded file: the file, and the byte ranges of
    /// its text in groups not taken (from a conditional directive to the
    /// next of its group).
    pub passes: Vec<(FileId, Vec<(u32, u32)>)>,
    /// The macro whose comparisons [`Walk::version_guards`] records in the
    /// recorded files (`PY_VERSION_HEX`, the headers' version).
    pub version_macro: Option<Sym>,
    /// The branches of recorded files the walk took where a condition of
    /// their group compared [`Walk::version_macro`] with a constant.
    pub version_guards: Vec<VersionGuard>,
    /// Every `#include <name>` the walk reached (whether or not the
    /// platform's profile has the header), in order: the name, and where
    /// ([`Place`]: its last step is the directive).
    pub system_includes: Vec<(String, Place)>,
    /// Where the walk first entered each recorded file: the `#include`
    /// directives that led to it.
    pub entered: HashMap<FileId, Place>,
    /// A file whose entering the walk notes in [`Walk::watched_entered`]
    /// (the headers' `Python.h`, for a unit).
    pub watch: Option<FileId>,
    pub watched_entered: bool,
}

struct IncludeOracle<'w, 'a> {
    walk: &'w Source<'a>,
}

impl Oracle for IncludeOracle<'_, '_> {
    fn has_include(&self, name: &str, system: bool) -> bool {
        system && self.walk.system.contains_key(name)
            || [Path::new(name), &self.walk.include.join(name)]
                .iter()
                .any(|candidate| self.walk.root.join(candidate).is_file())
    }

    fn compiler(&self) -> &'static Compiler {
        self.walk.compiler
    }
}

impl<'a> Walk<'a> {
    pub fn new(source: Source<'a>) -> Walk<'a> {
        let sizes = source.sizes;
        Walk {
            source,
            macros: MacroTable::with_capacity_and_hasher(sizes.macros, BuildSymHasher),
            pinned: HashSet::default(),
            config_file: None,
            keep_macro_bodies: false,
            once: HashSet::default(),
            systems_seen: HashSet::default(),
            stack: Vec::new(),
            functions: SymMap::with_capacity_and_hasher(sizes.functions, BuildSymHasher),
            data: SymMap::with_capacity_and_hasher(sizes.data, BuildSymHasher),
            typedefs: SymMap::with_capacity_and_hasher(sizes.typedefs, BuildSymHasher),
            structs: SymMap::with_capacity_and_hasher(sizes.structs, BuildSymHasher),
            enumerators: SymMap::default(),
            inline_functions: SymMap::default(),
            current_struct: None,
            tracked: None,
            guard_constants: HashSet::default(),
            scratch: Vec::new(),
            record_from: None,
            passes: Vec::new(),
            version_macro: None,
            version_guards: Vec::new(),
            system_includes: Vec::new(),
            entered: HashMap::new(),
            watch: None,
            watched_entered: false,
        }
    }

    /// Records that the walk skips `items[from..to]` of `file` in `pass`
    /// (an index of [`Walk::passes`]), from the directive of `from` to that
    /// of `to` (or the end of the text).
    fn skip(&mut self, pass: Option<usize>, file: &FileIr, from: usize, to: usize) {
        let Some(pass) = pass else { return };
        let offset = |index: usize| {
            file.items
                .get(index)
                .and_then(Item::offset)
                .unwrap_or(file.text.len() as u32)
        };
        let range = (offset(from), offset(to));
        self.passes[pass].1.push(range);
    }

    fn is_defined(&self, sym: Sym) -> bool {
        self.macros.contains_key(&sym)
            || self
                .source
                .compiler
                .defines_operator(self.source.interner.name(sym))
    }

    fn error(&self, file: FileId, offset: u32, message: impl Into<String>) -> LocatedError {
        let error = LocatedError::new(self.source.file(file).location(offset), message);
        self.with_include_stack(error, 0)
    }

    /// Adds "included from here" notes, innermost first; a deep stack (an
    /// include cycle) is cut short.
    fn with_include_stack(&self, mut error: LocatedError, skip: usize) -> LocatedError {
        const SHOWN: usize = 8;
        let includers: Vec<_> = self.stack.iter().rev().skip(skip).collect();
        for &&(includer, at) in includers.iter().take(SHOWN) {
            let location = self.source.file(includer).location(at);
            error = error.with_note(Some(location), "included from here");
        }
        if includers.len() > SHOWN {
            let more = includers.len() - SHOWN;
            error = error.with_note(None, format!("… and {more} more levels of #include"));
        }
        error
    }

    /// Walks one file, following its active `#include`s.
    pub fn file(&mut self, id: FileId) -> Result<(), LocatedError> {
        let file = self.source.file(id);
        if let Some(error) = &file.error {
            return Err(self.with_include_stack(error.clone(), 0));
        }
        if self.once.contains(&id) {
            return Ok(());
        }
        self.watched_entered |= self.watch == Some(id);
        let pass = self.record_from.filter(|&first| id >= first).map(|_| {
            self.passes.push((id, Vec::new()));
            if !self.entered.contains_key(&id) {
                self.entered.insert(id, self.stack.clone());
            }
            self.passes.len() - 1
        });
        let items = &file.items;
        let mut i = 0;
        while i < items.len() {
            i = match &items[i] {
                Item::If { cond, next, offset } => {
                    let feature = match cond {
                        Cond::Ifdef(sym) if pass.is_some() => self.is_api_macro(*sym),
                        _ => false,
                    };
                    // The constants the headers' version meets in the
                    // group's conditions (recorded files only).
                    let mut versions = pass.and(self.version_macro).map(|_| (*offset, Vec::new()));
                    let taken = match cond {
                        Cond::Ifdef(sym) => self.is_defined(*sym),
                        Cond::Ifndef(sym) => !self.is_defined(*sym),
                        Cond::If(tokens) => {
                            self.condition(id, *offset, tokens, versions.as_mut())?
                        }
                    };
                    let branch = if taken {
                        i
                    } else {
                        self.next_branch(id, *next, versions.as_mut())? - 1
                    };
                    if let Some((directive, constants)) = versions {
                        if !constants.is_empty() {
                            self.version_guard(id, (i, branch), directive, constants, false);
                        }
                    }
                    if feature && taken {
                        self.version_guard(id, (i, branch), *offset, Vec::new(), true);
                    }
                    if !taken {
                        self.skip(pass, file, i, branch);
                    }
                    branch + 1
                }
                // Reached from a taken branch: the rest of the group is skipped.
                Item::Elif { next, .. } | Item::Else { next, .. } => {
                    let resume = end_of_group(items, *next);
                    self.skip(pass, file, i, resume - 1);
                    resume
                }
                Item::Endif { .. } => i + 1,
                Item::Define(definition) => {
                    if !(Some(id) == self.config_file && self.pinned.contains(&definition.name)) {
                        self.macros.insert(definition.name, definition);
                    }
                    i + 1
                }
                Item::Undef(sym) => {
                    if !(Some(id) == self.config_file && self.pinned.contains(sym)) {
                        self.macros.remove(sym);
                    }
                    i + 1
                }
                Item::Include { include, offset } => {
                    self.include(id, *offset, include)?;
                    i + 1
                }
                Item::Error { message, offset } => {
                    return Err(self.error(id, *offset, format!("#error {message}")));
                }
                Item::PragmaOnce => {
                    self.once.insert(id);
                    i + 1
                }
                declaration => {
                    self.declaration(id, declaration);
                    i + 1
                }
            };
        }
        Ok(())
    }

    /// From a branch that was not taken, finds the one that is (evaluating
    /// `#elif`s) and returns where to continue; `versions` as in
    /// [`Walk::condition`].
    fn next_branch(
        &mut self,
        id: FileId,
        mut j: usize,
        mut versions: Option<&mut (u32, Vec<Constant>)>,
    ) -> Result<usize, LocatedError> {
        let items = &self.source.file(id).items;
        loop {
            match items.get(j) {
                Some(Item::Elif {
                    tokens,
                    next,
                    offset,
                }) => {
                    if self.condition(id, *offset, tokens, versions.as_deref_mut())? {
                        return Ok(j + 1);
                    }
                    j = *next;
                }
                _ => return Ok(j + 1),
            }
        }
    }

    /// Whether the `#if`/`#elif` at `offset` is true. With `versions`, the
    /// constants it compares [`Walk::version_macro`] with are added to
    /// them (and the directive, when the first to).
    fn condition(
        &mut self,
        id: FileId,
        offset: u32,
        tokens: &[Token],
        versions: Option<&mut (u32, Vec<Constant>)>,
    ) -> Result<bool, LocatedError> {
        let oracle = IncludeOracle { walk: &self.source };
        let mut expander =
            Expander::new(&self.macros, self.source.interner, &oracle).tracking(self.tracked);
        let expanded = expander
            .expand_condition(tokens)
            .map_err(|message| self.error(id, offset, message))?;
        let value = expr::evaluate_tracking(&expanded, &mut self.scratch)
            .map_err(|message| self.error(id, offset, message))?;
        for constant in self.scratch.drain(..) {
            self.guard_constants.insert((id, offset, constant));
        }
        if let Some(versions) = versions {
            self.version_constants(offset, tokens, versions);
        }
        Ok(value.is_true())
    }

    /// The value of the macro `sym` as `#if sym` computes it, and the
    /// file and offset of its `#define`: `None` when it is not defined or
    /// its value is not a constant expression.
    pub fn macro_value(&self, sym: Sym) -> Option<(u64, FileId, u32)> {
        let definition = self.macros.get(&sym)?;
        let oracle = IncludeOracle { walk: &self.source };
        let mut expander = Expander::new(&self.macros, self.source.interner, &oracle);
        let name = Token {
            kind: TokKind::Ident(sym),
            offset: definition.offset,
            space_before: false,
        };
        let expanded = expander.expand_condition(&[name]).ok()?;
        let value = expr::evaluate(&expanded).ok()?;
        Some((value.bits(), definition.file, definition.offset))
    }

    fn include(&mut self, id: FileId, offset: u32, include: &Include) -> Result<(), LocatedError> {
        let target = match include {
            Include::Quoted {
                target: Some(target),
                ..
            } if Some(*target) == self.source.pyconfig_include => {
                self.config_file.unwrap_or(*target)
            }
            Include::Quoted {
                target: Some(target),
                ..
            } => *target,
            Include::Quoted { name, target: None } => {
                return Err(self.error(id, offset, format!("'{name}' file not found")));
            }
            Include::System(name) => {
                let mut place = self.stack.clone();
                place.push((id, offset));
                self.system_includes.push((name.clone(), place));
                match self.source.system.get(name) {
                    Some(&system) if self.systems_seen.insert(system) => system,
                    _ => return Ok(()),
                }
            }
            Include::Other => {
                return Err(self.error(
                    id,
                    offset,
                    "#include expects \"FILENAME\" or <FILENAME> (computed includes are not supported)",
                ));
            }
        };
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            let name = self.source.file(target).path.display().to_string();
            return Err(self.error(
                id,
                offset,
                format!("#include nested too deeply (include cycle?) including {name}"),
            ));
        }
        self.stack.push((id, offset));
        let result = self.file(target);
        self.stack.pop();
        result
    }

    fn declaration(&mut self, id: FileId, item: &Item) {
        match *item {
            Item::Function { name, offset } => {
                self.functions.entry(name).or_insert((id, offset));
            }
            Item::Data { name, offset } => {
                self.data.entry(name).or_insert((id, offset));
            }
            Item::Typedef {
                name,
                target,
                offset,
            } => {
                self.typedefs.entry(name).or_insert((id, offset, target));
            }
            Item::StructBegin { key, offset } => {
                self.current_struct = Some((key, id, offset, Vec::new()));
            }
            Item::Member(name) => {
                if let Some((_, _, _, members)) = &mut self.current_struct {
                    members.push(name);
                }
            }
            Item::MemberMacro(sym) => {
                let declared = self.macros.get(&sym).map(|m| members_declared_by(m));
                if let (Some((_, _, _, members)), Some(declared)) =
                    (&mut self.current_struct, declared)
                {
                    members.extend(declared);
                }
            }
            Item::StructEnd => {
                if let Some((key, file, offset, members)) = self.current_struct.take() {
                    let entry = self.structs.entry(key).or_insert((file, offset, None));
                    if entry.2.is_none() {
                        *entry = (file, offset, Some(members));
                    }
                }
            }
            Item::StructDecl { key, offset } => {
                self.structs.entry(key).or_insert((id, offset, None));
            }
            Item::Enumerator { name, offset } => {
                self.enumerators.entry(name).or_insert((id, offset));
            }
            Item::Inline { name, offset } => {
                self.inline_functions.entry(name).or_insert((id, offset));
            }
            _ => {}
        }
    }

    pub fn location(&self, file: FileId, offset: u32) -> Location {
        self.source.file(file).location(offset)
    }
}

/// The members an object-like macro such as `PyObject_HEAD` declares
/// (`PyObject ob_base;`): the last identifier of each `;`-ended part.
fn members_declared_by(definition: &Macro) -> Vec<Sym> {
    if definition.params.is_some() {
        return Vec::new();
    }
    let mut members = Vec::new();
    let mut last = None;
    let mut in_brackets = false;
    for token in &definition.body {
        match token.kind {
            TokKind::Ident(sym) if !in_brackets => last = Some(sym),
            TokKind::Punct("[") => in_brackets = true,
            TokKind::Punct("]") => in_brackets = false,
            TokKind::Punct(";") => members.extend(last.take()),
            _ => {}
        }
    }
    members
}

/// The index after the `#endif` of a group, from one of its branches.
fn end_of_group(items: &[Item], mut j: usize) -> usize {
    loop {
        match items.get(j) {
            Some(Item::Elif { next, .. }) | Some(Item::Else { next, .. }) => j = *next,
            _ => return j + 1,
        }
    }
}
