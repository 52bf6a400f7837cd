//! Just enough of C's preprocessor and lexer to lay out a struct body or
//! read a typedef from the headers of one view: tokens, `#if` groups inside
//! a body, and macro expansion with the view's macros.
//!
//! Conditions are evaluated for the platform profile of the layout engine,
//! gcc on linux x86-64 (C17): the compiler's own macros that headers test
//! around struct members are listed in [`COMPILER_MACROS`]; any other
//! identifier left in a condition is `0`, as C says (C17 6.10.1p4).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::decl_text;
use crate::diagnostic::Location;
use crate::view::{literal_value, View};

/// What gcc 12 predefines on linux x86-64 that headers test in the places
/// read here (around members, in `_Py_ALIGNED_DEF`'s selection).
pub const COMPILER_MACROS: &[(&str, &str)] = &[
    ("__GNUC__", "12"),
    ("__STDC__", "1"),
    ("__STDC_VERSION__", "201710L"),
    ("__x86_64__", "1"),
    ("__linux__", "1"),
    ("__LP64__", "1"),
    ("__CHAR_BIT__", "8"),
    ("__SIZEOF_POINTER__", "8"),
];

/// Expansion deeper than this is a cycle or not worth following.
pub const MAX_DEPTH: usize = 32;

/// An expansion longer than this is not a declaration's.
const MAX_TOKENS: usize = 100_000;

/// The headers of one view, read on demand (each file once).
pub struct Source<'a> {
    pub view: &'a View,
    files: RefCell<HashMap<Arc<Path>, std::rc::Rc<String>>>,
}

impl<'a> Source<'a> {
    pub fn new(view: &'a View) -> Source<'a> {
        Source {
            view,
            files: RefCell::default(),
        }
    }

    fn text(&self, location: &Location) -> Option<(std::rc::Rc<String>, usize)> {
        let mut files = self.files.borrow_mut();
        let text = match files.get(&location.path) {
            Some(text) => text.clone(),
            None => {
                let text = std::rc::Rc::new(crate::input::read_to_string(&location.path).ok()?);
                files.insert(location.path.clone(), text.clone());
                text
            }
        };
        let offset = decl_text::offset_of(&text, location.line, location.column)?;
        Some((text, offset))
    }

    /// A macro's definition after its name (`(a, b) body` when it takes
    /// arguments), or `None` when the view does not define it.
    pub fn macro_definition(&self, name: &str) -> Option<String> {
        let location = &self.view.macros.get(name)?.location;
        let (text, offset) = self.text(location)?;
        decl_text::define_body(&text, offset)
    }

    /// Whether `name` is defined for a `#if` (by the headers or gcc).
    pub fn is_defined(&self, name: &str) -> bool {
        self.view.macros.contains_key(name) || COMPILER_MACROS.iter().any(|(n, _)| *n == name)
    }

    /// The raw text `typedef ... name ...` (without its `;`).
    pub fn typedef_statement(&self, name: &str) -> Option<String> {
        let location = &self.view.typedefs.get(name)?.location;
        let (text, offset) = self.text(location)?;
        decl_text::statement(&text, offset, &["typedef"])
    }

    /// The raw `{ ... }` of struct `tag`: `Err` says why there is none.
    pub fn struct_body(&self, tag: &str) -> Result<String, String> {
        let def = self
            .view
            .structs
            .get(tag)
            .ok_or_else(|| format!("struct {tag} is not declared here"))?;
        if def.members.is_none() {
            return Err(format!("struct {tag} is opaque here (no definition)"));
        }
        let (text, offset) = self
            .text(&def.location)
            .ok_or_else(|| format!("cannot read struct {tag}'s definition"))?;
        decl_text::struct_body(&text, offset)
            .ok_or_else(|| format!("cannot find struct {tag}'s body"))
    }
}

/// C tokens: identifiers and numbers whole, the operators `#if` needs as
/// one token, everything else one character.
pub fn tokens(text: &str) -> Vec<String> {
    const TWO: &[&str] = &["&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "##", "->"];
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == '"' || c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            out.push(chars[start..i].iter().collect());
        } else {
            let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if TWO.contains(&pair.as_str()) {
                out.push(pair);
                i += 2;
            } else {
                out.push(c.to_string());
                i += 1;
            }
        }
    }
    out
}

