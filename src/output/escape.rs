//! Names from files that strangers publish, printed on one line and
//! without loss: paths (bytes on Unix, not always UTF-8), wheel member
//! names, symbol and library names read from binaries.
//!
//! A name is printed as it is unless it holds something that would break
//! the output or hide what it is: a byte sequence that is not UTF-8, a
//! control character (C0, DEL, C1: a newline would start a fake line, an
//! escape sequence would rewrite the terminal), a line or paragraph
//! separator, a bidirectional control (which reorders what is shown), or a
//! backslash (so that the escaped form cannot be mistaken for a name that
//! is printed as it is). Such a name is printed escaped:
//!
//! | in the name | printed |
//! |---|---|
//! | `\` | `\\` |
//! | tab, newline, carriage return | `\t`, `\n`, `\r` |
//! | another ASCII control or DEL, a byte that is not UTF-8 | `\xNN` (two hex digits) |
//! | a C1 control, U+2028, U+2029, a bidirectional control | `\u{NNNN}` |
//!
//! So a printed name without a backslash is the name itself, and one with a
//! backslash decodes back to the exact bytes (`\xNN` below `\x80` is that
//! ASCII character, from `\x80` on a raw byte). The same text is used in
//! the compiler-like output, in JSON (`path`, `name`) and in SARIF
//! messages; SARIF locations are URIs made from the raw bytes instead
//! ([`crate::output::sarif`]).
//!
//! Every message is printed through [`line`] as well (the compiler-like
//! output, JSON's `message` and `name`, SARIF's message texts, the errors
//! that end a run): whatever value of a file a message quotes unescaped (a
//! manifest's `ifdef`, a kind, a member), it stays on one line and shows
//! its control characters. [`line`] escapes what [`text`] escapes except
//! the backslash, so a name escaped already (whose backslashes were
//! doubled, and which holds no control character) goes through unchanged:
//! nothing is escaped twice.
//!
//! On Windows, where `\` separates a path's components and file names are
//! UTF-16, a path's backslashes are printed as they are.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::Path;

/// `raw` as printed (see the module documentation).
pub fn bytes(raw: &[u8]) -> Cow<'_, str> {
    escape(raw, true)
}

/// A name that is already UTF-8 (a lossy decoding, a message's name), with
/// its control characters and backslashes escaped.
pub fn text(name: &str) -> Cow<'_, str> {
    escape(name.as_bytes(), true)
}

/// A message as printed: one line, its control characters, line
/// separators and bidirectional controls escaped as in a name, its
/// backslashes kept (see the module documentation). Escaping twice is
/// escaping once: `line(&line(m)) == line(m)`, `line(&text(n)) == text(n)`.
pub fn line(message: &str) -> Cow<'_, str> {
    escape(message.as_bytes(), false)
}

/// Serializes a message as [`line`] prints it (`#[serde(serialize_with)]`).
pub fn serialize_line<S: serde::Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&line(value))
}

/// A path as printed: its bytes on Unix, escaped where needed.
pub fn path(path: &Path) -> Cow<'_, str> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        escape(path.as_os_str().as_bytes(), true)
    }
    #[cfg(not(unix))]
    {
        match path.to_string_lossy() {
            Cow::Borrowed(text) => escape(text.as_bytes(), false),
            Cow::Owned(text) => Cow::Owned(escape(text.as_bytes(), false).into_owned()),
        }
    }
}

/// A path that prints as [`path`] does: `format!("{}", Shown(&path))`.
pub struct Shown<'a>(pub &'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&path(self.0))
    }
}

/// Serializes a path as its printed text (`#[serde(serialize_with)]`), so
/// that a path that is not UTF-8 is a string like any other, not an error
/// that would turn the whole document into `null`.
pub fn serialize_path<S: serde::Serializer>(
    value: &impl AsRef<Path>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path(value.as_ref()))
}

