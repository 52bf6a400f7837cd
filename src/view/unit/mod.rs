//! An extension's C sources preprocessed over the loaded headers, as a
//! compiler sees them: each source is a translation unit whose
//! `#include "Python.h"` (or `<Python.h>`) walks the headers of
//! [`Headers`] under the unit's own macros, and whose own conditionals are
//! evaluated with them.
//!
//! [`Sources`] reads and parses each file once (a local header included by
//! several sources too). Includes resolve as with `cc -I DIR... -I ROOT
//! -I INCLUDE`: a quoted name in the including file's directory first, then
//! in each `-I` directory, then among the headers (the tree's root, for a
//! configured `pyconfig.h`, and the directory of `Python.h`); an angled
//! name without the first step. A name found nowhere is a system header,
//! left to the platform profile as in the views. [`Sources::walk`]
//! evaluates one unit and returns what is active in each of its files: the
//! tokens of its code and of its `#define`s, and the names it declares.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod declared;

use crate::diagnostic::Location;
use crate::error::{Error, Result};
use crate::view::decl::{self, RawDecl};
use crate::view::load::{display_path, virtual_file};
use crate::view::parse;
use crate::view::pp::ir::{FileId, FileIr, Item, Resolver};
use crate::view::pp::lex::{self, Interner, Sym, TokKind, Token};
use crate::view::pp::walk::{Place, VersionGuard};
use crate::view::{command_line_text, Defines, Headers};
use declared::{
    declared_function_places, declared_functions, declared_types, inactive_ranges, struct_members,
};

/// A token of a unit's active code, as [`Unit`] hands it out.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tok<'s> {
    Ident(&'s str),
    Punct(&'static str),
    /// A number, a character or string literal, anything else.
    Other,
}

/// A token and its byte offset in its file.
#[derive(Copy, Clone, Debug)]
pub struct Placed<'s> {
    pub tok: Tok<'s>,
    pub offset: u32,
}

/// One `#define` of a unit's file that the walk reached.
#[derive(Clone, Debug)]
pub struct Definition<'s> {
    pub name: &'s str,
    pub offset: u32,
    /// A function-like macro's parameters.
    pub params: Vec<&'s str>,
    /// Its replacement list.
    pub body: Vec<Placed<'s>>,
}

/// What one file of a unit contributes, in the regions the walk took.
#[derive(Clone, Debug)]
pub struct UnitFile<'s> {
    pub id: FileId,
    pub path: Arc<Path>,
    /// The code's tokens (comments and directive lines left out).
    pub code: Vec<Placed<'s>>,
    pub defines: Vec<Definition<'s>>,
    /// Names of the typedefs and of the structs (tags, and typedef names of
    /// anonymous ones) it defines (a tag only named, `struct PyModuleDef
    /// def`, is not its own).
    pub types: Vec<&'s str>,
    /// Members of the structs it defines.
    pub members: Vec<&'s str>,
    /// The functions it declares or defines at file scope.
    pub functions: Vec<&'s str>,
    /// The macros, types and functions it declares in the regions the walk
    /// skipped (a compatibility header's definitions for other versions).
    pub skipped: Vec<&'s str>,
    /// The macros and functions of [`UnitFile::skipped`], each with the
    /// offset of its name (of its `#define`, for a macro).
    pub skipped_places: Vec<(&'s str, u32)>,
}

/// A macro's value at the end of a unit, and where it was defined.
#[derive(Clone, Debug)]
pub struct MacroValue {
    pub value: u64,
    pub location: Location,
    /// Defined by one of the unit's files (not the command line or a
    /// header).
    pub in_unit: bool,
}

/// One translation unit as walked: its files (those the walk entered, the
/// main file first) and the Stable ABI macros in effect at its end.
#[derive(Clone, Debug)]
pub struct Unit<'s> {
    pub files: Vec<UnitFile<'s>>,
    /// `Py_LIMITED_API` at the end (after `Include/pyabi.h`).
    pub limited_api: Option<MacroValue>,
    /// `Py_TARGET_ABI3T` at the end.
    pub target_abi3t: Option<MacroValue>,
    /// Whether the unit includes `Python.h` (the walk reached it).
    pub python_h: bool,
    /// Every system header the walk reached (`#include <stdio.h>`, the
    /// headers' and the unit's own), each where first: sorted by name.
    pub system_includes: Vec<SystemInclude>,
    /// Where the walk first entered each of the unit's files
    /// ([`Unit::place`]).
    pub entered: HashMap<FileId, Place>,
    /// The branches of the unit's files taken because of the headers'
    /// version (`#if PY_VERSION_HEX >= 0x030D0000`).
    pub version_guards: Vec<VersionGuard>,
}

