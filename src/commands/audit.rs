//! `stable-abi audit PATH...`: extension modules and wheels keep to the
//! Stable ABI they claim.

use crate::binary::audit::{audit_paths, outcome, TargetDefault};
use crate::binary::report;
use crate::binary::table::{self, AbiTable};
use crate::cli::AuditArgs;
use crate::error::{Error, Result};
use crate::Outcome;
use std::io::Write;

pub fn run(args: &AuditArgs) -> Result<Outcome> {
    if let Some(out) = &args.write_table {
        let Some(manifest_path) = &args.manifest else {
            return Err(Error::usage("--write-table needs --manifest"));
        };
        let additions = args
            .additions
            .as_deref()
            .map(table::read_additions)
            .transpose()?;
        let manifest = super::load_manifest(manifest_path, args.strict)?;
        table::write(&manifest, additions.as_ref(), out)?;
        return Ok(Outcome::Success);
    }
    if args.paths.is_empty() {
        return Err(Error::usage(
            "nothing to audit: pass extension modules, wheels or directories",
        ));
    }
    let table = match &args.manifest {
        Some(path) => AbiTable::from_manifest(super::load_manifest(path, args.strict)?),
        None => AbiTable::builtin(),
    };
    if args.readiness {
        return super::port::readiness(&args.paths, &table, args.format);
    }
    let defaults = TargetDefault {
        target: args.target,
        features: super::library::feature_overrides(table.manifest(), &args.features)?,
    };
    let reports = audit_paths(&args.paths, &table, &defaults);
    let mut out = super::stdout();
    let detail = if args.verbose {
        report::Detail::Verbose
    } else {
        report::Detail::Problems
    };
    report::print(&mut out, &reports, &table, args.format, detail)?;
    out.flush()?;
    report::print_errors(&mut std::io::stderr().lock(), &reports)?;
    outcome(&reports, &args.paths)
}
