//! Loading: every header reachable from `Include/Python.h` through
//! `#include "..."` (whatever the conditions around it), each parsed once,
//! plus the built-in files of the profile.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use super::decl::{self, RawDecl, Reach};
use super::parse;
use super::pp::ir::{self, FileId, FileIr, Resolver};
use super::pp::lex::{self, Interner, Sym};
use super::profile::{self, Config, PROFILES};
use crate::parallel;
use crate::platform::Platform;

mod outside;

use outside::may_provide;
pub use outside::Unreached;

/// The parsed headers and the virtual files that stand for each platform's
/// compiler, system headers and (when absent) `pyconfig.h`.
pub struct Loaded {
    pub files: Vec<FileIr>,
    pub interner: Interner,
    /// `Python.h`, then the other headers a view includes ([`Layout`]).
    pub roots: Vec<FileId>,
    /// The number of the tree's files: they come first in `files`, the
    /// built-in ones after.
    pub tree_files: usize,
    /// The file `#include "pyconfig.h"` leads to in the parse (configure's,
    /// or the built-in stand-in): each platform reads its own there.
    pub pyconfig: Option<FileId>,
    /// Each platform's files, in [`Platform::ALL`] order.
    pub platforms: Vec<PlatformFiles>,
    /// The headers not loaded, for the names they define.
    pub unreached: Unreached,
}

/// The files of one platform's profile.
pub struct PlatformFiles {
    /// What its compiler predefines.
    pub compiler: FileId,
    /// Its system headers, by the name `#include <...>` gives.
    pub system: HashMap<String, FileId>,
    /// The `pyconfig.h` it reads (the tree's or a built-in one).
    pub config: Option<FileId>,
    /// The built-in stand-in for a missing `pyconfig.h`.
    pub builtin_config: FileId,
    /// Every name some `#define` of the loaded headers, of this platform's
    /// `pyconfig.h` or of its built-in stand-in introduces.
    pub tree_defined: HashSet<Sym>,
}

/// Where the headers are, relative to the root paths are shown from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The directory holding `Python.h`: `Include` in a CPython tree, the
    /// root itself (empty) in an installed include directory.
    pub include: PathBuf,
    /// The headers as an extension sees them: a view includes, after
    /// `Python.h`, every other header at the top of `include`
    /// (`structmember.h`, `datetime.h`, `frameobject.h`…: headers `Python.h`
    /// does not include, which an extension includes itself; `pyconfig.h`
    /// and `patchlevel.h` are reached from `Python.h` anyway), and lists
    /// every name C code can use ([`Reach::AllNames`]: enum constants and
    /// `static inline` functions too). Off, the views hold what the checks
    /// compare with the manifest, and loading costs less.
    pub extension: bool,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::tree()
    }
}

impl Layout {
    /// A CPython tree's: `Include/Python.h` alone.
    pub fn tree() -> Layout {
        Layout {
            include: PathBuf::from("Include"),
            extension: false,
        }
    }

    /// The layout of the headers at `path`: a CPython tree (a directory
    /// with `Include/Python.h`; `pyconfig.h` at its root when it is
    /// configured) or an include directory holding `Python.h` (an
    /// installed Python's `sysconfig.get_paths()["include"]`).
    ///
    /// Errors: `path` holds neither (a usage error naming what was looked
    /// for).
    pub fn locate(path: &Path) -> crate::Result<Layout> {
        if path.join("Include").join("Python.h").is_file() {
            return Ok(Layout::tree());
        }
        if path.join("Python.h").is_file() {
            return Ok(Layout {
                include: PathBuf::new(),
                extension: false,
            });
        }
        Err(crate::Error::usage(format!(
            "{}: neither a CPython tree (Include/Python.h) nor an include directory (Python.h)",
            path.display()
        )))
    }

    /// The root-relative paths of the headers a view includes.
    fn roots(&self, root: &Path) -> Vec<PathBuf> {
        let mut roots = vec![self.include.join("Python.h")];
        if self.extension {
            let mut others: Vec<PathBuf> = std::fs::read_dir(root.join(&self.include))
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.file_name())
                .filter(|name| {
                    let name = name.to_string_lossy();
                    name.ends_with(".h")
                        && !["Python.h", "pyconfig.h", "patchlevel.h"].contains(&&*name)
                })
                .map(|name| self.include.join(name))
                .filter(|path| root.join(path).is_file())
                .collect();
            others.sort();
            roots.extend(others);
        }
        roots
    }
}

