//! Parsing one header into its [`FileIr`]: its directive lines found and
//! read, its declarations extracted, and both put in file order with the
//! structure of its conditionals matched.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diagnostic::{LineIndex, LocatedError};

use super::decl::{self, RawDecl};
use super::pp::ir::{Cond, FileId, FileIr, Include, Item, Macro, Resolver};
use super::pp::lex::{self, Interner, TokKind, Token};

/// Parses one header's text.
pub fn parse(path: PathBuf, text: String, file: FileId, resolver: &mut dyn Resolver) -> FileIr {
    let scanned = scan(path, text);
    let raw_decls = decl::extract(&scanned.code, decl::Reach::Api);
    build(scanned, raw_decls, file, resolver)
}

/// A header split into directive lines and code, before its declarations
/// are extracted (which, being the costly part, runs for all files in
/// parallel).
pub struct Scanned {
    ir: FileIr,
    clean: Vec<u8>,
    /// The text with comments and directive lines blanked.
    pub code: Vec<u8>,
    /// Each directive line: offset of its `#`, and its end.
    directives: Vec<(usize, usize)>,
}

/// Finds the directive lines of a header.
pub fn scan(path: PathBuf, text: String) -> Scanned {
    let ir = FileIr {
        path: path.into(),
        lines: LineIndex::new(&text),
        places: HashMap::default(),
        text,
        items: Vec::new(),
        error: None,
    };
    let clean = lex::strip_comments(ir.text.as_bytes());
    let mut code = clean.clone();
    let mut directives = Vec::new();
    let mut start = 0;
    let line_ends = memchr::memchr_iter(b'\n', &clean).chain([clean.len()]);
    for end in line_ends {
        let first = clean[start..end]
            .iter()
            .position(|b| !b.is_ascii_whitespace());
        if let Some(first) = first {
            if clean[start + first] == b'#' {
                directives.push((start + first, end));
                code[start..end].fill(b' ');
            }
        }
        start = end + 1;
    }
    Scanned {
        ir,
        clean,
        code,
        directives,
    }
}

impl Scanned {
    /// The names of its `#include "name"` lines, to find the files to load
    /// before the headers are built.
    pub fn quoted_includes(&self) -> Vec<String> {
        self.includes()
            .into_iter()
            .filter(|(_, angled)| !angled)
            .map(|(name, _)| name)
            .collect()
    }

    /// The names of its `#include "name"` and `#include <name>` lines, each
    /// with whether it is angled.
    pub fn includes(&self) -> Vec<(String, bool)> {
        self.directives
            .iter()
            .filter_map(|&(hash, end)| {
                // Bytes first: most directives are not includes.
                let line = self.clean[hash + 1..end].trim_ascii_start();
                let rest = line.strip_prefix(b"include")?.trim_ascii_start();
                let (close, angled) = match rest.first()? {
                    b'"' => (b'"', false),
                    b'<' => (b'>', true),
                    _ => return None,
                };
                let name = rest[1..].split(|&b| b == close || b == b'\n').next()?;
                Some((std::str::from_utf8(name).ok()?.trim().to_string(), angled))
            })
            .collect()
    }
}

/// Builds a header's items from its directives and declarations.
pub fn build(
    scanned: Scanned,
    raw_decls: Vec<RawDecl>,
    file: FileId,
    resolver: &mut dyn Resolver,
) -> FileIr {
    let Scanned {
        mut ir,
        clean,
        directives,
        ..
    } = scanned;
    let mut raw = raw_decls.into_iter().peekable();
    let mut builder = Builder {
        ir: &mut ir,
        file,
        open: Vec::new(),
    };
    for (hash, end) in directives {
        let offset = hash as u32;
        let tokens = lex::tokenize(&clean, hash + 1, end, resolver.interner());
        while let Some(decl) = raw.next_if(|d| d.offset() < offset) {
            builder.declaration(decl, resolver.interner());
        }
        if let Err(message) = builder.directive(offset, tokens, resolver) {
            let location = builder.ir.location(offset);
            builder.fail(LocatedError::new(location, message));
            return ir;
        }
    }
    for decl in raw {
        builder.declaration(decl, resolver.interner());
    }
    if let Some(Open { offset, name, .. }) = builder.open.last() {
        let offset = *offset;
        let location = builder.ir.location(offset);
        let message = format!("unterminated #{name}: no matching #endif in this file");
        builder.fail(LocatedError::new(location, message));
    }
    ir.index_places();
    ir
}

