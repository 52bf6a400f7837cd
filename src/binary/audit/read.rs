//! Reading an input before it is judged: a wheel's tags and target and
//! each binary in it, or one binary file. Of each binary only what the
//! rules look at is kept ([`python_part`]), so every binary of every input
//! can be held at once while each is judged knowing the others
//! ([`super::links`]).

use std::path::{Path, PathBuf};

use crate::abi::Abi;
use crate::binary::audit::judge::{judge, Claim, Linked};
use crate::binary::audit::links::Links;
use crate::binary::audit::{
    read_extension, BinaryKind, ExtensionReport, InputKind, InputReport, TargetDefault,
};
use crate::binary::claims;
use crate::binary::mapped::MappedFile;
use crate::binary::platform::Detected;
use crate::binary::problems;
use crate::binary::symbols::{Binary, BinaryError};
use crate::binary::table::AbiTable;
use crate::binary::wheel::{member_path, read_wheel, WheelTag};
use crate::diagnostic::InArchive;
use crate::output::escape;
use crate::parallel;
use crate::version::Version;

/// One binary of an input, read: its name (the path in the wheel, or the
/// file's name), the path its findings name, and its Python names.
#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub path: PathBuf,
    /// The wheel it is a member of, and its name there (`None` for a file).
    pub archive: Option<InArchive>,
    /// Its `Py*` symbols and links (`python_part`) and the platform it
    /// names, or why it could not be read.
    pub read: std::result::Result<(Binary, Detected), String>,
}

impl Member {
    /// The binary `name` at `path`, as [`read_extension`] read it (keeping
    /// only its Python part).
    pub fn new(
        name: &str,
        path: PathBuf,
        read: std::result::Result<(Binary, Detected), BinaryError>,
    ) -> Member {
        Member::of(name, path, read.map_err(|err| err.to_string()))
    }

    fn of(
        name: &str,
        path: PathBuf,
        read: std::result::Result<(Binary, Detected), String>,
    ) -> Member {
        Member {
            name: name.to_string(),
            path,
            archive: None,
            read: read.map(|(binary, detected)| (python_part(binary), detected)),
        }
    }

    /// It defines and exports `symbol`.
    pub(super) fn exports(&self, symbol: &str) -> bool {
        self.read
            .as_ref()
            .is_ok_and(|(binary, _)| binary.exports.contains(symbol))
    }
}

/// What the audit keeps of a binary: its `Py*`/`_Py*` imports and exports
/// (all the rules look at) and its links, in every slice. A library of
/// tens of thousands of C++ symbols keeps a few names.
fn python_part(mut binary: Binary) -> Binary {
    use crate::binary::classify::is_python_symbol;
    binary.imports.retain(|s| is_python_symbol(s));
    binary.exports.retain(|s| is_python_symbol(s));
    binary.slices = std::mem::take(&mut binary.slices)
        .into_iter()
        .map(|(arch, slice)| (arch, python_part(slice)))
        .collect();
    binary
}

/// An input read and not judged yet: its report so far (tags, target,
/// notes, or why it is not audited) and its binaries.
pub struct ReadInput {
    pub(super) report: InputReport,
    pub(super) members: Vec<Member>,
    /// The wheel's platform tags (none outside a wheel).
    platforms: Vec<String>,
    /// The names of the other files of its wheel or directory.
    pub(super) others: Vec<String>,
}

/// Reads a wheel: its tags, and each binary in it.
pub(super) fn read_wheel_input(
    path: &Path,
    defaults: &TargetDefault,
    table: &AbiTable,
) -> ReadInput {
    let file = match crate::input::open(path) {
        Ok((file, _)) => file,
        Err(err) => return ReadInput::unreadable(path, format!("cannot read: {err}")),
    };
    let mut contents = match read_wheel(file) {
        Ok(contents) => contents,
        Err(err) => return ReadInput::unreadable(path, err),
    };
    let names: Vec<String> = contents
        .extensions
        .iter()
        .map(|member| member.name.clone())
        .collect();
    let metadata_tag = contents.metadata_tag.take();
    let mut input = ReadInput::wheel(path, metadata_tag, names, defaults, table);
    // Ambiguous whatever the wheel claims: which copy is installed depends
    // on the installer.
    input.report.problems.extend(
        contents
            .duplicates
            .iter()
            .map(|(name, count)| problems::duplicate_member(name, *count).in_file(path)),
    );
    if input.report.target.is_some() {
        // Each member is streamed, keeping only the pieces its tables are
        // in, and of those only its Python part.
        input.members = parallel::map(&contents.extensions, |member| {
            let read = contents
                .read(member, &|view| read_extension(view))
                .and_then(|read| read.map_err(|err| err.to_string()));
            let mut read = Member::of(&member.name, member_path(path, member), read);
            read.archive = Some(InArchive {
                archive: path.to_path_buf(),
                member: member.name.clone(),
            });
            read
        });
    }
    input
}

impl ReadInput {
    fn unreadable(path: &Path, error: String) -> ReadInput {
        let mut report = InputReport::new(path, InputKind::Wheel);
        report.error = Some(error);
        ReadInput::new(report)
    }