impl Unit<'_> {
    /// The place of `offset` in the unit's file `file`, as a compiler
    /// reads the unit (`None` for a file the walk did not enter).
    pub fn place(&self, file: FileId, offset: u32) -> Option<Place> {
        let mut place = self.entered.get(&file)?.clone();
        place.push((file, offset));
        Some(place)
    }

    /// Whether the walk reached `#include <header>` before `place`.
    pub fn includes_before(&self, header: &str, place: &Place) -> bool {
        match self
            .system_includes
            .binary_search_by(|include| include.name.as_str().cmp(header))
        {
            Ok(at) => self.system_includes[at].place < *place,
            Err(_) => false,
        }
    }
}

/// An `#include <name>` a unit's walk reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemInclude {
    pub name: String,
    pub place: Place,
    /// The directive is in one of the unit's files (not the headers').
    pub own: bool,
}

/// A file of the sources, parsed.
struct Parsed {
    ir: FileIr,
    /// Its text with comments and directive lines blanked.
    bytes: Vec<u8>,
    code: Vec<Token>,
}

/// The types and struct members a file's active code declares.
#[derive(Debug, Default)]
struct Declared {
    /// The ranges of the file no walk took ([`inactive_ranges`]).
    inactive: Vec<(u32, u32)>,
    types: Vec<String>,
    members: Vec<String>,
}

/// The byte ranges each walk through a file skipped.
type Passes = Vec<Vec<(u32, u32)>>;

/// The sources of an extension over loaded headers; see the module's
/// documentation.
pub struct Sources<'h> {
    headers: &'h Headers,
    include_dirs: Vec<PathBuf>,
    /// The headers' names, and the sources' after them.
    interner: Interner,
    /// The sources' files, numbered from `first`.
    files: Vec<Parsed>,
    first: FileId,
    /// Every file by its [`key`]: the headers', then the sources'.
    ids: HashMap<PathBuf, FileId>,
    /// The headers' directory: a file read from under it is one of the
    /// headers (`cpython/…` included directly), not the extension's.
    header_dir: PathBuf,
    /// The files read from the header directory (or the tree's
    /// `pyconfig.h`).
    header_files: std::collections::HashSet<FileId>,
    /// What each file's active code declares, by the regions its walks
    /// took (most walks of a file take the same).
    declared: HashMap<(FileId, Passes), Declared>,
}

