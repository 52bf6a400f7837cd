use std::process::ExitCode;

use clap::CommandFactory;

use stable_abi::cli::{Cli, Command};
use stable_abi::{binary, checks, commands, legacy, view, Outcome, UsageError};

fn main() -> ExitCode {
    let cli = stable_abi::cli::parse();
    let result = match &cli.command {
        None => legacy::run(&cli.legacy),
        Some(Command::Headers(args)) => checks::run(args),
        Some(Command::View(args)) => view::run(args),
        Some(Command::Library(args)) => binary::library::run(args),
        Some(Command::Audit(args)) => binary::audit::run(args),
        Some(Command::Compat(args)) => commands::compat::run(args),
        Some(Command::Add(args)) => commands::add::run(args),
        Some(Command::PreCommit(args)) => commands::pre_commit::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(err) => {
            if let Some(usage) = err.downcast_ref::<UsageError>() {
                Cli::command()
                    .error(clap::error::ErrorKind::MissingRequiredArgument, usage)
                    .exit();
            }
            report(&err);
            ExitCode::from(2)
        }
    }
}

/// Prints an error and its causes. Errors that carry a location already read
/// `path:line:col: error: …`; others get the program's name.
fn report(err: &anyhow::Error) {
    let text = format!("{err:#}");
    if text.contains(": error: ") {
        eprintln!("{text}");
    } else {
        eprintln!("stable-abi: error: {text}");
    }
}
