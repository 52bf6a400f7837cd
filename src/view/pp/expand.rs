//! Macro expansion of a `#if` line, as C11 6.10.3 and gcc's cpplib do it:
//! object-like and function-like macros, `#`, `##`, variadic arguments,
//! `defined` and the `__has_*` operators.
//!
//! The work is linear in the tokens read and produced, however deep the
//! macros nest (CPython's headers nest a few levels, but a header is input
//! like any other):
//!
//! - A macro's replacement is a *context* on a stack, and the macro is
//!   *disabled* while its context is live (cpplib's `NODE_DISABLED`): a
//!   set lookup, where per-token hide sets (Prosser's algorithm) grow with
//!   the depth of a chain `#define M2 M1`, `#define M1 M0` and made its
//!   expansion cubic. A name read while its macro is disabled is *painted*
//!   and never expanded again (C11 6.10.3.4p2). Where the two ways differ
//!   (a call whose `)` follows the replacement that named the macro), this
//!   is gcc's, which the tests compare the views with.
//! - An argument is a range of the tokens it was read from, and each
//!   buffer's matching parentheses are found once, so a call nested in an
//!   argument (`f(f(f(1)))`) is neither copied nor rescanned at each level.
//! - Expanding an argument is a frame on an explicit stack, not a recursive
//!   call: nesting is bounded by memory, not by the thread's stack.
//!
//! What remains bounded is the total: [`BUDGET`] steps (a token read,
//! produced or scanned for an argument) per condition, far above any
//! linear expansion of a header, so macros that multiply their tokens
//! (`#define A2 A1 A1`, `#define A1 A0 A0`, …) end in an error within a
//! second instead of filling memory.

mod rescan;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::ir::Macro;
use super::lex::{Interner, Sym, TokKind, Token};
use crate::view::profile::{self, Compiler};

/// The macros defined at a point of the walk.
pub type MacroTable<'a> = HashMap<Sym, &'a Macro, BuildSymHasher>;

/// Symbols are small dense integers: hashing them is the identity.
#[derive(Default, Clone, Copy)]
pub struct BuildSymHasher;

#[derive(Default)]
pub struct SymHasher(u64);

impl std::hash::Hasher for SymHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }
}

impl std::hash::BuildHasher for BuildSymHasher {
    type Hasher = SymHasher;
    fn build_hasher(&self) -> SymHasher {
        SymHasher(0)
    }
}

/// How many steps the expansion of one condition may take: a token read,
/// one produced by a replacement, one scanned while collecting arguments.
/// A chain of 100,000 macros takes under a million; 2^24 steps take well
/// under a second.
pub const BUDGET: usize = 1 << 24;

/// A token during expansion.
#[derive(Clone, Debug)]
pub struct PTok {
    pub kind: TokKind,
    pub space_before: bool,
    /// Produced by expanding the tracked macro, directly or through other
    /// macros or arguments ([`Expander::tracking`]).
    tracked: bool,
    /// A macro's name read while that macro was being replaced: it is never
    /// replaced (C11 6.10.3.4p2).
    painted: bool,
}

impl PTok {
    /// Whether the token came from expanding the tracked macro
    /// (`Py_LIMITED_API`): how a value derived from it is told apart from
    /// the constants it is compared with.
    pub fn is_tracked(&self) -> bool {
        self.tracked
    }

    /// A token of the headers, as expansion begins with it.
    fn of(token: &Token) -> PTok {
        PTok::plain(token.kind.clone()).spaced(token.space_before)
    }

    /// A token that came through no macro.
    pub fn plain(kind: TokKind) -> PTok {
        PTok {
            kind,
            space_before: false,
            tracked: false,
            painted: false,
        }
    }

    fn spaced(mut self, space_before: bool) -> PTok {
        self.space_before = space_before;
        self
    }
}

/// Answers the `__has_*` operators of `#if`.
pub trait Oracle {
    /// `__has_include("name")` / `__has_include(<name>)`.
    fn has_include(&self, name: &str, system: bool) -> bool;

    /// The compiler that answers `defined(__has_attribute)`,
    /// `__has_attribute(x)` and `__has_builtin(x)`: gcc 12 unless the
    /// platform's profile says otherwise.
    fn compiler(&self) -> &'static Compiler {
        &profile::GCC
    }
}

/// Expansion of one `#if` expression.
pub struct Expander<'t, 'a> {
    pub macros: &'t MacroTable<'a>,
    pub interner: &'t Interner,
    pub oracle: &'t dyn Oracle,
    /// The macro whose tokens are marked [`PTok::is_tracked`].
    tracked: Option<Sym>,
    /// [`BUDGET`], smaller in tests.
    budget: usize,
}

