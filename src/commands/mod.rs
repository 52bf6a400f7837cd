//! The command layer: one file per subcommand. Each turns its clap
//! arguments ([`crate::cli`]) into domain values, runs the domain code,
//! prints, and returns an [`Outcome`]. Nothing below this layer sees clap.
//!
//! | command | file | domain |
//! |---|---|---|
//! | `stable-abi [FILE] --generate …` (the drop-in) | [`dropin`] | [`crate::dropin`] |
//! | `stable-abi headers` | [`headers`] | [`crate::checks`] |
//! | `stable-abi view 3.N` | [`view`] | [`crate::view`] |
//! | `stable-abi library` | [`library`] | [`crate::binary::library`] |
//! | `stable-abi audit` | [`audit`] | [`crate::binary::audit`] |
//! | `stable-abi compat` | [`compat`] | [`crate::compat`] |
//! | `stable-abi port` | [`port`] | [`crate::port`] |
//! | `stable-abi explain` | [`explain`] | [`crate::codes`] |
//! | `stable-abi add` | [`add`] | `crate::manifest::add` |
//! | `stable-abi pre-commit` | [`pre_commit`] | (runs the others) |
//!
//! A new flag is declared in `cli.rs` and converted in its command's file
//! (flags shared by several commands, like `-D`/`-U`, here). A new command
//! is a variant of `cli::Command`, a file here, and a line in [`run`].

pub mod add;
pub mod audit;
pub mod compat;
pub mod dropin;
pub mod explain;
pub mod headers;
pub mod library;
pub mod port;
pub mod pre_commit;
pub mod view;

use std::path::Path;

use crate::cli::{Cli, Command, HeaderOptions};
use crate::error::Result;
use crate::manifest::{Manifest, Rules};
use crate::platform::Platform;
use crate::view::{Config, Defines};
use crate::Outcome;

/// Runs the command the command line names.
pub fn run(cli: &Cli) -> Result<Outcome> {
    match &cli.command {
        None => dropin::run(&cli.dropin),
        Some(Command::Headers(args)) => headers::run(args),
        Some(Command::View(args)) => view::run(args),
        Some(Command::Library(args)) => library::run(args),
        Some(Command::Audit(args)) => audit::run(args),
        Some(Command::Compat(args)) => compat::run(args),
        Some(Command::Port(args)) => port::run(args),
        Some(Command::Explain(args)) => explain::run(args),
        Some(Command::Add(args)) => add::run(args),
        Some(Command::PreCommit(args)) => pre_commit::run(args),
    }
}

/// Reads the manifest at `path` for a command beyond the drop-in (see
/// [`Rules::beyond_drop_in_for_tree`]), printing on stderr, at their
/// `file:line:col`, the warnings about what a tree newer than the tool
/// knows says that the tool does not know.
///
/// Errors: an unreadable or invalid manifest, every problem located.
fn load_manifest(path: &Path, strict: bool) -> Result<Manifest> {
    let parsed = Manifest::load_with(path, Rules::beyond_drop_in_for_tree(path, strict))?;
    for warning in &parsed.warnings {
        errln!("{}", warning.as_warning());
    }
    Ok(parsed.manifest)
}

/// Says on stderr what a `--write-…` flag did with `count` `what`s.
fn say_written(written: crate::write::Written, count: usize, what: &str, path: &Path) {
    match written {
        crate::write::Written::Unchanged => {
            errln!(
                "{} already holds these {count} {what} (unchanged)",
                path.display()
            )
        }
        _ => errln!("wrote {count} {what} to {}", path.display()),
    }
}

/// Standard output, buffered: a report of hundreds of lines is then a few
/// writes, not one per line. Flush it before writing to stderr, and to
/// see its errors.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}

/// Leaves `value` to the operating system, which reclaims a process's
/// memory at once when it exits, as it does when the command returns.
///
/// For what a command holds until it returns: the parsed headers and the
/// views of every version are tens of thousands of allocations, and
/// freeing them one by one was 0.7 ms of the 20 ms of CPU time
/// `stable-abi headers` took on a built CPython 3.13 tree (two cores).
/// Commands run once per process ([`run`] is called by `main` only), so
/// nothing is kept longer than the process.
fn free_at_exit<T>(value: T) {
    std::mem::forget(value);
}

/// The header view's flags as the view's [`Defines`].
fn defines(options: &HeaderOptions) -> Result<Defines> {
    Defines::parse(&options.define, &options.undefine)
}

/// `--platform` and the header view's flags as the view's [`Config`].
fn config(platform: Platform, options: &HeaderOptions) -> Result<Config> {
    Ok(Config {
        platform,
        defines: defines(options)?,
        ..Config::default()
    })
}
