use std::process::ExitCode;

use clap::CommandFactory;

use stable_abi::cli::Cli;
use stable_abi::{commands, Error, Outcome};

fn main() -> ExitCode {
    let cli = stable_abi::cli::parse();
    match commands::run(&cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(Error::Usage(message)) => Cli::command()
            .error(clap::error::ErrorKind::MissingRequiredArgument, message)
            .exit(),
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(Error::EXIT_STATUS)
        }
    }
}
