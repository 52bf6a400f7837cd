//! The preprocessor: the headers' characters as tokens ([`lex`]), each
//! header's directives and declarations as parsed once ([`ir`]), macro
//! expansion of `#if` lines ([`expand`]) and their value ([`expr`]), and the
//! walk that evaluates the parsed headers for one configuration ([`walk`]).

pub mod expand;
pub mod expr;
pub mod ir;
pub mod lex;
pub mod walk;
