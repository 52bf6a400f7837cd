//! The two sides of a comparison: a manifest file, a CPython tree, or a git
//! revision of the checkout, read without touching the work tree.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

use crate::diagnostic::LocatedError;
use crate::manifest::{tree_root, Manifest, PassThrough, Rules, MANIFEST_IN_TREE};
use crate::release::{version_of_patchlevel, PATCHLEVEL_H};
use crate::version::Version;

/// Where one side of the comparison comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A manifest file; its tree (for the release) is its grandparent.
    File(PathBuf),
    /// A git revision of the checkout at `repo`, read with `git show`.
    Revision { repo: PathBuf, revision: String },
}

/// One side: the manifest, the release it belongs to, and where it came
/// from.
#[derive(Clone, Debug)]
pub struct Side {
    pub origin: Origin,
    pub manifest: Manifest,
    /// The release (`PY_MINOR_VERSION` of `Include/patchlevel.h`), or the
    /// manifest's newest `added` where there is no patchlevel.h.
    pub release: Version,
    /// What the manifest has that the tool does not know (a release newer
    /// than it): passed over with a warning each.
    pub warnings: Vec<LocatedError>,
}

/// A release newer than the tool may add fields and values: compare what
/// is known, and warn about the rest, rather than refuse the release;
/// `strict`: refuse it, every unknown an error at its place.
fn rules(strict: bool) -> Rules {
    Rules {
        newer: !strict,
        because: PassThrough::Comparison,
        ..Rules::ALL_KNOWN
    }
}

impl Side {
    /// Resolves `spec`: an existing file is a manifest, an existing
    /// directory a tree (`DIR/Misc/stable_abi.toml`), anything else a git
    /// revision of the checkout at `repo` (`v3.14.0`, `HEAD~1`), whose
    /// manifest is read with `git show REV:./Misc/stable_abi.toml`.
    ///
    /// Errors: the manifest cannot be read or is invalid (with its
    /// `file:line:col`; with `strict`, what the tool does not know too), or
    /// `spec` is neither a path nor a revision.
    pub fn resolve(spec: &str, repo: &Path, strict: bool) -> Result<Side> {
        let path = Path::new(spec);
        if path.is_file() {
            return Side::from_file(path, strict);
        }
        if path.is_dir() {
            let manifest = path.join(MANIFEST_IN_TREE);
            if !manifest.is_file() {
                return Err(Error::file(
                    path,
                    format!("not a CPython tree (no {MANIFEST_IN_TREE})"),
                ));
            }
            return Side::from_file(&manifest, strict);
        }
        Side::from_revision(spec, repo, strict)
    }

    /// A manifest file, its release from its tree's `Include/patchlevel.h`.
    pub fn from_file(path: &Path, strict: bool) -> Result<Side> {
        let parsed = Manifest::load_with(path, rules(strict))?;
        let patchlevel = tree_root(path).join(PATCHLEVEL_H);
        let release = crate::input::read_to_string(&patchlevel)
            .ok()
            .and_then(|text| version_of_patchlevel(&text));
        let side = Side::new(Origin::File(path.to_path_buf()), parsed.manifest, release);
        Ok(side.warned(parsed.warnings))
    }

    /// The manifest of git revision `revision` of the checkout at `repo`.
    pub fn from_revision(revision: &str, repo: &Path, strict: bool) -> Result<Side> {
        if revision.starts_with('-') {
            return Err(Error::file(
                revision,
                "not a manifest, a tree or a git revision",
            ));
        }
        let text = git_show(repo, revision, MANIFEST_IN_TREE).map_err(|why| {
            Error::file(
                revision,
                format!(
                    "neither a file, a directory nor a git revision of {}: {why}",
                    repo.display()
                ),
            )
        })?;
        let label = PathBuf::from(format!("{revision}:{MANIFEST_IN_TREE}"));
        let parsed = Manifest::parse_with(&text, &label, rules(strict))?;
        let release = git_show(repo, revision, PATCHLEVEL_H)
            .ok()
            .and_then(|text| version_of_patchlevel(&text));
        let origin = Origin::Revision {
            repo: repo.to_path_buf(),
            revision: revision.to_string(),
        };
        Ok(Side::new(origin, parsed.manifest, release).warned(parsed.warnings))
    }

