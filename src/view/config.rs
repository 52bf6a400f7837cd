//! What the headers are read as: where they are, which of them each view
//! includes, and the command line's `-D`/`-U`, applied after the platform
//! profile ([`super::profile`]).
//!
//! `headers`, `view` and `compat` read a CPython tree's `Include/Python.h`
//! ([`Config::tree`]); `port` reads the headers an extension is compiled
//! with, a tree or an installed include directory ([`Config::locate`]),
//! as an extension sees them (every public header, every name C code can
//! use: [`Config::for_extensions`]). A platform is one more field of this
//! value.

use std::path::{Path, PathBuf};

use super::load::Layout;
use super::Defines;
use crate::error::{Error, Result};

/// How to load the headers: [`super::Headers::load_with`].
#[derive(Clone, Debug)]
pub struct Config {
    /// The directory paths are shown from: a tree's root, or the include
    /// directory itself.
    pub root: PathBuf,
    pub layout: Layout,
    /// `-D`/`-U` given at load time.
    pub defines: Defines,
}

impl Config {
    /// The CPython tree at `root`: `root/Include/Python.h`, `pyconfig.h`
    /// at the root when it is configured (else the built-in default).
    pub fn tree(root: &Path, defines: &Defines) -> Config {
        Config {
            root: root.to_path_buf(),
            layout: Layout::tree(),
            defines: defines.clone(),
        }
    }

    /// The headers at `path`: a CPython tree (a directory with
    /// `Include/Python.h`) or an include directory holding `Python.h` (an
    /// installed Python's `sysconfig.get_paths()["include"]`).
    ///
    /// Errors: `path` holds neither (a usage error naming what was looked
    /// for).
    pub fn locate(path: &Path, defines: &Defines) -> Result<Config> {
        if path.join("Include").join("Python.h").is_file() {
            return Ok(Config::tree(path, defines));
        }
        if path.join("Python.h").is_file() {
            return Ok(Config {
                root: path.to_path_buf(),
                layout: Layout {
                    include: PathBuf::new(),
                    extension: false,
                },
                defines: defines.clone(),
            });
        }
        Err(Error::usage(format!(
            "{}: neither a CPython tree (Include/Python.h) nor an include directory (Python.h)",
            path.display()
        )))
    }

    /// The headers as an extension sees them ([`Layout::extension`]):
    /// every public header, every name C code can use.
    pub fn for_extensions(mut self) -> Config {
        self.layout.extension = true;
        self
    }

    /// The directory holding `Python.h`.
    pub fn include_dir(&self) -> PathBuf {
        self.root.join(&self.layout.include)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_or_an_include_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Config::locate(dir.path(), &Defines::default()).is_err());
        std::fs::write(dir.path().join("Python.h"), "").unwrap();
        let config = Config::locate(dir.path(), &Defines::default()).unwrap();
        assert_eq!(config.layout.include, PathBuf::new());
        assert_eq!(config.include_dir(), dir.path());
        std::fs::create_dir(dir.path().join("Include")).unwrap();
        std::fs::write(dir.path().join("Include/Python.h"), "").unwrap();
        let config = Config::locate(dir.path(), &Defines::default()).unwrap();
        assert_eq!(config.layout, Layout::tree());
    }
}
