//! The flags of the commands that guard releases and edit the manifest:
//! `compat`, `add` and `pre-commit`.

use std::path::PathBuf;

use clap::Args;

use super::{Format, DEFAULT_MANIFEST};
use crate::version::Version;

/// `stable-abi compat --help`: the rules (kept in step with
/// `compat::RULES` by a test) and the accepted breaks.
pub const COMPAT_HELP: &str = "\
OLD and NEW: a manifest file, a CPython tree (DIR/Misc/stable_abi.toml), or a git
revision of the checkout in the current directory (read with `git show
REV:./Misc/stable_abi.toml`; the work tree is not touched). NEW defaults to
Misc/stable_abi.toml.

Rules (the [name] of each finding):
  compat-removed                  error    a Limited API item was removed
  compat-abi-only-removed         error    an abi_only item was removed
  compat-feature-macro-removed    error    a feature macro was removed
  compat-kind-changed             error    an item changed kind
  compat-added-changed            error    an item's `added` changed
  compat-ifdef-added              error    an existing item gained (or changed) its `ifdef`
  compat-struct-abi-kind-changed  error    struct_abi_kind moved towards more exposure or away from 'full-abi'
  compat-member-removed           error    a listed member of a 'members' struct was removed
  compat-member-reordered         error    the listed members of a 'members' struct moved
  compat-windows-changed          error    a feature macro's `windows` changed
  compat-new-not-current          warning  a new item whose `added` is not after OLD's release, up to NEW's
  compat-limited-to-abi-only      note     a Limited API item became abi_only (allowed)
  compat-new                      note     a new item (allowed)

Header rules (when both sides have headers; at every version both have):
  compat-prototype-changed        a function's prototype or a data item's type changed
  compat-const-changed            a const's value changed
  compat-const-unevaluated        a const's definition changed, and names a macro (warning)
  compat-typedef-changed          a typedef's underlying type changed
  compat-struct-changed           a 'full-abi' struct's members, types or order changed
  compat-struct-layout-changed    a 'full-abi' struct's size or a member's offset changed (linux x86-64)
  compat-member-moved             a listed member of a 'members' struct moved
  compat-members-inserted         members inserted before a listed member (warning)

Accepted breaks: one per line, `RULE NAME -` (e.g. `compat-added-changed METH_FASTCALL -`);
`#` starts a comment. Write them with --write-accepted; stale lines are reported as
`stale-baseline` warnings.

Exit status: 0 no break, 1 a break (an error finding), 2 an input error.";

#[derive(Args, Debug)]
#[command(after_help = COMPAT_HELP)]
pub struct CompatArgs {
    /// The release to compare with: a manifest, a CPython tree, or a git revision
    #[arg(long, value_name = "OLD")]
    pub baseline: String,

    /// The release to check: a manifest, a CPython tree, or a git revision
    #[arg(value_name = "NEW", default_value = DEFAULT_MANIFEST)]
    pub new: String,

    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// Accepted breaks: those listed in FILE are not reported
    #[arg(long, value_name = "FILE")]
    pub accepted: Option<PathBuf>,

    /// Write the current breaks to FILE as accepted, and succeed
    /// (atomically, only if it changes; `-` for standard output)
    #[arg(long, value_name = "FILE")]
    pub write_accepted: Option<PathBuf>,

    /// Make what a manifest says that the tool does not know (a newer
    /// release's fields and values) an error, not a warning
    #[arg(long)]
    pub strict: bool,

    /// Compare the manifests only, not the headers
    #[arg(long)]
    pub manifest_only: bool,

    /// The platform whose view of both sides' headers is compared
    #[arg(long, value_enum, value_name = "PLATFORM", default_value_t)]
    pub platform: crate::platform::Platform,
}

/// The kinds `add` appends (a feature macro needs `doc` and `windows`).
pub const ADD_KINDS: [&str; 6] = ["function", "data", "macro", "const", "typedef", "struct"];

#[derive(Args, Debug)]
#[command(
    after_help = "The manifest is locked while it is read and replaced (two adds at once both \
                  land), and appended in its own line endings (CRLF, a BOM kept).\n\n\
                  Exit status: 0 added, 2 refused (a duplicate, an unknown feature macro, \
                  a private name without --abi-only, ...) or an unreadable manifest."
)]
pub struct AddArgs {
    /// The kind of item
    #[arg(value_name = "KIND", value_parser = ADD_KINDS)]
    pub kind: String,

    /// The C name
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The manifest; the CPython tree is its grandparent
    #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    pub manifest: PathBuf,

    /// The release it is added in (default: the tree's, from Include/patchlevel.h)
    #[arg(long, value_name = "3.N")]
    pub added: Option<Version>,

    /// In the Stable ABI only, not the Limited API (required for a `_` name)
    #[arg(long)]
    pub abi_only: bool,

    /// The feature macro the item depends on
    #[arg(long, value_name = "MACRO")]
    pub ifdef: Option<String>,

    /// A struct's members in the Stable ABI (with --struct-abi-kind members)
    #[arg(long, value_name = "a,b", value_delimiter = ',')]
    pub members: Option<Vec<String>>,

    /// How much of a struct is in the Stable ABI
    #[arg(long, value_name = "K", value_parser = ["full-abi", "opaque", "members", "abi3t-opaque"])]
    pub struct_abi_kind: Option<String>,

    /// Then regenerate the files derived from the manifest
    #[arg(long)]
    pub regen: bool,
}

#[derive(Args, Debug)]
#[command(after_help = "The header checks use the baseline beside the manifest \
                  (Misc/stable_abi_baseline.txt) when there is one: every finding it does \
                  not accept fails. Without it, the checks of stable_abi.py decide and one \
                  line counts the others, as with --unixy-check.\n\n\
                  Exit status: 0 all in order, 1 a stale or missing generated file or a header \
                  finding, 2 an invalid manifest or a bad header.")]
pub struct PreCommitArgs {
    /// The manifest; the CPython tree is its grandparent
    #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    pub manifest: PathBuf,

    /// The platform whose view of the headers is checked, or all of them
    #[arg(long, value_enum, value_name = "PLATFORM", default_value = "linux")]
    pub platform: super::Platforms,
}