/// The loader's side of parsing: where `#include "name"` leads, like a
/// compiler run with `-I. -I./Include` from the tree's root (or `-I.` in
/// an include directory).
struct Loader<'r> {
    root: &'r Path,
    /// [`Layout::include`].
    include: &'r Path,
    interner: Interner,
    /// Root-relative path of every file seen, and its id.
    ids: HashMap<PathBuf, FileId>,
    paths: Vec<PathBuf>,
    queue: VecDeque<FileId>,
    /// Root-relative directory of the file being parsed.
    current_dir: PathBuf,
    default_pyconfig: FileId,
    pyconfig: Option<FileId>,
}

/// Removes `.` and folds `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl Loader<'_> {
    fn id_of(&mut self, relative: PathBuf) -> FileId {
        if let Some(&id) = self.ids.get(&relative) {
            return id;
        }
        let id = self.paths.len();
        self.paths.push(relative.clone());
        self.ids.insert(relative, id);
        self.queue.push_back(id);
        id
    }
}

impl Resolver for Loader<'_> {
    fn interner(&mut self) -> &mut Interner {
        &mut self.interner
    }

    fn resolve(&mut self, name: &str) -> Option<FileId> {
        let candidates = [
            self.current_dir.join(name),
            PathBuf::from(name),
            self.include.join(name),
        ];
        for candidate in candidates {
            let relative = normalize(&candidate);
            if self.ids.contains_key(&relative)
                || crate::input::is_present(&self.root.join(&relative))
            {
                let id = self.id_of(relative);
                if name == "pyconfig.h" {
                    self.pyconfig = Some(id);
                }
                return Some(id);
            }
        }
        if name == "pyconfig.h" {
            self.pyconfig = Some(self.default_pyconfig);
            return Some(self.default_pyconfig);
        }
        None
    }
}

/// The path shown for a root-relative path.
pub fn display_path(root: &Path, relative: &Path) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        relative.to_path_buf()
    } else {
        root.join(relative)
    }
}

/// Parses a built-in text as a file.
pub fn virtual_file(name: &str, text: &str, id: FileId, interner: &mut Interner) -> FileIr {
    struct NoIncludes<'i>(&'i mut Interner);
    impl Resolver for NoIncludes<'_> {
        fn interner(&mut self) -> &mut Interner {
            self.0
        }
        fn resolve(&mut self, _: &str) -> Option<FileId> {
            None
        }
    }
    parse::parse(
        PathBuf::from(name),
        text.to_string(),
        id,
        &mut NoIncludes(interner),
    )
}