impl<'h> Sources<'h> {
    /// No sources yet, over `headers`, with `include_dirs` searched as
    /// `-I` (after the including file's directory, before the headers).
    pub fn new(headers: &'h Headers, include_dirs: &[PathBuf]) -> Sources<'h> {
        let ids = headers
            .parse
            .loaded
            .files
            .iter()
            .enumerate()
            .map(|(id, file)| (key(&file.path), id))
            .collect();
        Sources {
            headers,
            include_dirs: include_dirs.to_vec(),
            interner: Interner::over(Arc::clone(&headers.parse.interner)),
            files: Vec::new(),
            first: headers.parse.ids.extra + 1,
            ids,
            header_dir: key(&display_path(&headers.parse.root, &headers.parse.include)),
            header_files: Default::default(),
            declared: HashMap::new(),
        }
    }

    /// Reads and parses the source at `path` and every file it can
    /// include (whatever the conditions around the `#include`), once.
    ///
    /// Errors: `path` cannot be read. (An included file that cannot be
    /// read is an error of the walk that reaches it, as in a compiler.)
    pub fn add(&mut self, path: &Path) -> Result<FileId> {
        if let Some(&id) = self.ids.get(&key(path)) {
            return Ok(id);
        }
        let bytes = crate::input::read(path).map_err(|err| Error::io(path, "cannot read", err))?;
        Ok(self.add_bytes(path, bytes))
    }

    /// [`Sources::add`] of a source whose text is `bytes` (not read from
    /// `path`; what it includes is).
    pub fn add_bytes(&mut self, path: &Path, bytes: Vec<u8>) -> FileId {
        let path = clean(path);
        let main = self.assign(path.clone());
        let mut queue = vec![(main, path, Some(bytes))];
        let mut scanned = Vec::new();
        while let Some((id, path, bytes)) = queue.pop() {
            let bytes = match bytes.map_or_else(|| crate::input::read(&path), Ok) {
                Ok(bytes) => bytes,
                Err(err) => {
                    let message = format!("cannot read: {err}");
                    scanned.push((id, path.clone(), Err(FileIr::unreadable(path, message))));
                    continue;
                }
            };
            let file = parse::scan(path.clone(), lex::lossy_owned(bytes));
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            for (name, angled) in file.includes() {
                if let Some(found) = self.find(&dir, &name, angled) {
                    if !self.ids.contains_key(&key(&found)) {
                        let id = self.assign(found.clone());
                        queue.push((id, found, None));
                    }
                }
            }
            scanned.push((id, path, Ok(file)));
        }
        scanned.sort_by_key(|(id, ..)| *id);
        for (id, path, file) in scanned {
            let parsed = match file {
                Ok(file) => {
                    let code = lex::tokenize(&file.code, 0, file.code.len(), &mut self.interner);
                    let bytes = file.code.clone();
                    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                    let mut resolver = UnitResolver { sources: self, dir };
                    // Declarations are read from the active code of each
                    // walk ([`Sources::declared`]): both sides of an `#if`
                    // at once are often not C (`if (a) {` twice).
                    let ir = parse::build(file, Vec::new(), id, &mut resolver);
                    Parsed { ir, bytes, code }
                }
                Err(ir) => Parsed {
                    ir,
                    bytes: Vec::new(),
                    code: Vec::new(),
                },
            };
            let index = id - self.first;
            if index == self.files.len() {
                self.files.push(parsed);
            } else {
                self.files[index] = parsed;
            }
        }
        main
    }

    /// A new id for the file at `path` (filled in by [`Sources::add`]).
    fn assign(&mut self, path: PathBuf) -> FileId {
        let id = self.first + self.files.len();
        let found = key(&path);
        let pyconfig = key(&display_path(
            &self.headers.parse.root,
            Path::new("pyconfig.h"),
        ));
        if found.starts_with(&self.header_dir) || found == pyconfig {
            self.header_files.insert(id);
        }
        self.files.push(Parsed {
            ir: FileIr::unreadable(path.clone(), "not parsed".into()),
            bytes: Vec::new(),
            code: Vec::new(),
        });
        self.ids.insert(found, id);
        id
    }

    /// Where `#include "name"` (or `<name>`) in a file of `dir` leads.
    fn find(&self, dir: &Path, name: &str, angled: bool) -> Option<PathBuf> {
        let headers = self.headers;
        let mut candidates = Vec::new();
        if !angled {
            candidates.push(dir.join(name));
        }
        candidates.extend(self.include_dirs.iter().map(|d| d.join(name)));
        candidates.push(display_path(&headers.parse.root, Path::new(name)));
        candidates.push(display_path(
            &headers.parse.root,
            &headers.parse.include.join(name),
        ));
        candidates
            .into_iter()
            .map(|candidate| clean(&candidate))
            .find(|candidate| {
                crate::input::is_present(candidate) || self.ids.contains_key(&key(candidate))
            })
    }

    /// The file `id` (a header's or a source's).
    fn file(&self, id: FileId) -> &FileIr {
        let files = &self.headers.parse.loaded.files;
        if id < files.len() {
            &files[id]
        } else {
            &self.files[id - self.first].ir
        }
    }

    /// Whether any of the sources' files (those of every source added so
    /// far, not the headers) has a `#define` of one of `names`, whatever
    /// the conditions around it.
    pub fn defines_any(&self, names: &[&str]) -> bool {
        let syms: Vec<Sym> = names.iter().filter_map(|n| self.interner.get(n)).collect();
        self.files
            .iter()
            .enumerate()
            .filter(|(index, _)| !self.header_files.contains(&(self.first + index)))
            .flat_map(|(_, file)| &file.ir.items)
            .any(|item| matches!(item, Item::Define(d) if syms.contains(&d.name)))
    }

    /// Where `offset` is in the file `id`.
    pub fn location(&self, id: FileId, offset: u32) -> Location {
        self.file(id).location(offset)
    }

    /// Walks the unit whose main file is `main` (an id of
    /// [`Sources::add`]) with `defines` on the command line, after the
    /// headers' own (the profile's and those given at load time).
    ///
    /// Errors: what a compiler's preprocessor reports (an `#error` reached,
    /// a missing quoted include, a malformed `#if`), at its `file:line:col`
    /// with the include stack.
    pub fn walk(&mut self, main: FileId, defines: &Defines) -> Result<Unit<'_>> {
        let headers = self.headers;
        let ids = headers.parse.ids;
        let extra_file = virtual_file(
            "<command line>",
            &command_line_text(&defines.defines),
            ids.extra,
            &mut self.interner,
        );
        let mut extra: Vec<&FileIr> = vec![headers.command_line(), headers.command_line()];
        extra.push(&extra_file);
        extra.extend(self.files.iter().map(|file| &file.ir));
        let interner = &self.interner;
        let mut walk = headers.walk(&extra, interner);
        walk.record_from = Some(self.first);
        walk.version_macro = interner.get("PY_VERSION_HEX");
        walk.watch = headers.parse.loaded.roots.first().copied();
        let result = headers
            .walk_command_line(&mut walk, interner, defines, false)
            .and_then(|()| walk.file(main));
        result.map_err(Error::from)?;
        let value = |name: &str| {
            let sym = interner.get(name)?;
            let (value, file, offset) = walk.macro_value(sym)?;
            let location = if file >= self.first {
                self.location(file, offset)
            } else if file < headers.parse.loaded.files.len() {
                headers.parse.loaded.files[file].location(offset)
            } else {
                Location::new("<command line>", 1, 1)
            };
            Some(MacroValue {
                value,
                location,
                in_unit: file >= self.first,
            })
        };
        let limited_api = value("Py_LIMITED_API");
        let target_abi3t = value("Py_TARGET_ABI3T");
        let mut skipped: HashMap<FileId, Vec<Vec<(u32, u32)>>> = HashMap::new();
        let mut order = Vec::new();
        let passes = std::mem::take(&mut walk.passes);
        let python_h = walk.watched_entered;
        let first = self.first;
        let header_files = &self.header_files;
        let mut system_includes: Vec<SystemInclude> = std::mem::take(&mut walk.system_includes)
            .into_iter()
            .map(|(name, place)| {
                let file = place.last().map(|&(file, _)| file);
                SystemInclude {
                    name,
                    own: file.is_some_and(|file| file >= first && !header_files.contains(&file)),
                    place,
                }
            })
            .collect();
        // The first place of each (a stable sort keeps the walk's order).
        system_includes.sort_by(|a, b| a.name.cmp(&b.name));
        system_includes.dedup_by(|later, first| later.name == first.name);
        let entered = std::mem::take(&mut walk.entered);
        let version_guards = std::mem::take(&mut walk.version_guards)
            .into_iter()
            .filter(|guard| !header_files.contains(&guard.file))
            .collect();
        for (file, ranges) in passes {
            if self.header_files.contains(&file) {
                continue;
            }
            if !skipped.contains_key(&file) {
                order.push(file);
            }
            skipped.entry(file).or_default().push(ranges);
        }
        drop(walk);
        for &id in &order {
            let key = (
                id,
                std::mem::take(skipped.get_mut(&id).unwrap_or(&mut Vec::new())),
            );
            if !self.declared.contains_key(&key) {
                let declared = self.declared_in(id, &key.1);
                self.declared.insert(key.clone(), declared);
            }
            skipped.insert(id, key.1);
        }
        let files = order
            .into_iter()
            .map(|id| self.unit_file(id, &skipped[&id]))
            .collect();
        Ok(Unit {
            files,
            limited_api,
            target_abi3t,
            python_h,
            system_includes,
            entered,
            version_guards,
        })
    }

