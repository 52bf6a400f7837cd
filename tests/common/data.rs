// What the tests need from outside this repository, and whether it is at
// hand. Shared, as one source, by `build.rs` (which turns each need into a
// cfg that the tests' `#[cfg_attr(not(CFG), ignore = "needs ...")]` read)
// and by the tests themselves (`tests/common/mod.rs`).
//
// A new kind of data is one row of [`NEEDS`], and a line in README's
// "Tests" table.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that points the tests at CPython checkouts:
/// one path, or several separated as in `PATH` (`:`, on Windows `;`).
pub const CPYTHON_ENV: &str = "STABLE_ABI_CPYTHON";

/// The environment variable that names the sdists' cache (`make
/// fetch-sdists` fills it), else `~/.cache/stable-abi/sdists`.
pub const SDISTS_ENV: &str = "STABLE_ABI_SDISTS";

/// The environment variables whose change changes what is at hand.
pub const ENV: [&str; 7] = [
    CPYTHON_ENV,
    SDISTS_ENV,
    "CI",
    "CC",
    "HOME",
    "STABLE_ABI_WHEELS",
    "STABLE_ABI_DATA",
];

/// One thing some tests need that is not in this repository.
pub struct Need {
    /// The cfg set when it is at hand (all of them under `CI=true`).
    pub cfg: &'static str,
    /// What it is, as the tests' `ignore = "needs ..."` reasons say it.
    pub what: &'static str,
    /// Whether it is at hand, for this repository's directory; with the
    /// files whose changes the build watches.
    pub probe: fn(&Path) -> Probe,
    /// Whether `CI=true` requires it (then its cfg is set whether or not it
    /// is at hand, and its tests fail when it is not).
    pub required_under_ci: fn() -> bool,
}

/// Whether a need is at hand, and what to watch.
pub struct Probe {
    pub present: bool,
    /// Files that exist and whose removal or change must re-run the probe.
    pub watch: Vec<PathBuf>,
}

impl Probe {
    fn file(path: PathBuf) -> Probe {
        let present = path.is_file();
        Probe {
            present,
            watch: if present { vec![path] } else { Vec::new() },
        }
    }

    fn dir(path: PathBuf) -> Probe {
        let present = path.is_dir();
        Probe {
            present,
            watch: if present { vec![path] } else { Vec::new() },
        }
    }

    fn all(probes: impl IntoIterator<Item = Probe>) -> Probe {
        let mut all = Probe {
            present: true,
            watch: Vec::new(),
        };
        for probe in probes {
            all.present &= probe.present;
            all.watch.extend(probe.watch);
        }
        all
    }

    fn tool(present: bool) -> Probe {
        Probe {
            present,
            watch: Vec::new(),
        }
    }
}

