//! The public headers outside `Python.h`'s include graph: which of them
//! may provide a listed name (and so are parsed after `Python.h`), and the
//! names the others `#define` (read only when a view needs them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Whether `text` may define or declare a name `listed` wants, as the
/// view's items do: `#define NAME`, `struct NAME {`, the name after
/// `PyAPI_FUNC(...)` or `PyAPI_DATA(...)`, a name before `;` or `)` in a
/// `typedef`. A scan of tokens, not a parse (comments and conditions are
/// not told apart): it decides what is parsed, and the parsed items decide
/// what is walked.
pub(super) fn may_provide(text: &[u8], listed: &dyn Fn(&str) -> bool) -> bool {
    /// Where a `PyAPI_FUNC(type) name` is read.
    #[derive(Copy, Clone, PartialEq)]
    enum Api {
        Outside,
        /// After `PyAPI_FUNC`, before its `(`.
        Opening,
        /// Within its parentheses, this deep.
        Inside(usize),
        /// After them: the next name is declared.
        Name,
    }
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let next_byte = |at: usize| {
        text[at..]
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace())
    };
    let mut at = 0;
    let mut previous: &[u8] = b"";
    let mut api = Api::Outside;
    let mut in_typedef = false;
    while at < text.len() {
        let byte = text[at];
        if !(byte.is_ascii_alphabetic() || byte == b'_') {
            api = match (byte, api) {
                (b'(', Api::Opening) => Api::Inside(1),
                (b'(', Api::Inside(depth)) => Api::Inside(depth + 1),
                (b')', Api::Inside(1)) => Api::Name,
                (b')', Api::Inside(depth)) => Api::Inside(depth - 1),
                (b';', _) => {
                    in_typedef = false;
                    Api::Outside
                }
                _ => api,
            };
            at += 1;
            continue;
        }
        let start = at;
        while at < text.len() && is_name(text[at]) {
            at += 1;
        }
        let name = &text[start..at];
        let next = next_byte(at);
        let defining = api == Api::Name
            || previous == b"define"
            || (previous == b"struct" && next == Some(b'{'))
            || (in_typedef && matches!(next, Some(b';' | b')')));
        if defining && std::str::from_utf8(name).is_ok_and(listed) {
            return true;
        }
        api = match (name, api) {
            (b"PyAPI_FUNC" | b"PyAPI_DATA", _) => Api::Opening,
            (_, Api::Name | Api::Opening) => Api::Outside,
            _ => api,
        };
        if name == b"typedef" {
            in_typedef = true;
        }
        previous = name;
    }
    false
}

/// The headers under `Include/` that `Python.h` does not reach
/// (`osdefs.h`, `py_curses.h`, `internal/`...), for the names they
/// `#define`: `gcc -dM`'s output is filtered by every `#define` of the
/// tree, so a macro that a system header defines (`PATH_MAX`) is reported
/// when any header also defines it. They are read the first time a view
/// needs them: when a macro it lists comes from the compiler or a system
/// header and no loaded header defines it (rare for the checks' views,
/// which list only the manifest's macros).
pub struct Unreached {
    root: PathBuf,
    /// [`Layout::include`].
    include: PathBuf,
    /// Root-relative paths of the headers that were loaded.
    reached: HashSet<PathBuf>,
    defined: OnceLock<HashSet<String>>,
}

impl Unreached {
    /// The headers under `root/include` that are not `reached`.
    pub(super) fn new(root: PathBuf, include: PathBuf, reached: HashSet<PathBuf>) -> Unreached {
        Unreached {
            root,
            include,
            reached,
            defined: OnceLock::new(),
        }
    }

    /// No other header (a text loaded alone).
    pub(super) fn none() -> Unreached {
        Unreached {
            root: PathBuf::new(),
            include: PathBuf::new(),
            reached: HashSet::new(),
            defined: OnceLock::from(HashSet::new()),
        }
    }

