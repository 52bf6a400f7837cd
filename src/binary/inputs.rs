//! What `stable-abi audit PATH...` reads: the paths named, and in each
//! directory named, the wheels and extension modules found by walking it.
//!
//! - A path named on the command line must be a directory or a regular file
//!   (a symlink to one is fine); anything else (a FIFO, a device) is an
//!   input that cannot be read, saying what it is.
//! - A walk visits directories in name order, without recursion on the
//!   stack (a deep tree is no danger) and without following symlinked
//!   directories (no loops). It takes the regular files named like a wheel
//!   (`*.whl`) or an extension module, whatever bytes their names hold,
//!   and skips, saying so, one so named that is not a regular file (a FIFO
//!   would make the audit wait forever, `x.abi3.so -> /dev/zero` read
//!   forever).

use std::path::{Path, PathBuf};

use crate::binary::names::is_extension_name;
use crate::input::NotRegular;
use crate::output::escape;

/// One input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A wheel or extension module to read.
    File(PathBuf),
    /// A path that cannot be read (exit status 2), and why.
    Unreadable(PathBuf, String),
    /// A path the walk found but does not read, and why.
    Skipped(PathBuf, String),
}

impl Input {
    /// The path named or found.
    pub fn path(&self) -> &Path {
        match self {
            Input::File(path) | Input::Unreadable(path, _) | Input::Skipped(path, _) => path,
        }
    }
}

/// Whether `path` is named like a wheel.
pub fn is_wheel(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("whl"))
}

/// Whether the walk takes a file of this name.
fn is_candidate(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    is_wheel(path) || is_extension_name(&name)
}

/// The inputs of `paths`, in order (see the module documentation).
pub fn collect(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(err) => inputs.push(Input::Unreadable(
                path.clone(),
                format!("cannot read: {err}"),
            )),
            Ok(metadata) if metadata.is_dir() => walk(path, &mut inputs),
            Ok(metadata) => match NotRegular::of(&metadata) {
                None => inputs.push(Input::File(path.clone())),
                Some(kind) => inputs.push(Input::Unreadable(
                    path.clone(),
                    format!("{kind}; expected a wheel, an extension module or a directory of them"),
                )),
            },
        }
    }
    inputs
}

fn walk(top: &Path, inputs: &mut Vec<Input>) {
    // The entries still to visit of each directory being walked, the
    // innermost last: a depth-first walk in name order, on the heap.
    let mut stack = Vec::new();
    stack.extend(entries(top, inputs));
    while let Some(directory) = stack.last_mut() {
        let Some((path, file_type)) = directory.next() else {
            stack.pop();
            continue;
        };
        if file_type.is_some_and(|t| t.is_dir()) {
            stack.extend(entries(&path, inputs));
            continue;
        }
        if !is_candidate(&path) {
            continue;
        }
        // Regular files and symlinks to them; a broken symlink is an
        // unreadable input, a symlinked directory is not followed.
        match std::fs::metadata(&path) {
            Err(err) => inputs.push(Input::Unreadable(path, format!("cannot read: {err}"))),
            Ok(metadata) if metadata.is_dir() => {}
            Ok(metadata) => match NotRegular::of(&metadata) {
                None => inputs.push(Input::File(path)),
                Some(kind) => {
                    let link = if file_type.is_some_and(|t| t.is_symlink()) {
                        "a symlink to "
                    } else {
                        ""
                    };
                    let message = format!("skipped: {link}{}, not a regular file", kind.name());
                    inputs.push(Input::Skipped(path, message));
                }
            },
        }
    }
}

type Entries = std::vec::IntoIter<(PathBuf, Option<std::fs::FileType>)>;

/// The entries of `dir` in name order (with their type, symlinks not
/// followed); `None` after noting an unreadable directory.
fn entries(dir: &Path, inputs: &mut Vec<Input>) -> Option<Entries> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            let message = format!("cannot read directory: {err}");
            inputs.push(Input::Unreadable(dir.to_path_buf(), message));
            return None;
        }
    };
    let mut entries: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| (entry.path(), entry.file_type().ok()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Some(entries.into_iter())
}

impl Input {
    /// The path, as printed.
    pub fn shown(&self) -> String {
        let (Input::File(path) | Input::Unreadable(path, _) | Input::Skipped(path, _)) = self;
        escape::path(path).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_takes_wheels_and_extensions_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        for name in [
            "z.whl",
            "a.abi3.so",
            "b/c/x.pyd",
            "b/y.abi3.so",
            "notes.txt",
        ] {
            std::fs::write(root.join(name), b"").unwrap();
        }
        let found = collect(&[root.to_path_buf()]);
        let expected: Vec<Input> = ["a.abi3.so", "b/c/x.pyd", "b/y.abi3.so", "z.whl"]
            .iter()
            .map(|name| Input::File(root.join(name)))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_deep_tree_is_walked_without_recursion() {
        let dir = tempfile::tempdir().unwrap();
        let mut deep = dir.path().to_path_buf();
        for _ in 0..200 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("m.abi3.so"), b"").unwrap();
        assert_eq!(
            collect(&[dir.path().to_path_buf()]),
            vec![Input::File(deep.join("m.abi3.so"))]
        );
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_found() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"bad\xff.abi3.so");
        std::fs::write(dir.path().join(name), b"").unwrap();
        let found = collect(&[dir.path().to_path_buf()]);
        assert_eq!(found, vec![Input::File(dir.path().join(name))]);
        assert!(found[0].shown().ends_with("bad\\xff.abi3.so"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_to_directories_are_not_followed_and_broken_ones_are_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("real")).unwrap();
        std::fs::write(root.join("real/m.abi3.so"), b"").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("loop.whl")).unwrap();
        std::os::unix::fs::symlink(root.join("gone"), root.join("broken.abi3.so")).unwrap();
        let found = collect(&[root.to_path_buf()]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(matches!(&found[0], Input::Unreadable(p, _) if p.ends_with("broken.abi3.so")));
        assert_eq!(found[1], Input::File(root.join("real/m.abi3.so")));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_found_by_a_walk_is_skipped_and_one_named_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("p.abi3.so");
        crate::input::tests::make_fifo(&fifo);
        let found = collect(&[dir.path().to_path_buf()]);
        assert_eq!(
            found,
            vec![Input::Skipped(
                fifo.clone(),
                "skipped: a FIFO, not a regular file".into()
            )]
        );
        let named = collect(std::slice::from_ref(&fifo));
        assert!(
            matches!(&named[0], Input::Unreadable(_, m) if m.starts_with("is a FIFO, not a regular file")),
            "{named:?}"
        );
    }
}