/// Every need, by cfg.
pub const NEEDS: [Need; 15] = [
    Need {
        cfg: "cpython_tree",
        what: "a CPython tree: ../shared/cpython/3.13.15 or $STABLE_ABI_CPYTHON",
        probe: |repo| Probe::file(first_cpython_tree(repo).join(MANIFEST)),
        required_under_ci: always,
    },
    Need {
        cfg: "reference_tree",
        what: "the built CPython 3.13.15 tree of ../shared/cpython/3.13.15",
        probe: |repo| {
            let tree = first_cpython_tree(repo);
            let patchlevel = tree.join("Include/patchlevel.h");
            let is_it = std::fs::read_to_string(&patchlevel)
                .is_ok_and(|text| text.contains(REFERENCE_PY_VERSION))
                && tree.join("lib").is_dir();
            Probe {
                present: is_it,
                watch: if is_it { vec![patchlevel] } else { Vec::new() },
            }
        },
        // Not when the tests are pointed at other checkouts: its tests are
        // about the shared tree's content, and step aside.
        required_under_ci: || std::env::var_os(CPYTHON_ENV).is_none(),
    },
    Need {
        cfg: "shared_3_13_15",
        what: "../shared/cpython/3.13.15",
        probe: |repo| Probe::file(shared(repo).join("cpython/3.13.15").join(MANIFEST)),
        required_under_ci: always,
    },
    Need {
        cfg: "shared_3_15_2",
        what: "../shared/cpython/3.15.2",
        probe: |repo| {
            let tree = shared(repo).join("cpython/3.15.2");
            Probe::all([
                Probe::file(tree.join(MANIFEST)),
                Probe::file(tree.join("expected/abi3t/declarations-3.15.txt")),
            ])
        },
        required_under_ci: always,
    },
    Need {
        cfg: "shared_reference",
        what: "../shared/reference (CPython's stable_abi.py of 3.11, 3.13, 3.14)",
        probe: |repo| {
            let dir = shared(repo).join("reference");
            Probe::all(
                ["3.11", "3.13", "3.14"]
                    .map(|minor| Probe::file(dir.join(format!("stable_abi-{minor}.py")))),
            )
        },
        required_under_ci: always,
    },
    Need {
        cfg: "shared_manifests",
        what: "../shared/manifests",
        probe: |repo| Probe::dir(shared(repo).join("manifests")),
        required_under_ci: always,
    },
    Need {
        cfg: "shared_releases",
        what: "../shared/releases/3.15.2",
        probe: |repo| {
            Probe::file(shared(repo).join("releases/3.15.2/Lib/test/test_stable_abi_ctypes.py"))
        },
        required_under_ci: always,
    },
    Need {
        cfg: "shared_extensions",
        what: "../shared/extensions",
        probe: |repo| Probe::dir(shared(repo).join("extensions")),
        required_under_ci: always,
    },
    Need {
        cfg: "sdists",
        what: "the sources of tests/sdists.txt (`make fetch-sdists`)",
        probe: |repo| {
            Probe::all(
                sdist_sources(repo)
                    .into_iter()
                    .map(Probe::file)
                    .chain([Probe::file(repo.join(SDISTS_LIST))]),
            )
        },
        required_under_ci: always,
    },
    Need {
        cfg: "python311",
        what: "python3 >= 3.11 on PATH",
        probe: |_| Probe::tool(python().is_some()),
        required_under_ci: always,
    },
    Need {
        cfg: "gcc",
        what: "gcc on PATH",
        probe: |_| Probe::tool(runs("gcc", &["--version"])),
        required_under_ci: always,
    },
    Need {
        cfg: "c_compiler",
        what: "a C compiler ($CC, else cc)",
        probe: |_| Probe::tool(runs(&c_compiler(), &["--version"])),
        required_under_ci: always,
    },
    Need {
        cfg: "system_names_machine",
        what: "the gcc and C library src/port/system_names.txt was read from",
        probe: |repo| {
            let data = repo.join(SYSTEM_NAMES);
            let text = std::fs::read_to_string(&data).unwrap_or_default();
            let present = ["gcc", "ldd"].into_iter().all(|program| {
                first_line_of_version(program).is_some_and(|line| text.contains(&line))
            });
            Probe {
                present,
                watch: vec![data],
            }
        },
        // The data is one machine's reading of its C library; on another
        // the names differ, and there is nothing to compare.
        required_under_ci: never,
    },
    Need {
        cfg: "mingw",
        what: "MinGW-w64's x86_64-w64-mingw32-gcc on PATH",
        probe: |_| Probe::tool(runs("x86_64-w64-mingw32-gcc", &["-dumpversion"])),
        // An oracle for the Windows view, not a tool every machine has:
        // without it the oracle's own test is ignored, even under CI (the
        // committed oracle is still checked against the view).
        required_under_ci: never,
    },
    Need {
        cfg: "fetched_wheels",
        what: "the wheels `make fetch-wheels` downloads (~/.cache/stable-abi)",
        probe: fetched_wheels,
        required_under_ci: always,
    },
];

/// The real-wheel corpus of `tests/corpus/wheels.toml` in [`wheel_dir`],
/// and abi3info's wheel in [`data_dir`]: what `make fetch-wheels` fetches.
fn fetched_wheels(repo: &Path) -> Probe {
    let list = repo.join("tests/corpus/wheels.toml");
    let text = std::fs::read_to_string(&list).unwrap_or_default();
    // The `file` of each `[[wheel]]` (a `[[data]]` file, abi3info, goes to
    // the data directory).
    let mut table = "";
    let mut wheels = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line;
        } else if let Some(file) = line.strip_prefix("file = \"") {
            if table == "[[wheel]]" {
                let file = file.strip_suffix('"').unwrap_or(file);
                wheels.push(Probe::file(wheel_dir().join(file)));
            }
        }
    }
    let mut probe = Probe::all(wheels.into_iter().chain([
        Probe::file(data_dir().join(ABI3INFO)),
        Probe::dir(wheel_dir()),
    ]));
    probe.watch.push(list);
    probe
}

