//! Which of the binaries the audit read a binary links: where a `Py*`
//! name it imports but CPython's Stable ABI lacks may come from.
//!
//! Projects ship libraries that define `Py*` names of their own for their
//! modules: shiboken's `libshiboken6` defines `PyMethod_New`,
//! `PyDateTime_Get`, `PyEnumMeta_Check`… (`libshiboken/pep384impl.h`,
//! `#ifdef Py_LIMITED_API`: replacements for what the Limited API lacks),
//! PySide's `libpyside6` `PySideSignalInstance_TypeF`, and PySide's
//! `QtCore.abi3.so` imports them. Such an import is resolved in the
//! library, whatever CPython exports, so it is that library's, not a use
//! of CPython's API (abi3audit flags every `Py`-prefixed name it does not
//! know instead).
//!
//! A binary links another by name: an ELF `DT_NEEDED` entry (auditwheel
//! sets it to the grafted file's name), a Mach-O load command's install
//! name (`@rpath/libfoo.dylib`), a PE import's DLL; the file of that name
//! among the binaries read is the one linked (its own input's first, then
//! another input's of the same format, e.g. a dependency's wheel audited
//! on the same command line). An ELF object's names are looked up in its
//! whole dependency tree (the local scope `dlopen` gives it: ld.so(8),
//! dlopen(3)), so links of links count; a PE import names its DLL and a
//! Mach-O import its library (two-level namespace), so there only direct
//! links count.

use std::collections::{BTreeSet, HashMap};

use crate::binary::audit::judge::Linked;
use crate::binary::audit::{Member, ReadInput};
use crate::binary::names::{is_libpython, is_system_library, version_specific_libpython};
use crate::binary::symbols::{Binary, BinaryFormat};

/// The binaries every input holds, by file name.
pub struct Links<'a> {
    inputs: &'a [ReadInput],
    /// Lowercase file name → (input, member) of each binary so named.
    by_name: HashMap<String, Vec<(usize, usize)>>,
}

/// The lowercase file name of a path or install name.
fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase()
}

impl<'a> Links<'a> {
    pub fn new(inputs: &'a [ReadInput]) -> Links<'a> {
        let mut by_name: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (input, read) in inputs.iter().enumerate() {
            for (member, binary) in read.members.iter().enumerate() {
                by_name
                    .entry(file_name(&binary.name))
                    .or_default()
                    .push((input, member));
            }
        }
        Links { inputs, by_name }
    }

    /// The binary named `needed` as `input`'s binary of `format` links it.
    fn find(&self, input: usize, needed: &str, format: BinaryFormat) -> Option<(usize, usize)> {
        let candidates = self.by_name.get(&file_name(needed))?;
        let same_format = |&&(i, m): &&(usize, usize)| {
            self.member(i, m)
                .read
                .as_ref()
                .is_ok_and(|(binary, _)| binary.format == format)
        };
        candidates
            .iter()
            .filter(same_format)
            .find(|(i, _)| *i == input)
            .or_else(|| candidates.iter().find(same_format))
            .copied()
    }

    fn member(&self, input: usize, member: usize) -> &'a Member {
        &self.inputs[input].members[member]
    }

    /// What `binary` (of `input`) links, read or not (see the module
    /// documentation).
    pub fn of(&self, input: usize, binary: &Binary) -> Linked<'a> {
        let mut linked = Linked::default();
        let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut queue: Vec<String> = binary.needed.iter().cloned().collect();
        let mut direct = true;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for needed in queue {
                let Some((i, m)) = self.find(input, &needed, binary.format) else {
                    let ours = is_system_library(&needed, binary.format)
                        || is_libpython(&file_name(&needed))
                        || version_specific_libpython(&needed).is_some()
                        || file_name(&needed).starts_with("python3");
                    if direct && !ours {
                        linked.unread.push(needed);
                    }
                    continue;
                };
                if !seen.insert((i, m)) {
                    continue;
                }
                let member = self.member(i, m);
                let shown = if i == input {
                    member.name.clone()
                } else {
                    crate::output::escape::path(&member.path).into_owned()
                };
                linked.read.push((shown, member));
                if let Ok((provider, _)) = &member.read {
                    if binary.format == BinaryFormat::Elf {
                        next.extend(provider.needed.iter().cloned());
                    }
                }
            }
            queue = next;
            direct = false;
        }
        linked
    }
}