/// [`serialize_path`] for an optional path (`null` when absent).
pub fn serialize_optional_path<S: serde::Serializer, P: AsRef<Path>>(
    value: &Option<P>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serialize_path(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// Characters printed as `\u{NNNN}`: C1 controls, the line and paragraph
/// separators, and the bidirectional controls (Unicode's Bidi_Control
/// property: ALM, LRM, RLM, LRE..RLO, LRI..PDI).
fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

fn needs_escape(c: char, backslash: bool) -> bool {
    c.is_ascii_control() || (backslash && c == '\\') || is_hidden(c)
}

fn escape(raw: &[u8], backslash: bool) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(raw) {
        if !text.chars().any(|c| needs_escape(c, backslash)) {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' if backslash => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if is_hidden(c) => {
                    let _ = write!(out, "\\u{{{:04x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inverse of [`bytes`] for an escaped name, as a reader of the
    /// output would write it.
    fn unescape(printed: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = printed;
        while let Some(at) = rest.find('\\') {
            out.extend_from_slice(&rest.as_bytes()[..at]);
            let tail = &rest[at + 1..];
            let (decoded, used): (Vec<u8>, usize) = match tail.as_bytes()[0] {
                b'\\' => (vec![b'\\'], 1),
                b't' => (vec![b'\t'], 1),
                b'n' => (vec![b'\n'], 1),
                b'r' => (vec![b'\r'], 1),
                b'x' => (vec![u8::from_str_radix(&tail[1..3], 16).unwrap()], 3),
                b'u' => {
                    let end = tail.find('}').unwrap();
                    let c = char::from_u32(u32::from_str_radix(&tail[2..end], 16).unwrap());
                    (c.unwrap().to_string().into_bytes(), end + 1)
                }
                other => panic!("unknown escape {other}"),
            };
            out.extend(decoded);
            rest = &tail[used..];
        }
        out.extend_from_slice(rest.as_bytes());
        out
    }

    #[test]
    fn plain_names_are_printed_as_they_are() {
        for name in ["spam/_spam.abi3.so", "dist/my wheel.whl", "ünïcode.so", ""] {
            assert!(matches!(bytes(name.as_bytes()), Cow::Borrowed(n) if n == name));
        }
    }

    #[test]
    fn control_characters_and_bad_bytes_are_escaped_on_one_line() {
        let hostile = b"x/m.abi3.so: judged as abi3; ok\n\x1b[2K\rx/m.abi3.so";
        let printed = bytes(hostile);
        assert_eq!(
            printed,
            "x/m.abi3.so: judged as abi3; ok\\n\\x1b[2K\\rx/m.abi3.so"
        );
        assert!(!printed.chars().any(|c| c.is_control()));
        assert_eq!(bytes(b"bad\xff.abi3.so"), "bad\\xff.abi3.so");
        assert_eq!(bytes("a\u{202e}b\u{85}".as_bytes()), "a\\u{202e}b\\u{0085}");
        assert_eq!(bytes(b"a\\b"), "a\\\\b");
    }

    #[test]
    fn every_escaped_name_decodes_to_its_bytes() {
        let names: [&[u8]; 7] = [
            b"bad\xff.abi3.so",
            b"\\x41 is not A",
            b"tab\there\x7f\x00",
            "rtl\u{2067}name\u{2028}".as_bytes(),
            b"\xc3",
            b"\xe2\x80",
            b"back\\slash\\",
        ];
        for name in names {
            let printed = bytes(name);
            assert!(printed.contains('\\'), "{printed}");
            assert_eq!(unescape(&printed), name, "{printed}");
        }
    }

    #[test]
    fn a_message_is_one_line_and_escaped_names_in_it_are_not_escaped_again() {
        let forged = "function `PyA` has ifdef = 'X\nerror: forged\u{202e}\x1b[2J'";
        let printed = line(forged);
        assert_eq!(
            printed,
            "function `PyA` has ifdef = 'X\\nerror: forged\\u{202e}\\x1b[2J'"
        );
        assert!(!printed.chars().any(|c| c.is_control() || is_hidden(c)));
        assert_eq!(line(&printed), printed);
        // A name escaped already (backslashes doubled) is left as it is.
        for name in ["a\nb", "back\\slash", "tab\tx\x7f", "rtl\u{2067}"] {
            let escaped = text(name);
            assert_eq!(line(&escaped), escaped, "{name}");
            let message = format!("cannot read {escaped}: no");
            assert_eq!(line(&message), message);
        }
        // Plain messages, backslashes included, are borrowed unchanged.
        assert!(matches!(line("C:\\x is fine"), Cow::Borrowed(_)));
    }

    #[cfg(unix)]
    #[test]
    fn paths_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"dir/bad\xff.abi3.so"));
        assert_eq!(Shown(path).to_string(), "dir/bad\\xff.abi3.so");
        #[derive(serde::Serialize)]
        struct Has<'a> {
            #[serde(serialize_with = "serialize_path")]
            path: &'a Path,
        }
        let json = serde_json::to_value(Has { path }).unwrap();
        assert_eq!(json["path"], "dir/bad\\xff.abi3.so");
    }
}
