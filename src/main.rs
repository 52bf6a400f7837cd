use std::io::Write;
use std::process::ExitCode;

use stable_abi::{commands, Error, Outcome};

fn main() -> ExitCode {
    let cli = stable_abi::cli::parse();
    let result = commands::run(&cli).and_then(|outcome| {
        std::io::stdout().flush().map_err(Error::Output)?;
        Ok(outcome)
    });
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        // The reader went away (`| head -1`): a quiet end, as ripgrep's.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => stable_abi::cli::usage_error(&cli, message).exit(),
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "{err}");
            ExitCode::from(Error::EXIT_STATUS)
        }
    }
}