/// Reads and parses everything the roots of `layout` (`Python.h` first)
/// can reach. A CPython tree's layout (not an extension's, which has every
/// public header among its roots) also gets, after `Python.h`, the public
/// headers outside its graph that define or declare a name `listed` wants
/// (see [`super::Headers::load_with_outside`]): those whose text may
/// ([`may_provide`]: only they are parsed, and none is on most trees), and
/// then whose parsed items do.
pub fn load(root: &Path, layout: &Layout, listed: Option<&dyn Fn(&str) -> bool>) -> Loaded {
    // Ids 0.. are the tree's files; the virtual files follow them, so
    // their ids are assigned once the tree is read. A placeholder id for
    // the default pyconfig.h is fixed up at the end.
    let mut loader = Loader {
        root,
        include: &layout.include,
        // Room for a CPython tree's names (about 4,000 in 3.13 and 4,400
        // in 3.15), so that interning them does not rehash.
        interner: Interner::with_capacity(8 * 1024),
        ids: HashMap::new(),
        paths: Vec::new(),
        queue: VecDeque::new(),
        current_dir: PathBuf::new(),
        default_pyconfig: DEFAULT_PYCONFIG_PLACEHOLDER,
        pyconfig: None,
    };
    let reach = if layout.extension {
        Reach::AllNames
    } else {
        Reach::Api
    };
    let roots: Vec<FileId> = layout
        .roots(root)
        .into_iter()
        .map(|path| loader.id_of(path))
        .collect();
    // The Windows build's pyconfig.h is read with the headers (it includes
    // no header of the tree), so that every platform's view shares the parse.
    let windows_config = profile::WINDOWS_PYCONFIG_IN_TREE
        .iter()
        .find(|path| root.join(path).is_file())
        .map(|path| loader.id_of(PathBuf::from(path)));
    // Find every reachable file first (cheap), then extract declarations
    // from all of them in parallel (the costly part), then build. The
    // public headers outside Python.h's graph come once it is read.
    let mut scanned: Vec<Result<parse::Scanned, FileIr>> = Vec::new();
    let mut outside: Option<Vec<FileId>> = None;
    loop {
        let Some(id) = loader.queue.pop_front() else {
            if outside.is_some() {
                break;
            }
            let wanted = listed.filter(|_| !layout.extension);
            let candidates = wanted.map_or_else(Vec::new, |listed| {
                let public = Layout {
                    extension: true,
                    ..layout.clone()
                };
                public
                    .roots(root)
                    .into_iter()
                    .filter(|path| {
                        !loader.ids.contains_key(path)
                            && crate::input::read(&root.join(path))
                                .is_ok_and(|text| may_provide(&text, listed))
                    })
                    .collect()
            });
            outside = Some(
                candidates
                    .into_iter()
                    .map(|path| loader.id_of(path))
                    .collect(),
            );
            continue;
        };
        let relative = loader.paths[id].clone();
        let path = display_path(root, &relative);
        let file = match crate::input::read(&root.join(&relative)) {
            Ok(bytes) => {
                let text = lex::lossy_owned(bytes);
                let file = parse::scan(path, text);
                loader.current_dir = relative.parent().map(Path::to_path_buf).unwrap_or_default();
                for name in file.quoted_includes() {
                    loader.resolve(&name);
                }
                Ok(file)
            }
            Err(err) => Err(FileIr::unreadable(
                path,
                format!("cannot read header: {err}"),
            )),
        };
        debug_assert_eq!(scanned.len(), id);
        scanned.push(file);
    }
    let declarations: Vec<Vec<RawDecl>> = parallel::map(&scanned, |file| match file {
        Ok(file) => decl::extract(&file.code, reach),
        Err(_) => Vec::new(),
    });
    let mut parsed: Vec<Option<FileIr>> = Vec::new();
    for (id, (file, raw)) in scanned.into_iter().zip(declarations).enumerate() {
        let relative = loader.paths[id].clone();
        loader.current_dir = relative.parent().map(Path::to_path_buf).unwrap_or_default();
        parsed.push(Some(match file {
            Ok(file) => parse::build(file, raw, id, &mut loader),
            Err(unreadable) => unreadable,
        }));
    }
    let files: Vec<FileIr> = parsed
        .into_iter()
        .enumerate()
        .map(|(id, file)| {
            file.unwrap_or_else(|| {
                FileIr::unreadable(loader.paths[id].clone(), "header was not loaded".into())
            })
        })
        .collect();
    let unreached = Unreached::new(
        root.to_path_buf(),
        layout.include.clone(),
        loader.paths.iter().cloned().collect(),
    );
    // The candidates that do provide a listed name follow Python.h.
    let mut roots = roots;
    if let Some(listed) = listed {
        let interner = &loader.interner;
        let provides = |file: &FileIr| {
            file.items.iter().any(|item| {
                let sym = match item {
                    ir::Item::Define(definition) => definition.name,
                    ir::Item::Function { name, .. }
                    | ir::Item::Data { name, .. }
                    | ir::Item::Typedef { name, .. } => *name,
                    ir::Item::StructBegin { key, .. } => *key,
                    _ => return false,
                };
                listed(interner.name(sym))
            })
        };
        let outside = outside.unwrap_or_default();
        roots.extend(outside.into_iter().filter(|&id| provides(&files[id])));
    }
    finish(
        files,
        loader.interner,
        roots,
        [loader.pyconfig, windows_config],
        unreached,
    )
}

/// Where `#include "pyconfig.h"` leads until the built-in file has an id.
const DEFAULT_PYCONFIG_PLACEHOLDER: FileId = usize::MAX - 1;

/// Header text taken as `Include/Python.h` of a tree that has nothing else
/// (other quoted includes are not found; pyconfig.h is the built-in one).
pub fn load_text(text: &[u8]) -> Loaded {
    struct Alone(Interner);
    impl Resolver for Alone {
        fn interner(&mut self) -> &mut Interner {
            &mut self.0
        }
        fn resolve(&mut self, name: &str) -> Option<FileId> {
            (name == "pyconfig.h").then_some(DEFAULT_PYCONFIG_PLACEHOLDER)
        }
    }
    let mut resolver = Alone(Interner::default());
    let text = lex::lossy(text).into_owned();
    let file = parse::parse(PathBuf::from("Include/Python.h"), text, 0, &mut resolver);
    finish(
        vec![file],
        resolver.0,
        vec![0],
        [Some(DEFAULT_PYCONFIG_PLACEHOLDER), None],
        Unreached::none(),
    )
}

