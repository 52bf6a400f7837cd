//! The flags of the commands that read binaries: `library` and `audit`.

use std::path::PathBuf;

use clap::Args;

use super::{codes_help, Format, DEFAULT_MANIFEST};
use crate::version::Version;

#[derive(Args, Debug)]
#[command(
    after_help = codes_help(
        "library",
        "Exit status: 0 every symbol is exported, 1 a symbol is missing, \
         2 a library cannot be read or is not an object file."
    )
)]
pub struct LibraryArgs {
    /// Libraries to check (.so, .a, .dylib, .dll); by default the
    /// libpython3.N.so* / libpython3.N.a of the manifest's tree
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The manifest; the CPython tree is its grandparent
    #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    pub manifest: PathBuf,

    #[command(flatten)]
    pub features: FeatureArgs,

    /// On a tree newer than the tool knows (CPython main), make what the
    /// manifest says that the tool does not know an error, not a warning
    #[arg(long)]
    pub strict: bool,

    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Feature macros beyond what the binary's platform defines (the platform
/// table), like -D/-U for the headers.
#[derive(Args, Debug, Default, Clone)]
pub struct FeatureArgs {
    /// Treat this feature macro as defined on the target (repeatable)
    #[arg(long, value_name = "NAME")]
    pub feature: Vec<String>,

    /// Treat this feature macro as not defined on the target (repeatable)
    #[arg(long, value_name = "NAME")]
    pub no_feature: Vec<String>,
}

#[derive(Args, Debug)]
#[command(
    after_help = codes_help(
        "audit",
        "Exit status: 0 every extension keeps to the Stable ABI of its target, \
         1 a violation or a version mismatch, 2 an input cannot be read \
         or no extension module was found. With both a violation and an \
         unreadable input, 2: the audit is incomplete (the violations are \
         still reported)."
    )
)]
pub struct AuditArgs {
    /// Extension modules (.so, .pyd, .dylib), wheels (.whl), or directories
    #[arg(value_name = "PATH", required_unless_present = "write_table")]
    pub paths: Vec<PathBuf>,

    /// A manifest to audit against (default: the table built into stable-abi)
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// On a tree newer than the tool knows (CPython main), make what the
    /// manifest says that the tool does not know an error, not a warning
    #[arg(long)]
    pub strict: bool,

    /// The oldest Python the extensions must load on, when no wheel tag says
    #[arg(long, value_name = "3.N")]
    pub target: Option<Version>,

    #[command(flatten)]
    pub features: FeatureArgs,

    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// For extensions not built for the Stable ABI yet: list their imported
    /// Python symbols outside it and the version the others need (a binary
    /// cannot show macros or struct access: `stable-abi port` reads sources)
    #[arg(long, conflicts_with = "write_table")]
    pub readiness: bool,

    /// Write the Stable ABI facts of --manifest as the built-in table's text
    /// to FILE (src/binary/stable_abi_table.toml), and audit nothing; from a
    /// tree with 3.15+ headers also the abi3t-unusable list beside it
    /// (abi3t_unusable.txt)
    #[arg(
        long,
        value_name = "FILE",
        requires = "manifest",
        conflicts_with = "paths"
    )]
    pub write_table: Option<PathBuf>,

    /// With --write-table: items that extend or correct the manifest, each
    /// after a `# source:` line citing where it comes from, and a `# knows:
    /// 3.N` line saying through which version the table is complete
    /// (src/binary/stable_abi_additions.toml)
    #[arg(long, value_name = "FILE", requires = "write_table")]
    pub additions: Option<PathBuf>,

    /// Also list clean extensions one line each, and the platform and
    /// feature macros assumed for every extension
    #[arg(long, short)]
    pub verbose: bool,
}
