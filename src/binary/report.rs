//! How `stable-abi audit` reports: a readable summary per wheel and
//! extension, or one JSON document.

use std::io::{self, Write};

use serde::Serialize;

use crate::binary::audit::{BinaryKind, ExtensionReport, InputReport};
use crate::binary::table::AbiTable;
use crate::diagnostic::{Finding, Format};
use crate::output;
use crate::output::escape::line;

/// Totals over all inputs: `extensions` counts the extension modules,
/// `libraries` the other libraries audited; `clean`, `failed` and
/// `unreadable` count both.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub extensions: usize,
    pub libraries: usize,
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
            if extension.kind == BinaryKind::Library {
                summary.libraries += 1;
            } else {
                summary.extensions += 1;
            }
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

/// Every extension's findings, in input order.
pub fn findings(reports: &[InputReport]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for report in reports {
        findings.extend(report.problems.iter().cloned());
        for extension in &report.extensions {
            findings.extend(extension.findings.iter().cloned());
        }
    }
    findings
}

/// How much the text report says.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// One line for a clean input, one for each clean extension of an input
    /// with problems, full detail for problems; the platform assumed only
    /// where a finding depends on it.
    #[default]
    Problems,
    /// Every extension with its platform and the feature macros assumed.
    Verbose,
}

/// Prints the reports (`text`: per input, then per extension; `json`: the
/// envelope with the findings, `table`, `inputs` and the counts in
/// `summary`; `sarif`: the findings).
pub fn print(
    out: &mut dyn Write,
    reports: &[InputReport],
    table: &AbiTable,
    format: Format,
    detail: Detail,
) -> io::Result<()> {
    let summary = summarize(reports);
    match format {
        Format::Json => {
            let findings = findings(reports);
            let report = output::Report::new("audit", &findings)
                .with("table", &table.source)
                .with("inputs", reports)
                .with_counts(&summary);
            output::write_json(out, &report)
        }
        Format::Sarif(rules) => output::sarif::write(out, &findings(reports), rules),
        Format::Text => {
            for report in reports {
                print_input(out, report, detail)?;
            }
            writeln!(
                out,
                "{} in {}: {} clean, {} failed, {} unreadable, {} not audited",
                binaries(summary.extensions, summary.libraries),
                count(summary.inputs, "input"),
                summary.clean,
                summary.failed,
                summary.unreadable,
                count(summary.not_audited, "input"),
            )
        }
    }
}

/// `1 extension`, `2 extensions`.
fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with('y') => format!("{n} {}ies", &noun[..noun.len() - 1]),
        _ => format!("{n} {noun}s"),
    }
}

/// `2 extensions`, `1 library`, `3 extensions and 1 library`: the
/// extension modules and the other libraries audited.
fn binaries(modules: usize, libraries: usize) -> String {
    match (modules, libraries) {
        (_, 0) => count(modules, "extension"),
        (0, _) => count(libraries, "library"),
        _ => format!(
            "{} and {}",
            count(modules, "extension"),
            count(libraries, "library")
        ),
    }
}

/// An extension with nothing to say beyond "ok": clean, without warnings
/// or notes.
fn is_quiet(extension: &ExtensionReport) -> bool {
    extension.is_clean() && extension.findings.is_empty() && extension.notes.is_empty()
}

fn print_input(out: &mut dyn Write, report: &InputReport, detail: Detail) -> io::Result<()> {
    if report.error.is_some() {
        return Ok(()); // reported on stderr by `print_errors`
    }
    let path = output::escape::path(&report.path);
    let abis: Vec<&str> = report.abis.iter().map(|abi| abi.as_str()).collect();
    let quiet = detail == Detail::Problems
        && report.notes.is_empty()
        && report.problems.is_empty()
        && !report.extensions.is_empty()
        && report.extensions.iter().all(is_quiet);
    if quiet {
        // One line for a clean input.
        let modules = report
            .extensions
            .iter()
            .filter(|e| e.kind == BinaryKind::Extension)
            .count();
        let what = binaries(modules, report.extensions.len() - modules);
        // The oldest version any claim reaches (abi3t's begin with 3.15).
        let target = report
            .target
            .and_then(|target| {
                report
                    .abis
                    .iter()
                    .map(|&abi| crate::binary::claims::target_for(abi, target))
                    .min()
            })
            .map(|target| format!(" for Python {target}+"))
            .unwrap_or_default();
        return writeln!(
            out,
            "{path}: ok: {what} judged as {}{target}",
            abis.join(" and ")
        );
    }
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
        writeln!(out, "  note: {}", line(note))?;
    }
    for problem in &report.problems {
        let message = line(&problem.message);
        writeln!(out, "  error: {message} [{}]", problem.check)?;
    }
    for extension in &report.extensions {
        print_extension(out, extension, detail)?;
    }
    Ok(())
}