/// Adds the built-in files of every platform after the tree's.
/// `configs` are the tree's configure `pyconfig.h` (or the placeholder of
/// the built-in one) and the Windows build's, when the tree has them.
fn finish(
    mut files: Vec<FileIr>,
    mut interner: Interner,
    roots: Vec<FileId>,
    configs: [Option<FileId>; 2],
    unreached: Unreached,
) -> Loaded {
    let tree_files = files.len();
    let [pyconfig, windows_config] = configs;
    let is_config = |id: FileId| configs.contains(&Some(id));
    let headers_defined = defined_names(
        files
            .iter()
            .enumerate()
            .filter(|&(id, _)| !is_config(id))
            .map(|(_, file)| file),
    );
    // Built-in texts shared by several platforms (glibc's headers) are one
    // file each.
    let mut builtins: HashMap<(String, *const u8), FileId> = HashMap::new();
    let mut add = |name: String, text: &'static str, files: &mut Vec<FileIr>| {
        *builtins
            .entry((name.clone(), text.as_ptr()))
            .or_insert_with(|| {
                let id = files.len();
                files.push(virtual_file(&name, text, id, &mut interner));
                id
            })
    };
    let mut platforms = Vec::new();
    for profile in &PROFILES {
        let compiler = add("<built-in>".into(), profile.compiler.predefined, &mut files);
        let (config, builtin_config) = match profile.config {
            Config::Configure => {
                let builtin = add(
                    "<default pyconfig.h>".into(),
                    profile::CONFIGURE_PYCONFIG,
                    &mut files,
                );
                let config = pyconfig.map(|id| {
                    if id == DEFAULT_PYCONFIG_PLACEHOLDER {
                        builtin
                    } else {
                        id
                    }
                });
                (config, builtin)
            }
            Config::Windows => {
                let builtin = add(
                    "<default PC/pyconfig.h>".into(),
                    profile::WINDOWS_PYCONFIG,
                    &mut files,
                );
                (Some(windows_config.unwrap_or(builtin)), builtin)
            }
        };
        let system = profile
            .system_headers
            .iter()
            .map(|&(name, text)| (name.to_string(), add(format!("<{name}>"), text, &mut files)))
            .collect();
        let mut tree_defined = headers_defined.clone();
        // As gcc's `-dM` is filtered: by the headers' and pyconfig.h's
        // names (the built-in one's too, so that a tree with and without
        // pyconfig.h list the same).
        let configs = config.into_iter().chain([builtin_config]);
        tree_defined.extend(defined_names(configs.map(|id| &files[id])));
        platforms.push(PlatformFiles {
            compiler,
            system,
            config,
            builtin_config,
            tree_defined,
        });
    }
    debug_assert!(PROFILES
        .iter()
        .zip(Platform::ALL)
        .all(|(profile, platform)| profile.platform == platform));
    // Point includes of the missing pyconfig.h at the built-in one.
    let configure_builtin = platforms[Platform::Linux as usize].builtin_config;
    for file in &mut files {
        for item in &mut file.items {
            if let ir::Item::Include {
                include: ir::Include::Quoted { target, .. },
                ..
            } = item
            {
                if *target == Some(DEFAULT_PYCONFIG_PLACEHOLDER) {
                    *target = Some(configure_builtin);
                }
            }
        }
    }
    let pyconfig = pyconfig.map(|id| {
        if id == DEFAULT_PYCONFIG_PLACEHOLDER {
            configure_builtin
        } else {
            id
        }
    });
    Loaded {
        files,
        interner,
        roots,
        tree_files,
        pyconfig,
        platforms,
        unreached,
    }
}

/// The names `#define`d anywhere in `files`.
fn defined_names<'f>(files: impl IntoIterator<Item = &'f FileIr>) -> HashSet<Sym> {
    files
        .into_iter()
        .flat_map(|file| &file.items)
        .filter_map(|item| match item {
            ir::Item::Define(definition) => Some(definition.name),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_or_an_include_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Layout::locate(dir.path()).is_err());
        std::fs::write(dir.path().join("Python.h"), "").unwrap();
        assert_eq!(Layout::locate(dir.path()).unwrap().include, PathBuf::new());
        std::fs::create_dir(dir.path().join("Include")).unwrap();
        std::fs::write(dir.path().join("Include/Python.h"), "").unwrap();
        assert_eq!(Layout::locate(dir.path()).unwrap(), Layout::tree());
    }
}
