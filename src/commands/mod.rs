//! The subcommands' glue: each reads its command-line arguments, calls the
//! domain modules, prints, and returns the [`crate::Outcome`].

pub mod add;
pub mod compat;
pub mod pre_commit;

use std::path::Path;

use crate::manifest::{Manifest, ManifestError, Rules};

/// Reads the manifest at `path` for a command beyond the drop-in (see
/// [`Rules::beyond_drop_in_for_tree`]), printing on stderr, at their
/// `file:line:col`, the warnings about what a tree newer than the tool
/// knows says that the tool does not know.
///
/// Errors: an unreadable or invalid manifest, every problem located.
pub fn load_manifest(path: &Path, strict: bool) -> Result<Manifest, ManifestError> {
    let parsed = Manifest::load_with(path, Rules::beyond_drop_in_for_tree(path, strict))?;
    for warning in &parsed.warnings {
        eprintln!("{}", warning.as_warning());
    }
    Ok(parsed.manifest)
}