pub fn is_identifier(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// The index of the bracket closing the one at `open` (or the end).
pub fn group_end(tokens: &[String], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len().saturating_sub(1)
}

/// What is inside the bracket at `open`, and the index after its close
/// (an unclosed bracket runs to the end).
pub fn group(tokens: &[String], open: usize) -> (&[String], usize) {
    let close = group_end(tokens, open);
    let inside = tokens.get(open + 1..close).unwrap_or(&[]);
    (inside, (close + 1).max(open + 1))
}

/// `text` with comments out, continuation lines joined, `#if` groups
/// resolved and macros expanded, as tokens.
pub fn preprocess(src: &Source, text: &str) -> Result<Vec<String>, String> {
    let text = decl_text::strip_comments(&text.replace("\\\n", " "));
    // Each open group: (enclosing group active, a branch was taken, active).
    let mut groups: Vec<(bool, bool, bool)> = Vec::new();
    let mut kept = Vec::new();
    for line in text.lines() {
        let active = groups.last().is_none_or(|g| g.2);
        let Some(directive) = line.trim_start().strip_prefix('#') else {
            if active {
                kept.extend(tokens(line));
            }
            continue;
        };
        let words = tokens(directive);
        let (name, rest) = match words.split_first() {
            Some((name, rest)) => (name.as_str(), rest),
            None => continue,
        };
        match name {
            "if" | "ifdef" | "ifndef" => {
                let on = active
                    && match name {
                        "if" => condition(src, rest)?,
                        "ifdef" => rest.first().is_some_and(|n| src.is_defined(n)),
                        _ => !rest.first().is_some_and(|n| src.is_defined(n)),
                    };
                groups.push((active, on, on));
            }
            "elif" | "else" => {
                let Some(&(outer, taken, _)) = groups.last() else {
                    return Err(format!("#{name} without #if"));
                };
                let on = outer && !taken && (name == "else" || condition(src, rest)?);
                if let Some(group) = groups.last_mut() {
                    *group = (outer, taken || on, on);
                }
            }
            "endif" => {
                groups.pop();
            }
            "pragma" | "" => {}
            other if active => return Err(format!("#{other} inside the declaration")),
            _ => {}
        }
    }
    expand(src, &kept, &mut Vec::new())
}

/// Macro expansion (object-like and function-like; `#` and `##` are not
/// supported and say so).
pub fn expand(
    src: &Source,
    input: &[String],
    hidden: &mut Vec<String>,
) -> Result<Vec<String>, String> {
    if hidden.len() > MAX_DEPTH {
        return Err("macro expansion too deep".to_string());
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        if out.len() > MAX_TOKENS {
            return Err("macro expansion too long".to_string());
        }
        let token = &input[i];
        i += 1;
        let definition = match is_identifier(token) && !hidden.contains(token) {
            true => src.macro_definition(token),
            false => None,
        };
        let Some(definition) = definition else {
            out.push(token.clone());
            continue;
        };
        let body = if definition.starts_with('(') {
            if input.get(i).map(String::as_str) != Some("(") {
                out.push(token.clone());
                continue;
            }
            let (inside, next) = group(input, i);
            let args = split_top(inside, ",");
            i = next;
            let def = tokens(&definition);
            let (params, body_start) = group(&def, 0);
            let params: Vec<&String> = params.iter().filter(|t| *t != ",").collect();
            let body = def.get(body_start..).unwrap_or(&[]);
            if body.iter().any(|t| t == "#" || t == "##") {
                return Err(format!("macro {token} uses # or ##, not expanded here"));
            }
            let mut substituted = Vec::new();
            for t in body {
                match params.iter().position(|p| *p == t) {
                    Some(n) => substituted.extend(args.get(n).cloned().unwrap_or_default()),
                    None => substituted.push(t.clone()),
                }
            }
            substituted
        } else {
            tokens(&definition)
        };
        hidden.push(token.clone());
        let expanded = expand(src, &body, hidden);
        hidden.pop();
        out.extend(expanded?);
    }
    Ok(out)
}

/// `tokens` split at `separator` outside brackets.
pub fn split_top(tokens: &[String], separator: &str) -> Vec<Vec<String>> {
    let mut parts = vec![Vec::new()];
    let mut depth = 0usize;
    for token in tokens {
        match token.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            t if t == separator && depth == 0 => {
                parts.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(part) = parts.last_mut() {
            part.push(token.clone());
        }
    }
    parts
}

/// A `#if` condition on the platform profile.
fn condition(src: &Source, words: &[String]) -> Result<bool, String> {
    let mut resolved = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words[i] == "defined" {
            let (name, next) = match words.get(i + 1).map(String::as_str) {
                Some("(") => (words.get(i + 2), i + 4),
                _ => (words.get(i + 1), i + 2),
            };
            let on = name.is_some_and(|n| src.is_defined(n));
            resolved.push(if on { "1" } else { "0" }.to_string());
            i = next;
        } else {
            resolved.push(words[i].clone());
            i += 1;
        }
    }
    let expanded = expand(src, &resolved, &mut Vec::new())?;
    constant(&expanded)
        .map(|v| v != 0)
        .ok_or_else(|| format!("cannot evaluate `#if {}`", words.join(" ")))
}

/// An integer constant expression of literals, operators and identifiers
/// (the compiler's macros by value, any other `0`).
pub fn constant(tokens: &[String]) -> Option<u64> {
    let text: Vec<&str> = tokens
        .iter()
        .map(|t| {
            if is_identifier(t) {
                COMPILER_MACROS
                    .iter()
                    .find(|(n, _)| n == t)
                    .map_or("0", |(_, v)| v)
            } else {
                t.as_str()
            }
        })
        .collect();
    literal_value(&text.join(" "))
}