    /// A side from a manifest already read (tests, other tools).
    pub fn new(origin: Origin, manifest: Manifest, release: Option<Version>) -> Side {
        let release = release
            .or_else(|| manifest.newest_version())
            .unwrap_or(Version::FIRST);
        Side {
            origin,
            manifest,
            release,
            warnings: Vec::new(),
        }
    }

    fn warned(mut self, warnings: Vec<LocatedError>) -> Side {
        self.warnings = warnings;
        self
    }
}

/// `git show REV:./PATH` in `repo`: the file as committed, without checking
/// anything out; or why it cannot be had.
fn git_show(repo: &Path, revision: &str, path: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .arg("show")
        .arg(format!("{revision}:./{path}"))
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "git show {revision}:./{path}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("{revision}:{path}: the file is not valid UTF-8"))
}

/// Where one side's headers are on disk: its tree, or a temporary
/// extraction of a revision's `Include/` (kept while this lives).
pub struct HeaderRoot {
    pub root: PathBuf,
    /// For a revision: the extraction's root and the revision's name, to
    /// show paths as `REV:Include/...`.
    pub display: Option<(PathBuf, String)>,
    _extracted: Option<crate::write::TempDir>,
}

impl Side {
    /// The side's headers, if it has them: a tree with `Include/Python.h`,
    /// or a revision's `Include/` extracted with `git archive` (the work
    /// tree untouched). `None` for a bare manifest.
    ///
    /// Errors: git or tar fails on a revision.
    pub fn header_root(&self) -> Result<Option<HeaderRoot>> {
        match &self.origin {
            Origin::File(path) => {
                let root = tree_root(path);
                Ok(root
                    .join("Include/Python.h")
                    .is_file()
                    .then_some(HeaderRoot {
                        root,
                        display: None,
                        _extracted: None,
                    }))
            }
            Origin::Revision { repo, revision } => {
                // The extraction and the two children writing it are
                // registered, so that an interrupted run leaves nothing in
                // $TMPDIR (see `crate::write`).
                let dir = crate::write::TempDir::new().map_err(|err| {
                    Error::other(format!("cannot create a temporary directory: {err}"))
                })?;
                let mut archive = crate::write::Child::spawn(
                    Command::new("git")
                        .arg("-C")
                        .arg(repo)
                        .args(["archive", "--format=tar", revision, "--", "Include"])
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped()),
                )
                .map_err(|err| Error::other(format!("cannot run git: {err}")))?;
                let tar_input = archive
                    .take_stdout()
                    .ok_or_else(|| Error::other("git archive: no output"))?;
                let tar = crate::write::Child::spawn(
                    Command::new("tar")
                        .arg("-x")
                        .arg("-C")
                        .arg(dir.path())
                        .stdin(tar_input)
                        .stderr(Stdio::piped()),
                )
                .map_err(|err| Error::other(format!("cannot run tar: {err}")))?;
                let archived = archive
                    .wait_with_output()
                    .map_err(|err| Error::other(format!("git archive: {err}")))?;
                let extracted = tar
                    .wait_with_output()
                    .map_err(|err| Error::other(format!("tar: {err}")))?;
                if !archived.status.success() {
                    // A revision without Include/ has no headers to compare.
                    return Ok(None);
                }
                if !extracted.status.success() {
                    return Err(Error::file(
                        revision,
                        "cannot extract the revision's Include/",
                    ));
                }
                let root = dir.path().to_path_buf();
                if !root.join("Include/Python.h").is_file() {
                    return Ok(None);
                }
                Ok(Some(HeaderRoot {
                    display: Some((root.clone(), revision.clone())),
                    root,
                    _extracted: Some(dir),
                }))
            }
        }
    }
}
