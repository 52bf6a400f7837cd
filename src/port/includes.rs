//! `missing-include`: the names of the C library a unit gets from
//! `Python.h`, which `Python.h` includes for the full API and not under
//! `Py_LIMITED_API` at the target (the data: [`super::system`]).

use std::collections::HashSet;

use crate::abi::Abi;
use crate::version::Version;
use crate::view::{FileId, Placed, Tok, Unit};

use super::api::Api;
use super::scan::{is_scalar, Hasher, KEYWORDS};
use super::system::SystemNames;

/// The C library headers of a unit: those it relies on `Python.h` for and
/// does not get.
pub(super) struct Headers<'a, 's> {
    system: &'a SystemNames,
    unit: &'a Unit<'s>,
    /// Per header of the data: `Python.h` includes it for the full API,
    /// and not for the ABI at the target.
    dropped: Vec<bool>,
    /// The names the unit declares as variables or parameters (which may
    /// be named like the C library's: `int index`).
    locals: HashSet<&'s str, Hasher>,
}

impl<'a, 's> Headers<'a, 's> {
    /// `None` when the unit does not include `Python.h`, or `Python.h`
    /// includes for `abi` at `target` every header it includes for the
    /// full API (nothing to report).
    pub(super) fn of(
        unit: &'a Unit<'s>,
        api: &Api,
        system: &'a SystemNames,
        abi: Abi,
        target: Version,
    ) -> Option<Headers<'a, 's>> {
        if !unit.python_h {
            return None;
        }
        let dropped: Vec<bool> = system
            .headers
            .iter()
            .map(|header| {
                api.full_api_includes(header).is_some() && !api.includes(header, abi, target)
            })
            .collect();
        if !dropped.contains(&true) {
            return None;
        }
        let mut locals = HashSet::default();
        for file in &unit.files {
            locals.extend(local_declarators(&file.code));
        }
        Some(Headers {
            system,
            unit,
            dropped,
            locals,
        })
    }

    /// The headers a use of `name` at `i` of `tokens` (at `offset` of
    /// `file`) misses: those that declare it and that the unit relies on
    /// `Python.h` for, when no header the unit has included by then
    /// declares it, and the use is one of that name (a call, for a
    /// function; not a variable of the unit's).
    pub(super) fn missing(
        &self,
        name: &str,
        tokens: &[Placed],
        i: usize,
        file: FileId,
    ) -> Option<Vec<String>> {
        let found = self.system.get(name)?;
        if !found.headers.iter().any(|&h| self.dropped[h]) {
            return None;
        }
        let call = matches!(tokens.get(i + 1).map(|t| t.tok), Some(Tok::Punct("(")));
        if (found.function && !call) || self.locals.contains(name) {
            return None;
        }
        // A header of the name that the unit includes before the use (a
        // header included later does not declare it for the use), or a
        // header of its own the data does not describe (a library's, which
        // may include anything: <SystemConfiguration/SystemConfiguration.h>).
        let place = self.unit.place(file, tokens[i].offset)?;
        let headers = &self.system.headers;
        let unknown = self.unit.system_includes.iter().any(|include| {
            include.own && include.place < place && self.system.header(&include.name).is_none()
        });
        if unknown
            || found
                .headers
                .iter()
                .any(|&h| self.unit.includes_before(&headers[h], &place))
        {
            return None;
        }
        let missing: Vec<String> = found
            .headers
            .iter()
            .filter(|&&h| self.dropped[h])
            .map(|&h| headers[h].clone())
            .collect();
        (!missing.is_empty()).then_some(missing)
    }
}

/// The names `code` declares as variables or parameters: a name after a
/// type (a name, or `*`) and before `=`, `;`, `,`, `)` or `[`.
fn local_declarators<'s>(code: &[Placed<'s>]) -> Vec<&'s str> {
    let mut names = Vec::new();
    for (i, token) in code.iter().enumerate().skip(1) {
        let Tok::Ident(name) = token.tok else {
            continue;
        };
        let after_type = match code[i - 1].tok {
            Tok::Ident(word) => !KEYWORDS.contains(&word) || is_scalar(word),
            Tok::Punct("*") => true,
            _ => false,
        };
        let declarator_end = matches!(
            code.get(i + 1).map(|t| t.tok),
            Some(Tok::Punct("=" | ";" | "," | ")" | "["))
        );
        if after_type && declarator_end {
            names.push(name);
        }
    }
    names
}
