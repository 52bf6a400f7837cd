//! The C library's names, by the header that declares them: for the uses
//! that compiled only because `Python.h` included a header it no longer
//! includes under the Limited API (3.11 stopped including `<stdio.h>`,
//! `<stdlib.h>`, `<errno.h>` and, until 3.15, `<string.h>`; 3.13
//! `<ctype.h>` and `<unistd.h>`: the comment and `#if` at the top of
//! each release's `Include/Python.h`).
//!
//! Which headers `Python.h` includes where is read from the views
//! ([`crate::view::View::system_includes`]); what each header declares is
//! the data of `system_names.txt`, generated from the C library by
//! `.ci/regen-system-names` (its header says with what).

use std::collections::HashMap;

/// The data compiled into the binary.
pub const BUILTIN: &str = include_str!("system_names.txt");

/// A name of the C library, and the headers that make it visible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemName {
    /// The headers (indexes of [`SystemNames::headers`]).
    pub headers: Vec<usize>,
    /// A function or function-like macro: a use is a call.
    pub function: bool,
}

/// The names of the data, by name.
#[derive(Clone, Debug, Default)]
pub struct SystemNames {
    /// The headers, as `#include <...>` names them.
    pub headers: Vec<String>,
    names: HashMap<String, SystemName, foldhash::fast::RandomState>,
}

impl SystemNames {
    /// The built-in data ([`BUILTIN`]).
    pub fn builtin() -> SystemNames {
        // The committed file is checked by the tests, so it parses.
        SystemNames::parse(BUILTIN).unwrap_or_default()
    }

    /// Reads the data: `# comments`, and per header a line `[name.h]`
    /// followed by its names, separated by white space (a function's with
    /// `()` after it).
    ///
    /// Errors: a name before the first header, or one that is not a C
    /// identifier (the message gives the line).
    pub fn parse(text: &str) -> Result<SystemNames, String> {
        let mut data = SystemNames::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                data.headers.push(header.to_string());
                continue;
            }
            let Some(header) = data.headers.len().checked_sub(1) else {
                return Err(format!("line {}: a name before any [header]", number + 1));
            };
            for word in line.split_whitespace() {
                let (name, function) = match word.strip_suffix("()") {
                    Some(name) => (name, true),
                    None => (word, false),
                };
                let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !identifier {
                    return Err(format!("line {}: {word:?} is not a C name", number + 1));
                }
                let entry = data.names.entry(name.to_string()).or_insert(SystemName {
                    headers: Vec::new(),
                    function,
                });
                entry.headers.push(header);
                entry.function |= function;
            }
        }
        Ok(data)
    }

    pub fn get(&self, name: &str) -> Option<&SystemName> {
        self.names.get(name)
    }

    /// The index of `header` in [`SystemNames::headers`].
    pub fn header(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_data_reads_and_has_what_python_h_stopped_including() {
        let data = SystemNames::parse(BUILTIN).unwrap();
        for header in [
            "stdio.h", "stdlib.h", "errno.h", "string.h", "ctype.h", "unistd.h",
        ] {
            assert!(data.header(header).is_some(), "{header}");
        }
        let stdio = data.header("stdio.h").unwrap();
        let fprintf = data.get("fprintf").unwrap();
        assert!(fprintf.function);
        // Its own header first; glibc's <malloc.h> includes <stdio.h>.
        assert_eq!(fprintf.headers[0], stdio);
        assert!(!data.get("errno").unwrap().function);
        // Reserved names are not the C library's to offer.
        assert!(data.get("__errno_location").is_none());
    }

    #[test]
    fn bad_data_is_refused_with_its_line() {
        assert_eq!(
            SystemNames::parse("# c\nexit()\n").unwrap_err(),
            "line 2: a name before any [header]"
        );
        assert_eq!(
            SystemNames::parse("[a.h]\nx y-z\n").unwrap_err(),
            "line 2: \"y-z\" is not a C name"
        );
        let data = SystemNames::parse("[a.h]\nf() x\n[b.h]\nx\n").unwrap();
        assert_eq!(data.get("x").unwrap().headers, [0, 1]);
    }
}
