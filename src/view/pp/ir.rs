//! One header, parsed once into what the preprocessor walk needs: its
//! directives (with the structure of its conditionals already matched) and
//! its declarations, in file order. ([`crate::view::parse`] makes it.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{LineIndex, LocatedError, Location};

use super::lex::{Interner, Sym, Token};

pub type FileId = usize;

/// The condition that opens a conditional group.
#[derive(Debug)]
pub enum Cond {
    If(Vec<Token>),
    Ifdef(Sym),
    Ifndef(Sym),
}

/// A `#define`.
#[derive(Debug)]
pub struct Macro {
    pub name: Sym,
    /// `None` for an object-like macro. A variadic macro's last parameter
    /// is `__VA_ARGS__` (or the name given before `...`).
    pub params: Option<Vec<Sym>>,
    pub variadic: bool,
    pub body: Vec<Token>,
    pub file: FileId,
    /// Offset of the macro's name.
    pub offset: u32,
}

/// Where a `#include` leads.
#[derive(Debug)]
pub enum Include {
    /// `"name"`, resolved at load time (`None`: not found).
    Quoted {
        name: String,
        target: Option<FileId>,
    },
    /// `<name>`: a system header, not followed (see the profile), unless
    /// the resolver found it among the include directories (then it is
    /// [`Include::Quoted`]).
    System(String),
    /// Anything else (a macro-expanded name): not supported.
    Other,
}

/// One step of the walk. Conditionals carry the index of the next branch
/// of their group (`#elif`/`#else`/`#endif`), so skipping is a jump.
#[derive(Debug)]
pub enum Item {
    If {
        cond: Cond,
        next: usize,
        offset: u32,
    },
    Elif {
        tokens: Vec<Token>,
        next: usize,
        offset: u32,
    },
    Else {
        next: usize,
        offset: u32,
    },
    Endif {
        offset: u32,
    },
    Define(Macro),
    Undef(Sym),
    Include {
        include: Include,
        offset: u32,
    },
    Error {
        message: String,
        offset: u32,
    },
    PragmaOnce,
    Function {
        name: Sym,
        offset: u32,
    },
    Data {
        name: Sym,
        offset: u32,
    },
    Typedef {
        name: Sym,
        target: Option<Sym>,
        offset: u32,
    },
    StructBegin {
        key: Sym,
        offset: u32,
    },
    Member(Sym),
    /// A macro in a struct body that declares members (`PyObject_HEAD`).
    MemberMacro(Sym),
    StructEnd,
    StructDecl {
        key: Sym,
        offset: u32,
    },
    /// A constant of an `enum`.
    Enumerator {
        name: Sym,
        offset: u32,
    },
    /// A `static inline` function.
    Inline {
        name: Sym,
        offset: u32,
    },
}

/// A header as parsed: its items, or the structural error that makes it
/// unusable (raised when the walk enters it, as a compiler would).
#[derive(Debug)]
pub struct FileIr {
    /// The path shown in locations.
    pub path: Arc<Path>,
    pub text: String,
    pub(in crate::view) lines: LineIndex,
    /// The line and column of every item's offset, computed once: every
    /// view asks for the locations of thousands of items.
    pub(in crate::view) places: HashMap<u32, (usize, usize), foldhash::fast::RandomState>,
    pub items: Vec<Item>,
    pub error: Option<LocatedError>,
}

impl FileIr {
    /// A file that could not be read: entering it is the error.
    pub fn unreadable(path: PathBuf, message: String) -> FileIr {
        let path: Arc<Path> = path.into();
        let error = LocatedError::new(Location::shared(&path, 1, 1), message);
        FileIr {
            path,
            text: String::new(),
            lines: LineIndex::default(),
            places: HashMap::default(),
            items: Vec::new(),
            error: Some(error),
        }
    }

    pub fn location(&self, offset: u32) -> Location {
        let (line, column) = match self.places.get(&offset) {
            Some(&place) => place,
            None => self.lines.line_column(&self.text, offset as usize),
        };
        Location::shared(&self.path, line, column)
    }

    /// Fills [`FileIr::places`] from the items that views locate (not
    /// `#else` and `#endif`, which only delimit regions).
    pub(in crate::view) fn index_places(&mut self) {
        let offsets = self
            .items
            .iter()
            .filter(|item| !matches!(item, Item::Else { .. } | Item::Endif { .. }))
            .filter_map(Item::offset);
        let places = offsets
            .map(|offset| (offset, self.lines.line_column(&self.text, offset as usize)))
            .collect();
        self.places = places;
    }
}

impl Item {
    /// Where the item is (its directive's `#`, or the declared name), when
    /// it has a place of its own.
    pub fn offset(&self) -> Option<u32> {
        match self {
            Item::If { offset, .. }
            | Item::Elif { offset, .. }
            | Item::Else { offset, .. }
            | Item::Endif { offset }
            | Item::Include { offset, .. }
            | Item::Error { offset, .. }
            | Item::Function { offset, .. }
            | Item::Data { offset, .. }
            | Item::Typedef { offset, .. }
            | Item::StructBegin { offset, .. }
            | Item::StructDecl { offset, .. }
            | Item::Enumerator { offset, .. }
            | Item::Inline { offset, .. } => Some(*offset),
            Item::Define(definition) => Some(definition.offset),
            _ => None,
        }
    }
}

/// What parsing needs from the loader: interning and include resolution.
pub trait Resolver {
    fn interner(&mut self) -> &mut Interner;
    /// The file a quoted `#include "name"` in the current file leads to.
    fn resolve(&mut self, name: &str) -> Option<FileId>;
    /// The file `#include <name>` leads to, when the resolver follows
    /// such includes (an extension's sources include `<Python.h>`);
    /// `None` leaves it to the platform profile's system headers.
    fn resolve_angled(&mut self, _name: &str) -> Option<FileId> {
        None
    }
}