    /// What the active code of the file `id` declares, given the ranges
    /// each walk through it skipped (blanked before it is read).
    fn declared_in(&self, id: FileId, passes: &[Vec<(u32, u32)>]) -> Declared {
        let parsed = &self.files[id - self.first];
        let mut text = parsed.bytes.clone();
        let inactive = inactive_ranges(passes);
        for &(a, b) in &inactive {
            let end = (b as usize).min(text.len());
            for byte in text.get_mut(a as usize..end).unwrap_or_default() {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
        }
        let mut declared = Declared {
            inactive,
            ..Declared::default()
        };
        let mut in_struct = false;
        for raw in decl::extract(&text, decl::Reach::Api) {
            match raw {
                RawDecl::Typedef { name, .. } => declared.types.push(name),
                RawDecl::StructBegin { key, .. } => {
                    in_struct = true;
                    declared.types.push(key);
                }
                RawDecl::Member { name, .. } | RawDecl::MemberMacro { name, .. } if in_struct => {
                    declared.members.push(name)
                }
                RawDecl::StructEnd { .. } => in_struct = false,
                _ => {}
            }
        }
        declared
    }

    /// What the file `id` contributes, given the ranges each walk through it
    /// skipped: what any walk took is active.
    fn unit_file(&self, id: FileId, passes: &[Vec<(u32, u32)>]) -> UnitFile<'_> {
        let parsed = &self.files[id - self.first];
        let declared = &self.declared[&(id, passes.to_vec())];
        let inactive = &declared.inactive;
        let active = |offset: u32| {
            let after = inactive.partition_point(|&(a, _)| a <= offset);
            after == 0 || inactive[after - 1].1 <= offset
        };
        let placed = |token: &Token| Placed {
            tok: match &token.kind {
                TokKind::Ident(sym) => Tok::Ident(self.interner.name(*sym)),
                TokKind::Punct(p) => Tok::Punct(p),
                _ => Tok::Other,
            },
            offset: token.offset,
        };
        let name = |sym: Sym| self.interner.name(sym);
        let (code, skipped_code): (Vec<Placed>, Vec<Placed>) = parsed
            .code
            .iter()
            .map(placed)
            .partition(|token| active(token.offset));
        let mut skipped_places = declared_function_places(&skipped_code);
        let mut skipped: Vec<&str> = skipped_places.iter().map(|&(name, _)| name).collect();
        skipped.extend(declared_types(&skipped_code));
        let types = declared.types.iter().map(String::as_str).collect();
        let mut members: Vec<&str> = declared.members.iter().map(String::as_str).collect();
        members.extend(struct_members(&code));
        members.sort_unstable();
        members.dedup();
        let mut defines = Vec::new();
        for item in &parsed.ir.items {
            match item {
                Item::Define(definition) if !active(definition.offset) => {
                    skipped.push(name(definition.name));
                    skipped_places.push((name(definition.name), definition.offset));
                }
                Item::Define(definition) if active(definition.offset) => defines.push(Definition {
                    name: name(definition.name),
                    offset: definition.offset,
                    params: definition
                        .params
                        .iter()
                        .flatten()
                        .map(|&sym| name(sym))
                        .collect(),
                    body: definition.body.iter().map(placed).collect(),
                }),
                _ => {}
            }
        }
        UnitFile {
            id,
            path: Arc::clone(&parsed.ir.path),
            functions: declared_functions(&code),
            code,
            defines,
            types,
            members,
            skipped,
            skipped_places,
        }
    }
}

