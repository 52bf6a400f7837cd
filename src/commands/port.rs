//! `stable-abi port [PATH]...`: what stands between an extension's sources
//! and abi3 / abi3t.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::binary::problems;
use crate::binary::table::AbiTable;
use crate::cli::PortArgs;
use crate::diagnostic::{has_errors, print_findings, Finding, Format};
use crate::error::{Error, Result};
use crate::manifest::{Manifest, Rules, MANIFEST_IN_TREE};
use crate::port::output::{self, HeadersUsed};
use crate::port::summary::summarize;
use crate::port::{readiness, Options, Port};
use crate::view::{Config, Headers, Layout};
use crate::Outcome;

pub fn run(args: &PortArgs) -> Result<Outcome> {
    let (path, from) = match &args.cpython {
        Some(path) => (path.clone(), "--cpython".to_string()),
        None => (python3_include()?, "python3 on PATH".to_string()),
    };
    let config = Config {
        layout: Layout::locate(&path)?,
        ..super::config(args.platform, &args.headers)?
    }
    .for_extensions();
    let headers = Headers::load(&path, &config)?;
    let manifest = manifest_of(&path, config.layout.include.as_os_str().is_empty())?;
    let port = Port::new(&headers, &manifest)?;
    let options = Options {
        abi: args.abi,
        target: args.target,
        include_dirs: args.include.clone(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let report = port.run(&paths, &options)?;
    let mut summaries = vec![summarize(
        args.abi,
        &report.judged,
        &port.api,
        &port.replacements,
    )];
    if !report.other.is_empty() || port.abis().len() > 1 {
        let other = port.abis().into_iter().find(|&abi| abi != args.abi);
        if let Some(other) = other {
            summaries.push(summarize(
                other,
                &report.other,
                &port.api,
                &port.replacements,
            ));
        }
    }
    let used = HeadersUsed {
        path: path.display().to_string(),
        version: headers.python_version(),
        platform: args.platform,
        from,
    };
    let mut out = super::stdout();
    output::print(&mut out, &report, &summaries, &used, args.abi, args.format)?;
    out.flush()?;
    if !report.errors.is_empty() {
        for error in &report.errors {
            errln!("{error}");
        }
        return Err(Error::other(format!(
            "{} source(s) could not be read or preprocessed",
            report.errors.len()
        )));
    }
    if report.judged.is_empty() {
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::other(format!(
            "no C source found in {}",
            paths.join(", ")
        )));
    }
    let findings = output::findings(&report);
    Ok(if has_errors(&findings) {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// `stable-abi audit --readiness PATH...`: the binary counterpart of
/// `port` ([`crate::port::readiness`]).
pub fn readiness(paths: &[PathBuf], table: &AbiTable, format: Format) -> Result<Outcome> {
    let results = readiness::assess_paths(paths, table);
    let findings: Vec<Finding> = results
        .iter()
        .flat_map(|result| {
            result
                .outside
                .iter()
                .map(|symbol| problems::not_stable(symbol).in_file(&result.path))
        })
        .collect();
    let mut out = super::stdout();
    match format {
        Format::Text => write!(out, "{}", readiness::text(&results))?,
        Format::Json => crate::output::write_json(
            &mut out,
            &crate::output::Report::new("audit", &findings)
                .with("readiness", &results)
                .with("blind_spot", readiness::BLIND_SPOT),
        )?,
        Format::Sarif(_) => print_findings(&mut out, "audit", &findings, format)?,
    }
    out.flush()?;
    let unreadable = results.iter().filter(|r| r.error.is_some()).count();
    if unreadable > 0 {
        return Err(Error::other(format!(
            "{unreadable} input(s) could not be read"
        )));
    }
    if results.is_empty() {
        return Err(Error::other("no extension module found"));
    }
    Ok(Outcome::of(&findings))
}

/// The include directory of the `python3` on `PATH`, as `sysconfig` says.
///
/// Errors: no `python3` runs, or it names no directory holding `Python.h`
/// (a usage error that says to pass `--cpython`).
fn python3_include() -> Result<PathBuf> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['include'])",
        ])
        .output();
    let found = output
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
        .filter(|dir| dir.join("Python.h").is_file());
    found.ok_or_else(|| {
        Error::usage(
            "no headers: pass --cpython TREE (a CPython checkout, or a directory holding \
             Python.h); the python3 on PATH has no Python.h in its sysconfig include directory",
        )
    })
}

/// The Stable ABI's versions: the tree's manifest when `root` is a tree
/// that has one, else the table built into the binary (an include
/// directory has no manifest).
fn manifest_of(root: &Path, include_dir: bool) -> Result<Manifest> {
    let path = root.join(MANIFEST_IN_TREE);
    if !include_dir && path.is_file() {
        let parsed = Manifest::load_with(&path, Rules::beyond_drop_in_for_tree(&path, false))?;
        return Ok(parsed.manifest);
    }
    Ok(AbiTable::builtin().manifest().clone())
}
