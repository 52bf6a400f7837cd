//! Every command-line flag, in one place: this file only declares them;
//! `commands/` turns them into domain values.
//!
//! Without a subcommand, `stable-abi` is a drop-in for CPython's
//! `Tools/build/stable_abi.py`: same flags, same meanings ([`DropinArgs`]).
//! The subcommands are what the reference tool cannot do. Where a new flag
//! goes: a drop-in flag (`--release`, `--strict`) in [`DropinArgs`]; a flag
//! of the header view (`--abi`, …) in [`HeaderOptions`], which `headers`,
//! `view` and the drop-in's `--unixy-check` share; a flag of one subcommand
//! in its `…Args`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::abi::Abi;
use crate::codes;
use crate::diagnostic::Format;
use crate::generate::GENERATORS;
use crate::platform::Platform;
use crate::release::Release;
use crate::version::Version;

mod binary;
mod port;
mod release;

pub use binary::{AuditArgs, FeatureArgs, LibraryArgs};
pub use port::PortArgs;
pub use release::{AddArgs, CompatArgs, PreCommitArgs, ADD_KINDS, COMPAT_HELP};

/// The manifest the commands read when given none: the tree's own, from
/// its root.
pub const DEFAULT_MANIFEST: &str = crate::manifest::MANIFEST_IN_TREE;

const EXIT_CODES: &str = "\
Exit status (every command):
  0  everything checked is in order (or every file was generated)
  1  a check failed: a stale generated file, or a finding
  2  the command line or an input file is wrong (usage, unreadable or invalid manifest, bad
     header), or a file or the output cannot be written (read-only, missing directory, special
     file, full disk)
  A closed standard output (`| head -1`) ends a run quietly with status 0.

Writing: a file is written only when its content changes, atomically (a temporary file renamed
over it), through a symbolic link (the link is kept); `-` or /dev/stdout is standard output;
a device, a FIFO or a missing directory is an error. SIGINT/SIGTERM leave no temporary file.";

#[derive(Parser, Debug)]
#[command(
    name = "stable-abi",
    version,
    about = "Check the stable ABI manifest or generate files from it",
    long_about = "Check the stable ABI manifest or generate files from it.\n\n\
        By default, the tool only checks existing files/libraries. Pass --generate to \
        recreate auto-generated files instead.\n\n\
        For actions that take a FILENAME, the filename can be left out to use a default \
        (relative to the manifest file, as they appear in the CPython codebase).",
    after_help = EXIT_CODES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub dropin: DropinArgs,
}

/// Parses the command line. `--help` also says which release the drop-in
/// follows for the manifest named (or the default one), and where that
/// came from.
///
/// Errors: clap's, to print ([`print_clap`]): a usage error, or what
/// `--help`, `--version` and `help` show instead of a run.
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut command = Cli::command();
    if args.iter().any(|arg| arg == "-h" || arg == "--help") {
        command = command.after_help(format!("{EXIT_CODES}\n\n{}", release_note(&args)));
    }
    let matches = command.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Prints what clap says instead of a run. A usage error goes to standard
/// error and ends the process with status 2, as clap does. The help and
/// the version are the run's output, on standard output with clap's
/// colours: a failure to write them (`> /dev/full`) is
/// [`Error::Output`](crate::Error::Output), as any report's, where clap
/// would ignore it and exit 0.
pub fn print_clap(err: &clap::Error) -> crate::Result<crate::Outcome> {
    if err.use_stderr() {
        err.exit();
    }
    err.print().map_err(crate::Error::Output)?;
    Ok(crate::Outcome::Success)
}

/// A usage error (exit status 2) printed as clap prints its own, with the
/// usage of the subcommand that was run: the command line is what is wrong.
pub fn usage_error(cli: &Cli, message: impl std::fmt::Display) -> clap::Error {
    let kind = clap::error::ErrorKind::ValueValidation;
    let mut command = Cli::command();
    command.build();
    let name = match &cli.command {
        None => None,
        Some(Command::Headers(_)) => Some("headers"),
        Some(Command::View(_)) => Some("view"),
        Some(Command::Library(_)) => Some("library"),
        Some(Command::Audit(_)) => Some("audit"),
        Some(Command::Explain(_)) => Some("explain"),
        Some(Command::Compat(_)) => Some("compat"),
        Some(Command::Port(_)) => Some("port"),
        Some(Command::Add(_)) => Some("add"),
        Some(Command::PreCommit(_)) => Some("pre-commit"),
    };
    match name.and_then(|name| command.find_subcommand_mut(name)) {
        Some(subcommand) => subcommand.error(kind, message),
        None => command.error(kind, message),
    }
}

