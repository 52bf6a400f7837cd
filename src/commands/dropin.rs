//! `stable-abi [FILE] [--generate] …`: the drop-in for `stable_abi.py`.

use crate::cli::DropinArgs;
use crate::dropin::{self, BaselineChoice, Request, Target};
use crate::error::Result;
use crate::Outcome;

pub fn run(args: &DropinArgs) -> Result<Outcome> {
    let generators = args
        .generators
        .requested
        .iter()
        .map(|requested| {
            requested.as_ref().map(|path| match path {
                Some(path) => Target::Path(path.clone()),
                None => Target::DefaultPath,
            })
        })
        .collect();
    let request = Request {
        manifest: args.file.clone(),
        generate: args.generate || args.generate_all,
        all_generators: args.generate_all || args.all,
        list: args.list,
        dump: args.dump,
        generators,
        unixy_check: args.unixy_check || args.all,
        defines: super::defines(&args.headers)?,
        baseline: BaselineChoice::from_flags(args.baseline.as_deref(), args.no_baseline),
        verbose: args.verbose,
        platforms: args.platform.platforms(),
        release: args.release,
        strict: args.strict,
    };
    dropin::run(&request)
}