/// The `__has_*` operators the expander answers (through the [`Oracle`]'s
/// compiler).
const HAS_OPERATORS: [&str; 6] = [
    "__has_attribute",
    "__has_builtin",
    "__has_feature",
    "__has_c_attribute",
    "__has_cpp_attribute",
    "__has_include",
];

/// Whether `name` is one of [`HAS_OPERATORS`].
fn is_has_operator(name: &str) -> bool {
    name.starts_with("__has") && HAS_OPERATORS.contains(&name)
}

/// The error past [`BUDGET`].
fn over_budget(budget: usize) -> String {
    format!("macro expansion of this #if takes more than {budget} steps")
}

impl<'t, 'a> Expander<'t, 'a> {
    pub fn new(macros: &'t MacroTable<'a>, interner: &'t Interner, oracle: &'t dyn Oracle) -> Self {
        Expander {
            macros,
            interner,
            oracle,
            tracked: None,
            budget: BUDGET,
        }
    }

    /// Marks the tokens that come from expanding `tracked`
    /// ([`PTok::is_tracked`]).
    pub fn tracking(mut self, tracked: Option<Sym>) -> Self {
        self.tracked = tracked;
        self
    }

    /// Expands an `#if` line, resolving `defined` and `__has_*`.
    pub fn expand_condition(&mut self, tokens: &[Token]) -> Result<Vec<PTok>, String> {
        match self.expand_simple_condition(tokens) {
            Some(expanded) => Ok(expanded),
            None => self.expand_condition_in_general(tokens),
        }
    }

    /// [`Expander::expand_condition`] the general way, whatever the
    /// condition.
    fn expand_condition_in_general(&mut self, tokens: &[Token]) -> Result<Vec<PTok>, String> {
        rescan::expand(self, tokens.iter().map(PTok::of).collect())
    }

    /// The expansion of a condition whose names are each `defined`'s
    /// operand, not a macro, or an object-like macro that stands for one
    /// number (`Py_LIMITED_API`, `SIZEOF_VOID_P`): what the general way
    /// gives, without its stacks. `None` for any other condition.
    ///
    /// Most conditions of every view are of this kind; expanding them the
    /// general way was most of the cost of evaluating a view.
    fn expand_simple_condition(&self, tokens: &[Token]) -> Option<Vec<PTok>> {
        let mut output = Vec::with_capacity(tokens.len());
        let mut rest = tokens.iter();
        // The steps the general way would take (a token read, and a
        // macro's number produced and read): past its budget, it fails, and
        // so the condition is left to it.
        let mut steps = 0;
        while let Some(token) = rest.next() {
            steps += 1;
            if steps > self.budget {
                return None;
            }
            let TokKind::Ident(sym) = token.kind else {
                output.push(PTok::of(token));
                continue;
            };
            let name = self.interner.name(sym);
            if name == "defined" {
                let operand = match rest.next().map(|t| &t.kind) {
                    Some(TokKind::Ident(operand)) => *operand,
                    Some(TokKind::Punct("(")) => match (rest.next(), rest.next()) {
                        (Some(operand), Some(close)) if close.kind == TokKind::Punct(")") => {
                            let TokKind::Ident(operand) = operand.kind else {
                                return None;
                            };
                            operand
                        }
                        _ => return None,
                    },
                    _ => return None,
                };
                let defined = self.macros.contains_key(&operand)
                    || self
                        .oracle
                        .compiler()
                        .defines_operator(self.interner.name(operand));
                output.push(truth(defined));
                continue;
            }
            if name.starts_with("__has") {
                return None;
            }
            let Some(definition) = self.macros.get(&sym) else {
                output.push(PTok::of(token));
                continue;
            };
            steps += 2;
            if steps > self.budget {
                return None;
            }
            match (&definition.params, definition.body.as_slice()) {
                (None, [body]) if matches!(body.kind, TokKind::Number(_)) => output.push(PTok {
                    kind: body.kind.clone(),
                    space_before: token.space_before,
                    tracked: self.tracked == Some(sym),
                    painted: false,
                }),
                _ => return None,
            }
        }
        Some(output)
    }
}

/// `1` or `0`, the value of `defined X` and of the `__has_*` operators.
fn truth(value: bool) -> PTok {
    // Shared: `defined` is in most conditions of every view.
    static ONE: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("1"));
    static ZERO: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("0"));
    PTok::plain(TokKind::Number(Arc::clone(if value {
        &ONE
    } else {
        &ZERO
    })))
    .spaced(true)
}

#[cfg(test)]
mod tests;