/// `path` without its `.` components, as it is shown (`..` stays: after a
/// symbolic link it is not the parent of what precedes it).
fn clean(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// What identifies a file however it is reached: its canonical path (the
/// cleaned path when it cannot be resolved, a header that does not exist).
fn key(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| clean(path))
}

/// Include resolution while a source's file is built (every file it can
/// reach has its id by then).
struct UnitResolver<'a, 'h> {
    sources: &'a mut Sources<'h>,
    dir: PathBuf,
}

impl UnitResolver<'_, '_> {
    fn lookup(&self, name: &str, angled: bool) -> Option<FileId> {
        let found = self.sources.find(&self.dir, name, angled);
        match found.and_then(|path| self.sources.ids.get(&key(&path)).copied()) {
            Some(id) => Some(id),
            // Where the headers' own `#include "pyconfig.h"` leads (the
            // built-in default in an unconfigured tree).
            None if name == "pyconfig.h" => self.sources.headers.parse.loaded.pyconfig,
            None => None,
        }
    }
}

impl Resolver for UnitResolver<'_, '_> {
    fn interner(&mut self) -> &mut Interner {
        &mut self.sources.interner
    }

    fn resolve(&mut self, name: &str) -> Option<FileId> {
        self.lookup(name, false)
    }

    fn resolve_angled(&mut self, name: &str) -> Option<FileId> {
        self.lookup(name, true)
    }
}

#[cfg(test)]
mod tests;