/// "Release in effect: …" for the manifest and `--release` among `args`.
fn release_note(args: &[OsString]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let manifest = args
        .iter()
        .skip(1)
        .find(|arg| !arg.starts_with('-') && arg.ends_with(".toml"))
        .map_or(DEFAULT_MANIFEST, String::as_str);
    let release = args
        .iter()
        .position(|arg| arg == "--release")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|arg| arg.strip_prefix("--release=").map(str::to_string))
        })
        .and_then(|text| Release::parse_arg(&text).ok());
    match crate::dropin::edition_for(Path::new(manifest), release) {
        Ok((in_effect, edition, _)) => format!(
            "Release in effect for {manifest}: {in_effect}; generated files as by that \
             release's stable_abi.py (edition {})",
            edition.name
        ),
        Err(err) => format!("Release in effect for {manifest}: none ({err})"),
    }
}

/// The flags of `stable_abi.py`.
#[derive(Args, Debug)]
pub struct DropinArgs {
    /// File with the stable abi manifest
    #[arg(value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    pub file: PathBuf,

    /// Generate file(s), rather than just checking them
    #[arg(long)]
    pub generate: bool,

    /// As --generate, but generate all file(s) using default filenames.
    /// (unlike --all, does not run any extra checks)
    #[arg(long)]
    pub generate_all: bool,

    /// Run all available checks using default filenames
    #[arg(short = 'a', long)]
    pub all: bool,

    /// List available generators and their default filenames; then exit
    #[arg(short = 'l', long)]
    pub list: bool,

    /// Dump the manifest contents (used for debugging the parser)
    #[arg(long)]
    pub dump: bool,

    #[command(flatten)]
    pub generators: GeneratorArgs,

    /// Check headers & library (without a compiler or binutils)
    #[arg(long, help_heading = "Actions")]
    pub unixy_check: bool,

    #[command(flatten)]
    pub headers: HeaderOptions,

    /// Accepted header findings (see `stable-abi headers --help`); default:
    /// Misc/stable_abi_baseline.txt beside the manifest, if it exists. With a
    /// baseline, --unixy-check fails on every header finding it does not accept
    #[arg(long, value_name = "FILE", help_heading = "Header view")]
    pub baseline: Option<PathBuf>,

    /// Use no baseline, even if there is one beside the manifest
    #[arg(long, conflicts_with = "baseline", help_heading = "Header view")]
    pub no_baseline: bool,

    /// Print every header finding of --unixy-check, not one line for those
    /// beyond stable_abi.py's checks
    #[arg(short = 'v', long, help_heading = "Header view")]
    pub verbose: bool,

    /// Check the headers of --unixy-check as this platform sees them too, or
    /// all of them (Linux's view, stable_abi.py's, is always checked)
    #[arg(
        long,
        value_enum,
        value_name = "PLATFORM",
        default_value = "linux",
        help_heading = "Header view"
    )]
    pub platform: Platforms,

    /// Follow this CPython release instead of the tree's
    /// Include/patchlevel.h (e.g. 3.13.5; 3.N is its newest micro)
    #[arg(long, value_name = "3.N[.M]", value_parser = Release::parse_arg, help_heading = "Release")]
    pub release: Option<Release>,

    /// On a release newer than the tool knows, make what it does not know in
    /// the manifest an error instead of a warning
    #[arg(long, help_heading = "Release")]
    pub strict: bool,
}

/// One optional `--NAME [FILENAME]` flag per row of the generator table.
#[derive(Debug, Default)]
pub struct GeneratorArgs {
    /// For each generator (in table order): not given, given without a
    /// file name (use the default), or given with one.
    pub requested: Vec<Option<Option<PathBuf>>>,
}