struct Open {
    last: usize,
    last_name: &'static str,
    offset: u32,
    name: &'static str,
}

/// The directives the builder acts on, by name; `""` for any other
/// (`#warning`, `#line`...).
fn directive_name(name: &str) -> &'static str {
    const DIRECTIVES: [&str; 11] = [
        "if", "ifdef", "ifndef", "elif", "else", "endif", "define", "undef", "include", "error",
        "pragma",
    ];
    DIRECTIVES.into_iter().find(|&d| d == name).unwrap_or("")
}

struct Builder<'a> {
    ir: &'a mut FileIr,
    file: FileId,
    /// Open conditionals: index of the last branch item and its directive
    /// name, and where the group opened (for messages).
    open: Vec<Open>,
}

impl Builder<'_> {
    fn fail(&mut self, error: LocatedError) {
        self.ir.items.clear();
        self.ir.error = Some(error);
    }

    fn push(&mut self, item: Item) -> usize {
        self.ir.items.push(item);
        self.ir.items.len() - 1
    }

    /// Points the previous branch of the innermost group at `index`.
    fn link(&mut self, index: usize) {
        if let Some(&Open { last: previous, .. }) = self.open.last() {
            if let Item::If { next, .. } | Item::Elif { next, .. } | Item::Else { next, .. } =
                &mut self.ir.items[previous]
            {
                *next = index;
            }
        }
    }

    fn declaration(&mut self, decl: RawDecl, interner: &mut Interner) {
        let item = match decl {
            RawDecl::Function { name, offset } => Item::Function {
                name: interner.intern(&name),
                offset,
            },
            RawDecl::Data { name, offset } => Item::Data {
                name: interner.intern(&name),
                offset,
            },
            RawDecl::Typedef {
                name,
                offset,
                target,
            } => Item::Typedef {
                name: interner.intern(&name),
                target: target.map(|t| interner.intern(&t)),
                offset,
            },
            RawDecl::StructBegin { key, offset } => Item::StructBegin {
                key: interner.intern(&key),
                offset,
            },
            RawDecl::Member { name, .. } => Item::Member(interner.intern(&name)),
            RawDecl::MemberMacro { name, .. } => Item::MemberMacro(interner.intern(&name)),
            RawDecl::StructEnd { .. } => Item::StructEnd,
            RawDecl::StructDecl { key, offset } => Item::StructDecl {
                key: interner.intern(&key),
                offset,
            },
            RawDecl::Enumerator { name, offset } => Item::Enumerator {
                name: interner.intern(&name),
                offset,
            },
            RawDecl::Inline { name, offset } => Item::Inline {
                name: interner.intern(&name),
                offset,
            },
        };
        self.push(item);
    }

    /// One directive; `tokens` follow the `#`.
    fn directive(
        &mut self,
        offset: u32,
        tokens: Vec<Token>,
        resolver: &mut dyn Resolver,
    ) -> Result<(), String> {
        let Some(first) = tokens.first() else {
            return Ok(()); // the null directive
        };
        let name = match &first.kind {
            TokKind::Ident(sym) => directive_name(resolver.interner().name(*sym)),
            // `# 12 "file"` line markers and the like.
            _ => return Ok(()),
        };
        let rest = &tokens[1..];
        match name {
            "if" | "ifdef" | "ifndef" => {
                let cond = match name {
                    // An empty expression is an error only if the walk
                    // reaches it (evaluation says so), as in a compiler.
                    "if" => Cond::If(rest.to_vec()),
                    _ => {
                        let Some(TokKind::Ident(sym)) = rest.first().map(|t| &t.kind) else {
                            return Err(format!("#{name} expects a macro name"));
                        };
                        if name == "ifdef" {
                            Cond::Ifdef(*sym)
                        } else {
                            Cond::Ifndef(*sym)
                        }
                    }
                };
                let index = self.push(Item::If {
                    cond,
                    next: 0,
                    offset,
                });
                self.open.push(Open {
                    last: index,
                    last_name: name,
                    offset,
                    name,
                });
            }
            "elif" | "else" => {
                let Some(Open {
                    last_name: previous,
                    ..
                }) = self.open.last()
                else {
                    return Err(format!("#{name} without #if"));
                };
                if *previous == "else" {
                    return Err(format!("#{name} after #else"));
                }
                let index = self.ir.items.len();
                self.link(index);
                let item = if name == "elif" {
                    Item::Elif {
                        tokens: rest.to_vec(),
                        next: 0,
                        offset,
                    }
                } else {
                    Item::Else { next: 0, offset }
                };
                self.push(item);
                if let Some(top) = self.open.last_mut() {
                    top.last = index;
                    top.last_name = name;
                }
            }
            "endif" => {
                if self.open.is_empty() {
                    return Err("#endif without #if".into());
                }
                let index = self.ir.items.len();
                self.link(index);
                self.push(Item::Endif { offset });
                self.open.pop();
            }
            "define" => {
                let definition = parse_define(rest, self.file, resolver.interner())?;
                self.push(Item::Define(definition));
            }
            "undef" => {
                let Some(TokKind::Ident(sym)) = rest.first().map(|t| &t.kind) else {
                    return Err("#undef expects a macro name".into());
                };
                self.push(Item::Undef(*sym));
            }
            "include" => {
                let include = match rest.first().map(|t| &t.kind) {
                    Some(TokKind::Str(quoted)) if quoted.starts_with('"') => {
                        let name = quoted.trim_matches('"').to_string();
                        let target = resolver.resolve(&name);
                        Include::Quoted { name, target }
                    }
                    Some(TokKind::Punct("<")) => {
                        let start = rest[0].offset as usize + 1;
                        let line = &self.ir.text[start.min(self.ir.text.len())..];
                        let name = line.split(['>', '\n']).next().unwrap_or("").trim();
                        match resolver.resolve_angled(name) {
                            Some(target) => Include::Quoted {
                                name: name.to_string(),
                                target: Some(target),
                            },
                            None => Include::System(name.to_string()),
                        }
                    }
                    _ => Include::Other,
                };
                self.push(Item::Include { include, offset });
            }
            "error" => {
                let end = self.ir.text[offset as usize..]
                    .find('\n')
                    .map_or(self.ir.text.len(), |p| offset as usize + p);
                let line = &self.ir.text[offset as usize..end];
                let message = line
                    .trim_start_matches('#')
                    .trim_start()
                    .trim_start_matches("error")
                    .trim()
                    .to_string();
                self.push(Item::Error { message, offset });
            }
            "pragma" => {
                let once = matches!(rest.first().map(|t| &t.kind),
                    Some(TokKind::Ident(sym)) if resolver.interner().name(*sym) == "once");
                if once {
                    self.push(Item::PragmaOnce);
                }
            }
            // #warning, #line, #ident, #include_next: no effect on the view.
            _ => {}
        }
        Ok(())
    }
}