    /// Whether one of these headers has a `#define name`.
    pub fn defines(&self, name: &str) -> bool {
        self.defined
            .get_or_init(|| defined_in_unreached_headers(&self.root, &self.include, &self.reached))
            .contains(name)
    }
}

/// The names `#define`d in the headers under `Include/` that are not
/// `reached` ([`Unreached`]). A line scan: these files are not otherwise
/// parsed.
fn defined_in_unreached_headers(
    root: &Path,
    include: &Path,
    reached: &HashSet<PathBuf>,
) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut pending = vec![include.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let relative = dir.join(entry.file_name());
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                pending.push(relative);
            } else if relative.extension().is_some_and(|e| e == "h") && !reached.contains(&relative)
            {
                if let Ok(bytes) = crate::input::read(&entry.path()) {
                    names.extend(defined_names_in(&bytes));
                }
            }
        }
    }
    names
}

/// `NAME` of every `# define NAME` line. Only the `#`s are visited (found
/// with memchr): these files are a megabyte of text read for a few
/// hundred names.
pub(super) fn defined_names_in(text: &[u8]) -> Vec<String> {
    // The preprocessor's blanks within a line (C11 5.1.1.2, 6.10).
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r');
    let skip_blanks = |rest: &[u8]| -> usize { rest.iter().take_while(|&&b| blank(b)).count() };
    let mut names = Vec::new();
    for hash in memchr::memchr_iter(b'#', text) {
        let line_start = memchr::memrchr(b'\n', &text[..hash]).map_or(0, |p| p + 1);
        if !text[line_start..hash].iter().all(|&b| blank(b)) {
            continue;
        }
        let rest = &text[hash + 1..];
        let Some(rest) = rest[skip_blanks(rest)..].strip_prefix(b"define") else {
            continue;
        };
        if !rest.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            continue;
        }
        let rest = &rest[skip_blanks(rest)..];
        let end = rest
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
            .unwrap_or(rest.len());
        if end > 0 {
            names.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defined_names_are_the_names_of_define_directives() {
        let text = b"#define A 1\n  #  define\tB(x) x\r\n#defineC\nx #define D\n\
                     #undef E\n/* # define F */\n#define G_1\n#define\n#";
        // A directive's `#` comes first on its line (after blanks only).
        assert_eq!(defined_names_in(text), ["A", "B", "G_1"]);
    }

    #[test]
    fn a_header_may_provide_what_it_defines_or_declares() {
        let listed = |name: &str| {
            [
                "PyMemberDef",
                "PyMember_GetOne",
                "Py_T_SHORT",
                "PyCapsule_Import",
                "Py_ssize_t",
                "visitproc",
            ]
            .contains(&name)
        };
        let may = |text: &str| may_provide(text.as_bytes(), &listed);
        // 3.11's structmember.h: a struct definition, a declaration.
        assert!(may("struct PyMemberDef {\n    const char *name;\n};"));
        assert!(may(
            "PyAPI_FUNC(PyObject *) PyMember_GetOne(const char *, PyMemberDef *);"
        ));
        assert!(may("PyAPI_DATA(PyObject *)\nPyMember_GetOne;"));
        assert!(may("#  define Py_T_SHORT 0"));
        assert!(may("typedef long Py_ssize_t;"));
        assert!(may("typedef int (*visitproc)(PyObject *, void *);"));
        // 3.13's structmember.h names items it does not define; datetime.h
        // calls one in a macro; a parameter's type is not what is declared.
        assert!(!may(
            "#define T_SHORT Py_T_SHORT\n#define X (Py_T_SHORT | 1)"
        ));
        assert!(!may("#define PyDateTime_IMPORT PyCapsule_Import(\"x\", 0)"));
        assert!(!may("PyAPI_FUNC(int) PyOther(PyMemberDef *, Py_ssize_t);"));
        assert!(!may("struct PyMemberDef;\nstruct PyMemberDef *p;"));
    }
}