fn print_extension(
    out: &mut dyn Write,
    extension: &ExtensionReport,
    detail: Detail,
) -> io::Result<()> {
    if extension.error.is_some() {
        return Ok(());
    }
    let library = if extension.kind == BinaryKind::Library {
        " (library)"
    } else {
        ""
    };
    if detail == Detail::Problems && is_quiet(extension) {
        return writeln!(out, "  {}{library}: ok", extension.name);
    }
    let problems = extension
        .findings
        .iter()
        .filter(|f| f.severity == crate::diagnostic::Severity::Error)
        .count();
    let verdict = if problems == 0 {
        "ok".to_string()
    } else {
        count(problems, "problem")
    };
    let judged = if extension.abis.is_empty() {
        String::new()
    } else {
        let abis: Vec<&str> = extension.abis.iter().map(|abi| abi.as_str()).collect();
        format!("judged as {}; ", abis.join(" and "))
    };
    writeln!(
        out,
        "  {}{library}: {judged}{}, {verdict}",
        extension.name,
        count(extension.python_symbols, "Python symbol"),
    )?;
    // The platform assumed, where a finding rests on it (or asked for).
    let depends = extension
        .findings
        .iter()
        .any(|f| f.check == crate::binary::not_on_platform::NOT_ON_PLATFORM.name);
    if let Some(assumed) = extension
        .assumed
        .as_ref()
        .filter(|_| depends || detail == Detail::Verbose)
    {
        writeln!(
            out,
            "    note: platform {} (from {}); feature macros: {}",
            assumed.platform,
            assumed.platform_from,
            assumed.summary()
        )?;
    }
    for note in &extension.notes {
        writeln!(out, "    note: {}", line(note))?;
    }
    if detail == Detail::Verbose {
        // By library, in the order they were found.
        let mut by_library: Vec<(&str, Vec<&str>)> = Vec::new();
        for from in &extension.from_libraries {
            match by_library.iter_mut().find(|(l, _)| *l == from.library) {
                Some((_, symbols)) => symbols.push(&from.symbol),
                None => by_library.push((&from.library, vec![&from.symbol])),
            }
        }
        for (library, symbols) in by_library {
            writeln!(
                out,
                "    note: {library}, which it links, defines {}: not CPython's, not judged",
                symbols.join(", ")
            )?;
        }
    }
    for finding in &extension.findings {
        // A claim's problem names the ABI it is about (`abi3t: …`).
        let abi = finding
            .abi
            .map(|abi| format!("{abi}: "))
            .unwrap_or_default();
        writeln!(
            out,
            "    {}: {abi}{} [{}]",
            finding.severity,
            line(&finding.message),
            finding.check
        )?;
        for note in &finding.notes {
            writeln!(out, "      {note}")?;
        }
    }
    Ok(())
}

/// Prints `path: error: …` for each input or extension that could not be
/// read, and returns how many.
pub fn print_errors(err: &mut dyn Write, reports: &[InputReport]) -> io::Result<usize> {
    let mut count = 0;
    for report in reports {
        if let Some(message) = &report.error {
            let message = line(message);
            writeln!(
                err,
                "{}: error: {message}",
                output::escape::path(&report.path)
            )?;
            count += 1;
        }
        for extension in &report.extensions {
            if let Some(message) = &extension.error {
                let message = line(message);
                writeln!(
                    err,
                    "{}: {}: error: {message}",
                    output::escape::path(&report.path),
                    extension.name
                )?;
                count += 1;
            }
        }
    }
    Ok(count)
}