/// `NAME body` or `NAME(params) body` (no space before the `(`).
fn parse_define(tokens: &[Token], file: FileId, interner: &mut Interner) -> Result<Macro, String> {
    let Some(Token {
        kind: TokKind::Ident(name),
        offset,
        ..
    }) = tokens.first()
    else {
        return Err("#define expects a macro name".into());
    };
    let function_like = matches!(
        tokens.get(1),
        Some(Token {
            kind: TokKind::Punct("("),
            space_before: false,
            ..
        })
    );
    if !function_like {
        return Ok(Macro {
            name: *name,
            params: None,
            variadic: false,
            body: tokens[1..].to_vec(),
            file,
            offset: *offset,
        });
    }
    let mut params = Vec::new();
    let mut variadic = false;
    let mut i = 2;
    loop {
        match tokens.get(i).map(|t| &t.kind) {
            Some(TokKind::Punct(")")) => {
                i += 1;
                break;
            }
            Some(TokKind::Ident(sym)) if !variadic => {
                params.push(*sym);
                i += 1;
                if matches!(tokens.get(i).map(|t| &t.kind), Some(TokKind::Punct("..."))) {
                    variadic = true;
                    i += 1;
                }
            }
            Some(TokKind::Punct("...")) if !variadic => {
                params.push(interner.intern("__VA_ARGS__"));
                variadic = true;
                i += 1;
            }
            _ => {
                return Err(format!(
                    "malformed parameter list in #define {}",
                    interner.name(*name)
                ))
            }
        }
        match tokens.get(i).map(|t| &t.kind) {
            Some(TokKind::Punct(",")) if !variadic => i += 1,
            Some(TokKind::Punct(")")) => {}
            _ => {
                return Err(format!(
                    "malformed parameter list in #define {}",
                    interner.name(*name)
                ))
            }
        }
    }
    Ok(Macro {
        name: *name,
        params: Some(params),
        variadic,
        body: tokens[i..].to_vec(),
        file,
        offset: *offset,
    })
}