impl FromArgMatches for GeneratorArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let requested = GENERATORS
            .iter()
            .map(|generator| {
                if matches.contains_id(generator.name)
                    && matches.value_source(generator.name)
                        == Some(clap::parser::ValueSource::CommandLine)
                {
                    Some(matches.get_one::<PathBuf>(generator.name).cloned())
                } else {
                    None
                }
            })
            .collect();
        Ok(GeneratorArgs { requested })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for GeneratorArgs {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for generator in GENERATORS {
            cmd = cmd.arg(
                clap::Arg::new(generator.name)
                    .long(generator.flag())
                    .value_name("FILENAME")
                    .num_args(0..=1)
                    .value_parser(clap::value_parser!(PathBuf))
                    .help(generator.help)
                    .help_heading("Actions"),
            );
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// How the headers are preprocessed: the platform profile, adjusted like a
/// compiler's command line (converted to `view::Defines` by `commands`).
#[derive(Args, Debug, Default, Clone)]
pub struct HeaderOptions {
    /// Define a macro for the header view, like the compiler's -D
    #[arg(short = 'D', value_name = "NAME[=VALUE]", help_heading = "Header view")]
    pub define: Vec<String>,

    /// Undefine a macro for the header view, like the compiler's -U
    #[arg(short = 'U', value_name = "NAME", help_heading = "Header view")]
    pub undefine: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every header check at every Limited API version
    Headers(HeadersArgs),
    /// List what `Py_LIMITED_API=3.N` exposes, by kind, with locations
    View(ViewArgs),
    /// Check that built libraries export the whole Stable ABI
    Library(LibraryArgs),
    /// Audit extension modules and wheels that claim the Stable ABI (abi3)
    Audit(AuditArgs),
    /// Explain a finding's code (what, why, an example); list them all
    Explain(ExplainArgs),
    /// Report what NEW breaks of the Stable ABI that OLD promised
    Compat(CompatArgs),
    /// Find what stands between an extension's C sources and abi3 / abi3t
    Port(PortArgs),
    /// Append an item to the manifest, in its style, and say what to do next
    Add(AddArgs),
    /// What a commit must pass: generated files up to date, header checks (no library)
    PreCommit(PreCommitArgs),
}

/// `stable-abi headers --help`: the checks (from the registry of codes)
/// and the baseline.
fn headers_help() -> String {
    format!(
        "Checks (the [name] of each finding; `stable-abi explain NAME` says more):\n{}\n\
         A version 3.N is every Py_LIMITED_API value 0x03NN0000…0x03NNFFFF (3.2: also 3):\n\
         too-early counts a declaration visible for any of them, missing one hidden for any.\n\n\
         From 3.15 the free-threaded Stable ABI (abi3t, Py_TARGET_ABI3T) is checked too.\n\
         --platform all checks the Linux, Windows and macOS views of the headers (parsed\n\
         once); a finding only some of them show names them.\n\
         Baseline: one accepted finding per line, `CHECK NAME VERSIONS [abi3t] [PLATFORM,...]`\n\
         (e.g. `too-early PyEval_GetFrameBuiltins 3.2-3.12`); `#` starts a comment. Write it\n\
         with --write-baseline; stale lines are reported as `stale-baseline` warnings. The one\n\
         beside the manifest, Misc/stable_abi_baseline.txt, applies when it exists.\n\n\
         Exit status: 0 no error finding, 1 an error finding (a defect; a release tree has\n\
         some until its baseline accepts them), 2 an input error.",
        codes::help_table("headers")
    )
}

/// `--help` of a command whose findings have codes: them, then `tail`.
fn codes_help(command: &str, tail: &str) -> String {
    format!(
        "Findings (`stable-abi explain NAME` says more):\n{}\n{tail}",
        codes::help_table(command)
    )
}

#[derive(Args, Debug)]
#[command(after_help = headers_help())]
pub struct HeadersArgs {
    /// The manifest; the CPython tree is its grandparent
    #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    pub manifest: PathBuf,

    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// Accepted findings: those listed in FILE are not reported (default:
    /// Misc/stable_abi_baseline.txt beside the manifest, if it exists)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Use no baseline, even if there is one beside the manifest: list every finding
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,

    /// Write the current findings to FILE as the new baseline, and succeed
    /// (atomically, only if it changes; `-` for standard output)
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// On a tree newer than the tool knows (CPython main), make what the
    /// manifest says that the tool does not know an error, not a warning
    #[arg(long)]
    pub strict: bool,

    /// The platform whose view of the headers is checked, or all of them
    #[arg(long, value_enum, value_name = "PLATFORM", default_value = "linux")]
    pub platform: Platforms,

    #[command(flatten)]
    pub headers: HeaderOptions,
}

#[derive(Args, Debug)]
#[command(after_help = "Exit status: 0 listed, 2 a bad command line or a bad header.")]
pub struct ViewArgs {
    /// The Limited API version, e.g. 3.9
    #[arg(value_name = "3.N")]
    pub version: Version,

    /// The manifest; the CPython tree is its grandparent
    #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    pub manifest: PathBuf,

    /// The exact Py_LIMITED_API value, within 3.N's range (default: 0x03NN0000;
    /// 3 for 3.2)
    #[arg(long, value_name = "0xHEX", value_parser = parse_limited_api)]
    pub limited_api: Option<u32>,

    /// Only this kind
    #[arg(long, value_name = "KIND", value_parser = crate::view::VIEW_KINDS)]
    pub kind: Option<String>,

    /// On a tree newer than the tool knows (CPython main), make what the
    /// manifest says that the tool does not know an error, not a warning
    #[arg(long)]
    pub strict: bool,

    /// The Stable ABI: abi3, or abi3t (free-threaded, PEP 803; 3.15 and later)
    #[arg(long, value_enum, default_value_t)]
    pub abi: Abi,

    /// The platform whose view of the headers is listed
    #[arg(long, value_enum, value_name = "PLATFORM", default_value_t)]
    pub platform: Platform,

    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    #[command(flatten)]
    pub headers: HeaderOptions,
}

/// `0x030900F0` (hexadecimal, as `PY_VERSION_HEX` is written) or decimal.
fn parse_limited_api(text: &str) -> Result<u32, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("{text:?} is not a Py_LIMITED_API value (e.g. 0x030900F0)"))
}