/// abi3info's wheel, the independent list of the Stable ABI the audit's
/// table is held to.
pub const ABI3INFO: &str = "abi3info-2026.9.25-py3-none-any.whl";

/// Where `make fetch-wheels` puts the corpus: `$STABLE_ABI_WHEELS`, else
/// `~/.cache/stable-abi/wheels`.
pub fn wheel_dir() -> PathBuf {
    cache_dir("STABLE_ABI_WHEELS", "wheels")
}

/// Where `make fetch-wheels` puts other downloads: `$STABLE_ABI_DATA`,
/// else `~/.cache/stable-abi/data`.
pub fn data_dir() -> PathBuf {
    cache_dir("STABLE_ABI_DATA", "data")
}

fn cache_dir(variable: &str, name: &str) -> PathBuf {
    match std::env::var_os(variable) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/stable-abi")
            .join(name),
    }
}

fn always() -> bool {
    true
}

fn never() -> bool {
    false
}

/// The manifest's place in a tree.
const MANIFEST: &str = "Misc/stable_abi.toml";

/// `Include/patchlevel.h`'s line of the tree the content-specific tests
/// are about.
pub const REFERENCE_PY_VERSION: &str = "#define PY_VERSION              \"3.13.15\"";

/// The list of the sdists the tests compile: per line, `name==version
/// sha256 source...` (the sources relative to the cache).
pub const SDISTS_LIST: &str = "tests/sdists.txt";

/// Where `make fetch-sdists` unpacks the sdists: `$STABLE_ABI_SDISTS`, else
/// `~/.cache/stable-abi/sdists`.
pub fn sdists_cache() -> PathBuf {
    cache_dir(SDISTS_ENV, "sdists")
}

/// The sources of [`SDISTS_LIST`] in [`sdists_cache`], whether or not they
/// are there (none when the list cannot be read).
pub fn sdist_sources(repo: &Path) -> Vec<PathBuf> {
    let Ok(list) = std::fs::read_to_string(repo.join(SDISTS_LIST)) else {
        return Vec::new();
    };
    let cache = sdists_cache();
    list.lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| line.split_whitespace().skip(2))
        .map(|source| cache.join(source))
        .collect()
}

/// The shared data beside the repository at `repo`: `repo/../shared`.
pub fn shared(repo: &Path) -> PathBuf {
    repo.join("../shared")
}

/// The CPython checkouts the tests run on: those of `$STABLE_ABI_CPYTHON`
/// (several separated as in `PATH`), else `../shared/cpython/3.13.15`.
pub fn cpython_trees(repo: &Path) -> Vec<PathBuf> {
    let listed: Vec<PathBuf> = std::env::var_os(CPYTHON_ENV)
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    let listed: Vec<PathBuf> = listed
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    if listed.is_empty() {
        vec![shared(repo).join("cpython/3.13.15")]
    } else {
        listed
    }
}

/// The first of [`cpython_trees`].
pub fn first_cpython_tree(repo: &Path) -> PathBuf {
    cpython_trees(repo).swap_remove(0)
}

/// A Python 3.11 or newer (with `tomllib`, which the reference scripts
/// import), by the name that runs it.
pub fn python() -> Option<&'static str> {
    [
        "python3",
        "python3.14",
        "python3.13",
        "python3.12",
        "python3.11",
    ]
    .into_iter()
    .find(|python| {
        runs(
            python,
            &[
                "-c",
                "import sys, tomllib; sys.exit(sys.version_info < (3, 11))",
            ],
        )
    })
}

/// `port`'s names of the C library headers, and the machine they were
/// read from (`.ci/regen-system-names` writes them).
pub const SYSTEM_NAMES: &str = "src/port/system_names.txt";

/// The first line `program --version` prints (`gcc (Debian 12.2.0-14) 12.2.0`,
/// `ldd (Debian GLIBC 2.36-9+deb12u10) 2.36`), if it runs.
pub fn first_line_of_version(program: &str) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (output.status.success() && !line.is_empty()).then(|| line.to_string())
}

/// The C compiler: `$CC`, else `cc`.
pub fn c_compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// Whether `program args` runs and succeeds.
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Whether the tests run under `CI=true`, where every need must be met.
pub fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}
