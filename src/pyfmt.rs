//! The few Python formatting rules the generated files depend on, reproduced
//! exactly: `repr()` of a string, `pprint.pformat()` of a list of names and
//! of a dict, a `csv` field with minimal quoting; and a path as `pathlib`
//! shows it, as `stable_abi.py` prints paths.

use std::path::{Component, Path, PathBuf};

/// Python's `repr()` of a `str`.
pub fn repr_str(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// An approximation of `str.isprintable()` for one character: exact for
/// ASCII and for the separators and format characters one meets in text.
fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    let code = c as u32;
    !(c.is_control()
        || matches!(code, 0xA0 | 0xAD | 0x1680 | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F | 0x3000 | 0xFEFF | 0xFFF9..=0xFFFB)
        || (0xD800..=0xDFFF).contains(&code)
        || (0xE000..=0xF8FF).contains(&code))
}

/// `pprint.pformat(list_of_str)` at the default width of 80.
///
/// The names are identifiers (the manifest enforces it), which pprint never
/// splits, so a list either fits on one line or gets one item per line.
pub fn pformat_str_list(items: &[&str]) -> String {
    let reprs: Vec<String> = items.iter().map(|item| repr_str(item)).collect();
    wrap("[", &reprs, "]")
}

/// `pprint.pformat(dict)` at the default width of 80, for a dict whose
/// values are already Python literals. pprint sorts the keys.
pub fn pformat_dict(entries: &[(&str, String)]) -> String {
    let mut entries: Vec<&(&str, String)> = entries.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let reprs: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{}: {value}", repr_str(key)))
        .collect();
    wrap("{", &reprs, "}")
}

fn wrap(open: &str, reprs: &[String], close: &str) -> String {
    const WIDTH: usize = 80;
    let one_line = format!("{open}{}{close}", reprs.join(", "));
    if one_line.chars().count() <= WIDTH {
        one_line
    } else {
        format!("{open}{}{close}", reprs.join(",\n "))
    }
}

/// Python's `repr()` of a bool.
pub fn repr_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// One field as Python's `csv` writes it with the default dialect
/// (`QUOTE_MINIMAL`), appended to `out`: quoted when it holds a comma, a
/// quote or a line break.
pub fn push_csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// `str(pathlib.PurePosixPath(path))`: separators collapsed, `.`
/// components and a trailing `/` dropped, `..` kept, `"."` for an empty
/// path; a leading `//` (exactly two slashes, which POSIX lets mean
/// something else than `/`) is kept (CPython's `Lib/pathlib`, its
/// `_parse_path`/`splitroot`).
pub fn pure_path(path: &Path) -> PathBuf {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut pure = if bytes.starts_with(b"//") && !bytes.starts_with(b"///") {
        PathBuf::from("//")
    } else {
        PathBuf::new()
    };
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::RootDir if !pure.as_os_str().is_empty() => {}
            other => pure.push(other),
        }
    }
    if pure.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        pure
    }
}

/// `pure_path(path).parent` as `pathlib` takes it: the path without its
/// last component (`"."` for a relative path of one component, the root for
/// the root).
pub fn pure_parent(path: &Path) -> PathBuf {
    let pure = pure_path(path);
    match pure.parent() {
        Some(parent) if parent.as_os_str().is_empty() => PathBuf::from("."),
        Some(parent)
            if pure.as_os_str().as_encoded_bytes().starts_with(b"//")
                && parent == Path::new("/") =>
        {
            PathBuf::from("//")
        }
        Some(parent) => parent.to_path_buf(),
        None => pure,
    }
}

/// `pure / relative` as `pathlib` shows it (`.` / `PC/x.c` is `PC/x.c`).
pub fn pure_join(base: &Path, relative: &str) -> PathBuf {
    pure_path(&base.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Python 3.11's `pathlib` prints for `str(P(s))` and for
    /// `str(P(s).parent.parent / "PC/x.c")`.
    #[test]
    fn paths_show_as_pathlib_shows_them() {
        let cases = [
            ("./Misc/stable_abi.toml", "Misc/stable_abi.toml", "PC/x.c"),
            ("a//b", "a/b", "PC/x.c"),
            ("//a/b", "//a/b", "//PC/x.c"),
            ("///a", "/a", "/PC/x.c"),
            ("a/./b/", "a/b", "PC/x.c"),
            ("", ".", "PC/x.c"),
            (".", ".", "PC/x.c"),
            ("./", ".", "PC/x.c"),
            ("a/../b", "a/../b", "a/PC/x.c"),
            ("././x", "x", "PC/x.c"),
            ("/./a", "/a", "/PC/x.c"),
            (".//a", "a", "PC/x.c"),
            ("//", "//", "//PC/x.c"),
            ("/", "/", "/PC/x.c"),
            ("../t/Misc/m.toml", "../t/Misc/m.toml", "../t/PC/x.c"),
        ];
        for (given, shown, joined) in cases {
            let path = Path::new(given);
            assert_eq!(pure_path(path), Path::new(shown), "{given:?}");
            let grandparent = pure_parent(&pure_parent(path));
            assert_eq!(
                pure_join(&grandparent, "PC/x.c").to_str(),
                Some(joined),
                "{given:?}"
            );
        }
    }

    #[test]
    fn repr_matches_python() {
        assert_eq!(repr_str("abc"), "'abc'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr_str("tab\there\\"), "'tab\\there\\\\'");
        assert_eq!(repr_str("\u{1}é\u{a0}"), "'\\x01é\\xa0'");
    }

    #[test]
    fn pformat_wraps_at_80_columns() {
        assert_eq!(pformat_str_list(&["A", "B"]), "['A', 'B']");
        let long = [
            "HAVE_FORK",
            "MS_WINDOWS",
            "PY_HAVE_THREAD_NATIVE_ID",
            "Py_REF_DEBUG",
            "Py_TRACE_REFS",
            "USE_STACKCHECK",
        ];
        assert_eq!(
            pformat_str_list(&long),
            "['HAVE_FORK',\n 'MS_WINDOWS',\n 'PY_HAVE_THREAD_NATIVE_ID',\n 'Py_REF_DEBUG',\n 'Py_TRACE_REFS',\n 'USE_STACKCHECK']"
        );
        assert_eq!(pformat_str_list(&[]), "[]");
        assert_eq!(
            pformat_dict(&[("b", "True".into()), ("a", "'maybe'".into())]),
            "{'a': 'maybe', 'b': True}"
        );
    }

    #[test]
    fn csv_quotes_minimally() {
        let csv_field = |field: &str| {
            let mut out = String::new();
            push_csv_field(&mut out, field);
            out
        };
        assert_eq!(csv_field("on Windows"), "on Windows");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
