//! How `stable-abi audit` reports: a readable summary per wheel and
//! extension, or one JSON document.

use std::io::{self, Write};

use serde::Serialize;

use crate::binary::audit::{ExtensionReport, InputReport};
use crate::binary::table::AbiTable;
use crate::diagnostic::Format;

/// Totals over all inputs.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub extensions: usize,
    pub clean: usize,
    pub failed: usize,
    pub unreadable: usize,
    pub not_audited: usize,
}

pub fn summarize(reports: &[InputReport]) -> Summary {
    let mut summary = Summary {
        inputs: reports.len(),
        ..Summary::default()
    };
    for report in reports {
        if report.error.is_some() {
            summary.unreadable += 1;
        } else if report.extensions.is_empty() {
            summary.not_audited += 1;
        }
        for extension in &report.extensions {
            summary.extensions += 1;
            if extension.error.is_some() {
                summary.unreadable += 1;
            } else if extension.is_clean() {
                summary.clean += 1;
            } else {
                summary.failed += 1;
            }
        }
    }
    summary
}

/// Prints the reports (`text`: per input, then per extension; `json`:
/// `{"table", "inputs": [...], "summary"}`).
pub fn print(
    out: &mut dyn Write,
    reports: &[InputReport],
    table: &AbiTable,
    format: Format,
) -> io::Result<()> {
    let summary = summarize(reports);
    match format {
        Format::Json => {
            let document = serde_json::json!({
                "table": table.source,
                "inputs": reports,
                "summary": summary,
            });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            writeln!(out)
        }
        Format::Text => {
            for report in reports {
                print_input(out, report)?;
            }
            writeln!(
                out,
                "{} extension(s) in {} input(s): {} clean, {} failed, {} unreadable, {} input(s) not audited",
                summary.extensions,
                summary.inputs,
                summary.clean,
                summary.failed,
                summary.unreadable,
                summary.not_audited
            )
        }
    }
}

fn print_input(out: &mut dyn Write, report: &InputReport) -> io::Result<()> {
    if report.error.is_some() {
        return Ok(()); // reported on stderr by `print_errors`
    }
    let path = report.path.display();
    let target = match (report.target, report.target_from) {
        (Some(target), Some("default")) => format!("target Python {target} (the default)"),
        (Some(target), Some(from)) => format!("target Python {target} (from the {from})"),
        _ => String::new(),
    };
    match (&report.tag, target.is_empty()) {
        (Some(tag), false) => writeln!(out, "{path}: wheel tagged {tag}; {target}")?,
        (Some(tag), true) => writeln!(out, "{path}: wheel tagged {tag}")?,
        (None, false) => writeln!(out, "{path}: {target}")?,
        (None, true) => writeln!(out, "{path}:")?,
    }
    for note in &report.notes {
        writeln!(out, "  note: {note}")?;
    }
    for problem in &report.problems {
        writeln!(out, "  error: {} [{}]", problem.message, problem.check)?;
    }
    for extension in &report.extensions {
        print_extension(out, extension, report.target)?;
    }
    Ok(())
}

fn print_extension(
    out: &mut dyn Write,
    extension: &ExtensionReport,
    target: Option<crate::version::Version>,
) -> io::Result<()> {
    if extension.error.is_some() {
        return Ok(());
    }
    let problems = extension.not_stable.len()
        + extension.too_new.len()
        + extension.version_specific_links.len()
        + extension.problems.len();
    let verdict = if problems == 0 {
        "ok".to_string()
    } else {
        format!("{problems} problem(s)")
    };
    let abis: Vec<&str> = extension.abis.iter().map(|abi| abi.as_str()).collect();
    writeln!(
        out,
        "  {}: judged as {}; {} Python symbol(s), {verdict}",
        extension.name,
        abis.join(" and "),
        extension.python_symbols
    )?;
    for note in &extension.notes {
        writeln!(out, "    note: {note}")?;
    }
    for problem in &extension.problems {
        let abi = problem
            .abi
            .map(|abi| format!("{abi}: "))
            .unwrap_or_default();
        writeln!(
            out,
            "    error: {abi}{} [{}]",
            problem.message, problem.check
        )?;
    }
    for warning in &extension.warnings {
        writeln!(out, "    warning: {} [{}]", warning.message, warning.check)?;
    }
    // In a fat Mach-O, which slices a symbol's finding is about.
    let slices = |symbol: &str| match extension.slices.get(symbol) {
        Some(slices) => format!(" (in the {} slice)", slices.join(", ")),
        None => String::new(),
    };
    for symbol in &extension.not_stable {
        writeln!(
            out,
            "    error: {symbol} is not in the Stable ABI{} [not-stable-abi]",
            slices(symbol)
        )?;
    }
    for too_new in &extension.too_new {
        let target = target
            .map(|t| format!(" (the target is {t})"))
            .unwrap_or_default();
        write!(
            out,
            "    error: {} needs Python {}{target}{} [version-mismatch]",
            too_new.symbol,
            too_new.needs,
            slices(&too_new.symbol)
        )?;
        match &too_new.manifest_location {
            Some(location) => {
                writeln!(out, "\n      {location}: note: added in {}", too_new.needs)?
            }
            None => writeln!(out)?,
        }
    }
    for link in &extension.version_specific_links {
        writeln!(
            out,
            "    error: linked to {}, which only Python {} has [version-specific-libpython]",
            link.library, link.version
        )?;
    }
    Ok(())
}

/// Prints `path: error: …` for each input or extension that could not be
/// read, and returns how many.
pub fn print_errors(err: &mut dyn Write, reports: &[InputReport]) -> io::Result<usize> {
    let mut count = 0;
    for report in reports {
        if let Some(message) = &report.error {
            writeln!(err, "{}: error: {message}", report.path.display())?;
            count += 1;
        }
        for extension in &report.extensions {
            if let Some(message) = &extension.error {
                writeln!(
                    err,
                    "{}: {}: error: {message}",
                    report.path.display(),
                    extension.name
                )?;
                count += 1;
            }
        }
    }
    Ok(count)
}
