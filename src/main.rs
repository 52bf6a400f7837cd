use std::io::Write;
use std::process::ExitCode;

use stable_abi::cli::Cli;
use stable_abi::{commands, Error, Outcome};

fn main() -> ExitCode {
    // Past `ulimit -f`, a write fails (File too large) rather than the
    // process being killed.
    stable_abi::write::ignore_file_size_signal();
    let (cli, result) = match stable_abi::cli::parse() {
        Ok(cli) => {
            let result = commands::run(&cli);
            (Some(cli), result)
        }
        // `--help`, `--version`, `help`: printed as a run's output.
        Err(err) => (None, stable_abi::cli::print_clap(&err)),
    };
    let result = result.and_then(|outcome| {
        std::io::stdout().flush().map_err(Error::Output)?;
        Ok(outcome)
    });
    exit_status(result, cli.as_ref())
}

/// The exit status of a run's result, its error printed.
fn exit_status(result: stable_abi::Result<Outcome>, cli: Option<&Cli>) -> ExitCode {
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        // The reader went away (`| head -1`): a quiet end, as ripgrep's.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            if let (Error::Usage(message), Some(cli)) = (&err, cli) {
                stable_abi::cli::usage_error(cli, message).exit();
            }
            let _ = writeln!(std::io::stderr(), "{err}");
            ExitCode::from(Error::EXIT_STATUS)
        }
    }
}