    /// The wheel `path` whose `WHEEL` file says `metadata_tag`, holding the
    /// binaries `names`, before they are read: its tags, claims and target
    /// (none when it is not audited, saying why in a note).
    pub(super) fn wheel(
        path: &Path,
        metadata_tag: Option<WheelTag>,
        names: Vec<String>,
        defaults: &TargetDefault,
        table: &AbiTable,
    ) -> ReadInput {
        let mut input = ReadInput::new(InputReport::new(path, InputKind::Wheel));
        let report = &mut input.report;
        let filename = escape::path(path.file_name().map_or(path, Path::new));
        let filename = filename.as_ref();
        let from_name = WheelTag::from_filename(filename);
        report.problems = claims::tag_problems(from_name.as_ref(), metadata_tag.as_ref())
            .into_iter()
            .map(|problem| crate::binary::problems::claim(problem, filename).in_file(path))
            .collect();
        let tag = from_name.or(metadata_tag);
        report.tag = tag.as_ref().map(ToString::to_string);
        report.abis = tag.as_ref().map(claims::claimed_abis).unwrap_or_default();
        report.abi3 = tag.as_ref().map(|_| !report.abis.is_empty());
        if tag.is_none() {
            report.abis = vec![Abi::Abi3];
        }
        match &tag {
            Some(tag) if report.abis.is_empty() => {
                report.notes.push(format!(
                    "tagged {tag}, neither abi3 nor abi3t: not audited against the Stable ABI"
                ));
                return input;
            }
            Some(_) => {}
            None => report
                .notes
                .push("no wheel tag in the file name or the WHEEL file".to_string()),
        }
        if names.is_empty() {
            report
                .notes
                .push("no extension module in this wheel".to_string());
            return input;
        }
        let (target, from) = defaults.pick(tag.as_ref());
        report.target = Some(target);
        report.target_from = Some(from);
        report.notes.extend(beyond_table(table, target));
        input.platforms = tag
            .as_ref()
            .map(|tag| tag.platform.clone())
            .unwrap_or_default();
        input.others = names;
        input
    }
}

/// The note on an input whose target is newer than the table knows.
fn beyond_table(table: &AbiTable, target: Version) -> Option<String> {
    let knows = table.knows.filter(|_| table.is_beyond(target))?;
    Some(format!(
        "target Python {target} is newer than the Stable ABI this table knows ({knows}): \
         symbols it does not list are warnings (unknown-to-table); pass --manifest with \
         Python {target}'s Misc/stable_abi.toml for a verdict"
    ))
}

/// Reads an extension module (or library) file.
pub(super) fn read_file_input(
    path: &Path,
    defaults: &TargetDefault,
    table: &AbiTable,
) -> ReadInput {
    let mut input = ReadInput::new(InputReport::new(path, InputKind::Extension));
    // Mapped, not read: only the pages its tables are on are loaded.
    let data = match MappedFile::open(path) {
        Ok(data) => data,
        Err(err) => {
            input.report.error = Some(format!("cannot read: {err}"));
            return input;
        }
    };
    let (target, from) = defaults.pick(None);
    let report = &mut input.report;
    report.target = Some(target);
    report.target_from = Some(from);
    let name = shown_file_name(path);
    report.abis = claims::abis_of_file_name(&name);
    report.notes.extend(beyond_table(table, target));
    input.members = vec![Member::new(
        &name,
        path.to_path_buf(),
        read_extension(&data[..]),
    )];
    input
}

/// A file's name as an extension of its own is named (escaped: see
/// [`escape::path`]).
pub(super) fn shown_file_name(path: &Path) -> String {
    escape::path(path.file_name().map_or(path, Path::new)).into_owned()
}

impl ReadInput {
    pub(super) fn new(report: InputReport) -> ReadInput {
        ReadInput {
            report,
            members: Vec::new(),
            platforms: Vec::new(),
            others: Vec::new(),
        }
    }

    /// Judges every binary read, knowing what every input holds (`links`).
    pub(super) fn judge(
        &self,
        at: usize,
        table: &AbiTable,
        defaults: &TargetDefault,
        links: &Links,
    ) -> Vec<ExtensionReport> {
        let Some(target) = self.report.target else {
            return Vec::new();
        };
        let claim = Claim {
            table,
            target,
            abis: &self.report.abis,
            features: &defaults.features,
            wheel_platforms: &self.platforms,
            others: &self.others,
        };
        parallel::map(&self.members, |member| {
            let linked = match &member.read {
                Ok((binary, _)) => links.of(at, binary),
                Err(_) => Linked::default(),
            };
            judge(member, &claim, &linked)
        })
    }

    /// The report, with the binaries judged: the extension modules and the
    /// libraries importing Python symbols.
    pub(super) fn finish(self, judged: Vec<ExtensionReport>) -> InputReport {
        let mut report = self.report;
        if report.target.is_none() {
            return report;
        }
        let extensions: Vec<ExtensionReport> = judged
            .into_iter()
            .filter(|extension| extension.kind != BinaryKind::Unrelated)
            .collect();
        match report.kind {
            InputKind::Wheel if extensions.is_empty() => report
                .notes
                .push("no extension module in this wheel".to_string()),
            InputKind::Extension => match extensions.first() {
                Some(extension) if extension.error.is_some() => {
                    report.error = extension.error.clone();
                    return report;
                }
                None => report.notes.push(
                    "neither an extension module nor a library importing Python symbols"
                        .to_string(),
                ),
                Some(_) => {}
            },
            InputKind::Wheel => {}
        }
        report.extensions = extensions;
        report
    }
}