/// `--format text|json|sarif`, for the domain's [`Format`]: SARIF's rules
/// are every code of the registry.
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        static FORMATS: LazyLock<[Format; 3]> =
            LazyLock::new(|| [Format::Text, Format::Json, Format::Sarif(codes::all())]);
        &*FORMATS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Format::Text => PossibleValue::new("text").help("like a compiler"),
            Format::Json => PossibleValue::new("json").help("one JSON document (see the README)"),
            Format::Sarif(_) => {
                PossibleValue::new("sarif").help("SARIF 2.1.0, for code-scanning UIs")
            }
        })
    }
}

/// `--platform linux|windows|macos`, for the domain's [`Platform`].
impl ValueEnum for Platform {
    fn value_variants<'a>() -> &'a [Self] {
        &Platform::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Platform::Linux => PossibleValue::new("linux")
                .help("gcc and configure's pyconfig.h (what stable_abi.py checks)"),
            Platform::Windows => PossibleValue::new("windows").help("MSVC and PC/pyconfig.h (x64)"),
            Platform::Macos => PossibleValue::new("macos")
                .alias("apple")
                .help("Apple clang and configure's pyconfig.h (arm64)"),
        })
    }
}

/// `--platform` of `headers` and `pre-commit`: one platform, or all of them
/// with their findings merged.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Platforms {
    One(Platform),
    All,
}

impl Default for Platforms {
    fn default() -> Self {
        Platforms::One(Platform::default())
    }
}

impl Platforms {
    /// The platforms to check, in [`Platform::ALL`] order.
    pub fn platforms(self) -> Vec<Platform> {
        match self {
            Platforms::One(platform) => vec![platform],
            Platforms::All => Platform::ALL.to_vec(),
        }
    }
}

impl ValueEnum for Platforms {
    fn value_variants<'a>() -> &'a [Self] {
        const VARIANTS: [Platforms; 4] = [
            Platforms::One(Platform::Linux),
            Platforms::One(Platform::Windows),
            Platforms::One(Platform::Macos),
            Platforms::All,
        ];
        &VARIANTS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            Platforms::One(platform) => platform.to_possible_value(),
            Platforms::All => Some(
                PossibleValue::new("all")
                    .help("every platform, the findings merged (each names the platforms it is on, when not all)"),
            ),
        }
    }
}

/// `--abi abi3|abi3t`, for the domain's [`Abi`].
impl ValueEnum for Abi {
    fn value_variants<'a>() -> &'a [Self] {
        &Abi::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Abi::Abi3 => PossibleValue::new("abi3")
                .help("the Stable ABI of GIL builds (PEP 384), Py_LIMITED_API"),
            Abi::Abi3t => PossibleValue::new("abi3t")
                .help("the Stable ABI of free-threaded builds (PEP 803), Py_TARGET_ABI3T"),
        })
    }
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The code, e.g. too-early (the [name] at the end of a finding); none
    /// lists every code
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
}
