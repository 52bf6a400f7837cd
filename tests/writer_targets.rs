//! Where the tool writes, and what it refuses (see `src/write/`): an empty
//! manifest, a read-only file, a symbolic link, a missing directory, a
//! device, a FIFO, standard output, a file size limit, a working directory
//! longer than PATH_MAX. Each case asserts the exit status, the message
//! with its place, and that the files are byte-identical with their mtimes.

mod common;
mod writer_common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use writer_common::*;

/// What the drop-in says of a manifest without a table of every kind, the
/// first missing in `kinds` (as the script of `release` reads them).
fn no_table(kinds: &[&str], release: &str) -> String {
    let (first, rest) = kinds.split_first().unwrap();
    let others = if rest.is_empty() {
        String::new()
    } else {
        format!(" (nor of {})", rest.join(", "))
    };
    format!(
        "Misc/stable_abi.toml:1:1: error: the manifest has no table of {first} items{others}: \
         stable_abi.py of {release} stops reading it with KeyError: '{first}', and nothing is \
         generated from it (is the file cut short?)\n"
    )
}

/// Every drop-in action that reads the manifest, and the commands that
/// regenerate or check the generated files.
const READING_THE_MANIFEST: [&[&str]; 6] = [
    &["--generate-all", "Misc/stable_abi.toml"],
    &["--generate", "--python3dll", "Misc/stable_abi.toml"],
    &["--all", "Misc/stable_abi.toml"],
    &["--dump", "Misc/stable_abi.toml"],
    &["--doc-list", "Misc/stable_abi.toml"],
    &["pre-commit", "--manifest", "Misc/stable_abi.toml"],
];

#[test]
fn an_empty_manifest_is_an_error_and_nothing_is_written() {
    let (_dir, tree) = sample_tree();
    let before = snapshot(&tree, &GENERATED);
    let every_kind = [
        "typedef",
        "const",
        "data",
        "macro",
        "function",
        "feature_macro",
        "struct",
    ];
    for empty in ["", "# stable ABI manifest, cut short\n\n"] {
        std::fs::write(tree.join("Misc/stable_abi.toml"), empty).unwrap();
        for args in READING_THE_MANIFEST {
            let output = run(&tree, args);
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            assert_eq!(
                text(&output.stderr),
                no_table(&every_kind, "3.13.15"),
                "{args:?}"
            );
            assert_eq!(text(&output.stdout), "", "{args:?}");
        }
        assert_eq!(snapshot(&tree, &GENERATED), before);
        assert_eq!(temporaries_in_tree(&tree), Vec::<String>::new());

        // The audit's table is not emptied either.
        std::fs::write(tree.join("table.toml"), "old table\n").unwrap();
        let output = run(
            &tree,
            &[
                "audit",
                "--manifest",
                "Misc/stable_abi.toml",
                "--write-table",
                "table.toml",
            ],
        );
        assert_eq!(output.status.code(), Some(2));
        assert!(text(&output.stderr)
            .starts_with("Misc/stable_abi.toml: error: the manifest has no items"));
        assert_eq!(
            std::fs::read(tree.join("table.toml")).unwrap(),
            b"old table\n"
        );
    }

    // Every kind's table, all empty: the script would write empty files;
    // the drop-in refuses the manifest, as it holds no item.
    let tables: String = every_kind
        .iter()
        .map(|kind| format!("[{kind}]\n"))
        .collect();
    std::fs::write(tree.join("Misc/stable_abi.toml"), tables).unwrap();
    for args in READING_THE_MANIFEST {
        let output = run(&tree, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr)
                .starts_with("Misc/stable_abi.toml: error: the manifest has no items"),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stdout), "", "{args:?}");
    }
    assert_eq!(snapshot(&tree, &GENERATED), before);
}

/// A manifest cut short keeps some items, but loses the kinds after the
/// cut: CPython's script stops at the first kind it finds no table of
/// (`KeyError`), before writing anything, and so does the drop-in, rather
/// than write files of the items left.
#[test]
fn a_manifest_cut_short_is_refused_where_the_script_refuses_it() {
    let (_dir, tree) = sample_tree();
    let manifest = tree.join("Misc/stable_abi.toml");
    let whole = std::fs::read_to_string(&manifest).unwrap();
    // The manifest up to the first item of `kind`; and without the items
    // of `kind` (the sample lists each kind's items together, then a blank
    // line).
    let before_kind =
        |kind: &str| whole[..whole.find(&format!("\n[{kind}.")).unwrap() + 1].to_string();
    let without = |text: &str, kind: &str| {
        let start = text.find(&format!("\n[{kind}.")).unwrap() + 1;
        let end = start + text[start..].find("\n\n").unwrap() + 2;
        format!("{}{}", &text[..start], &text[end..])
    };
    let before = snapshot(&tree, &GENERATED);
    let no_macros_nor_functions = without(&before_kind("function"), "macro");
    let cases = [
        // Feature macros and structs only (the sample lists them first).
        (
            before_kind("typedef"),
            vec!["typedef", "const", "data", "macro", "function"],
            "3.13.15",
            None,
        ),
        // Everything but the functions.
        (before_kind("function"), vec!["function"], "3.13.15", None),
        // No macros and no functions: the 3.13 script reads `macro` before
        // `function`, the 3.14 script registers `macro` last.
        (
            no_macros_nor_functions.clone(),
            vec!["macro", "function"],
            "3.13.15",
            None,
        ),
        (
            no_macros_nor_functions,
            vec!["function", "macro"],
            "3.14.0",
            Some("3.14.0"),
        ),
    ];
    for (text_of_manifest, missing, release, flag) in cases {
        std::fs::write(&manifest, &text_of_manifest).unwrap();
        for args in READING_THE_MANIFEST {
            let mut args = args.to_vec();
            if let Some(release) = flag {
                if args[0] == "pre-commit" {
                    continue;
                }
                args.splice(0..0, ["--release", release]);
            }
            let output = run(&tree, &args);
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            assert_eq!(
                text(&output.stderr),
                no_table(&missing, release),
                "{args:?}"
            );
            assert_eq!(text(&output.stdout), "", "{args:?}");
        }
        assert_eq!(snapshot(&tree, &GENERATED), before, "{missing:?}");
        assert_eq!(temporaries_in_tree(&tree), Vec::<String>::new());
    }

    // `add --regen` appends its item, then regenerates nothing.
    std::fs::write(&manifest, before_kind("typedef")).unwrap();
    let output = run(
        &tree,
        &[
            "add",
            "function",
            "PyNew_Function",
            "--added",
            "3.13",
            "--manifest",
            "Misc/stable_abi.toml",
            "--regen",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert_eq!(snapshot(&tree, &GENERATED), before);

    // An empty table is a table: the script reads the manifest, and so
    // does the drop-in.
    std::fs::write(&manifest, before_kind("function") + "[function]\n").unwrap();
    let output = run(&tree, &["--generate-all", "Misc/stable_abi.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let dll = std::fs::read_to_string(tree.join("PC/python3dll.c")).unwrap();
    assert!(dll.contains("EXPORT_DATA(PyType_Type)\n"), "{dll}");
    assert!(!dll.contains("EXPORT_FUNC(Py"), "{dll}");
}

/// Runs `args` in `tree` as a user who may not write `PC/python3dll.c`:
/// this user when not root; as root, `nobody` (the tree is given to it).
/// `None` when the test cannot drop privileges.
fn run_unprivileged(tree: &Path, args: &[&str]) -> Option<std::process::Output> {
    let mut command = Command::new(bin());
    command.current_dir(tree).args(args);
    if is_root() {
        // nobody:nogroup, as on Debian and most Linux systems.
        let (uid, gid) = (65534, 65534);
        let status = Command::new("chown")
            .args(["-R", &format!("{uid}:{gid}")])
            .arg(tree.parent().unwrap())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        command.uid(uid).gid(gid);
    }
    command.output().ok()
}

#[test]
fn a_read_only_file_the_user_may_not_write_is_an_error_naming_it() {
    let (_dir, tree) = sample_tree();
    let dll = tree.join("PC/python3dll.c");
    std::fs::write(&dll, "/* stale */\n").unwrap();
    age(&dll);
    std::fs::set_permissions(&dll, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = snapshot(&tree, &GENERATED);
    let Some(output) = run_unprivileged(&tree, &["--generate-all", "Misc/stable_abi.toml"]) else {
        eprintln!(
            "skipped a_read_only_file_the_user_may_not_write_is_an_error_naming_it: running as \
             root and cannot run a child as nobody (chown or setuid refused), so no user here \
             is refused a write"
        );
        return;
    };
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        "PC/python3dll.c: error: cannot write: Permission denied (os error 13)\n"
    );
    assert_eq!(snapshot(&tree, &GENERATED), before);
    assert_eq!(temporaries_in_tree(&tree), Vec::<String>::new());
}

#[test]
fn a_symbolic_link_is_written_through_and_kept() {
    let (_dir, tree) = sample_tree();
    let expected = std::fs::read(tree.join("Doc/data/stable_abi.dat")).unwrap();
    // The documentation table lives elsewhere; the tree links to it.
    std::fs::create_dir(tree.join("elsewhere")).unwrap();
    let real = tree.join("elsewhere/stable_abi.dat");
    std::fs::write(&real, "stale\n").unwrap();
    let link = tree.join("Doc/data/stable_abi.dat");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("../../elsewhere/stable_abi.dat", &link).unwrap();
    let others = [GENERATED[0], GENERATED[2], GENERATED[3]];
    let before = snapshot(&tree, &others);

    let output = run(&tree, &["--generate-all", "Misc/stable_abi.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("../../elsewhere/stable_abi.dat")
    );
    assert_eq!(std::fs::read(&real).unwrap(), expected);
    assert_eq!(snapshot(&tree, &others), before);
    assert_eq!(temporaries(&tree.join("elsewhere")), Vec::<String>::new());
    assert_eq!(temporaries_in_tree(&tree), Vec::<String>::new());

    // The check reads through the link too: the tree is clean.
    let output = run(&tree, &["Misc/stable_abi.toml", "--doc-list"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn missing_directories_are_not_created() {
    let (dir, tree) = sample_tree();
    let target = dir.path().join("nonexistent/dir/x.dat");
    let shown = target.display().to_string();
    let output = run(
        &tree,
        &["--generate", "--doc-list", &shown, "Misc/stable_abi.toml"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        format!(
            "{shown}: error: cannot write: the directory {} does not exist (it is not created)\n",
            dir.path().join("nonexistent/dir").display()
        )
    );
    assert!(!dir.path().join("nonexistent").exists());

    // A tree without PC/: the first file fails, and no PC/ appears.
    std::fs::remove_dir_all(tree.join("PC")).unwrap();
    let before = snapshot(&tree, &GENERATED[1..]);
    let output = run(&tree, &["--generate-all", "Misc/stable_abi.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "PC/python3dll.c: error: cannot write: the directory PC does not exist (it is not \
         created)\n"
    );
    assert!(!tree.join("PC").exists());
    assert_eq!(snapshot(&tree, &GENERATED[1..]), before);
}

/// Every command that writes a file, aimed at `target` (relative to the
/// tree): the drop-in's generation, `headers --write-baseline`,
/// `compat --write-accepted`, `audit --write-table`.
fn writers(target: &str) -> Vec<Vec<String>> {
    let manifest = "Misc/stable_abi.toml";
    [
        &["--generate", "--doc-list", target, manifest][..],
        &[
            "headers",
            "--manifest",
            manifest,
            "--write-baseline",
            target,
        ],
        &[
            "compat",
            "--baseline",
            "old.toml",
            manifest,
            "--manifest-only",
            "--write-accepted",
            target,
        ],
        &["audit", "--manifest", manifest, "--write-table", target],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect())
    .collect()
}

/// A tree whose manifest lost an item since `old.toml`, so that `compat`
/// has a break to accept.
fn tree_with_old_manifest() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, tree) = sample_tree();
    let manifest = tree.join("Misc/stable_abi.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(tree.join("old.toml"), &text).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}[function.PyAdded_Later]\n    added = '3.13'\n"),
    )
    .unwrap();
    std::fs::write(
        tree.join("old.toml"),
        format!("{text}[function.PyRemoved_Since]\n    added = '3.2'\n"),
    )
    .unwrap();
    (dir, tree)
}

/// Runs `args` in `tree`, failing the test if it takes more than 20 s
/// (a writer that opened a FIFO would wait for ever).
fn run_with_deadline(tree: &Path, args: &[String]) -> std::process::Output {
    let mut child = Command::new(bin())
        .current_dir(tree)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("{args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn mknod(path: &Path, mode: libc::mode_t, device: libc::dev_t) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    unsafe { libc::mknod(c_path.as_ptr(), mode, device) == 0 }
}

#[test]
fn a_fifo_is_refused_by_every_writer_without_waiting_on_it() {
    let (_dir, tree) = tree_with_old_manifest();
    assert!(mknod(&tree.join("fifo"), libc::S_IFIFO | 0o644, 0));
    for args in writers("fifo") {
        let output = run_with_deadline(&tree, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&output.stderr),
            "fifo: error: is a FIFO (named pipe), not a regular file: stable-abi reads and \
             replaces only regular files (a writer takes `-` or /dev/stdout for standard \
             output)\n",
            "{args:?}"
        );
        let kind = std::fs::symlink_metadata(tree.join("fifo"))
            .unwrap()
            .file_type();
        assert!(kind.is_fifo(), "{args:?}");
    }
    // The drop-in's check does not read it either.
    let args = ["--doc-list", "fifo", "Misc/stable_abi.toml"].map(String::from);
    let output = run_with_deadline(&tree, &args);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).starts_with("fifo: error: is a FIFO"));
}

#[test]
fn a_device_is_refused_by_every_writer() {
    if !is_root() {
        eprintln!(
            "skipped a_device_is_refused_by_every_writer: making a device (mknod) needs root"
        );
        return;
    }
    let (_dir, tree) = tree_with_old_manifest();
    // A device of its own, like /dev/null (1, 3): the real one is never used.
    let device = tree.join("null");
    if !mknod(&device, libc::S_IFCHR | 0o666, libc::makedev(1, 3)) {
        eprintln!(
            "skipped a_device_is_refused_by_every_writer: mknod refused here ({})",
            std::io::Error::last_os_error()
        );
        return;
    }
    for args in writers("null") {
        let output = run_with_deadline(&tree, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).starts_with(
                "null: error: is a character device, not a regular file: stable-abi reads \
                 and replaces only regular files"
            ),
            "{args:?}: {}",
            text(&output.stderr)
        );
        let kind = std::fs::symlink_metadata(&device).unwrap().file_type();
        assert!(kind.is_char_device(), "{args:?}");
    }
}

#[test]
fn standard_output_is_written_through_by_every_writer() {
    let (_dir, tree) = tree_with_old_manifest();
    for target in ["/dev/stdout", "-"] {
        for args in writers(target) {
            // Standard output is a pipe, read by this test as `| cat` would.
            let output = run_with_deadline(&tree, &args);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{args:?}: {}",
                text(&output.stderr)
            );
            let printed = text(&output.stdout);
            let expected_start = match args[0].as_str() {
                "--generate" => "role,name,added,ifdef_note,struct_abi_kind\n",
                "headers" => "# stable-abi headers baseline",
                "compat" => "# stable-abi compat: accepted breaks",
                _ => "# The Stable ABI the audit knows",
            };
            assert!(printed.starts_with(expected_start), "{args:?}: {printed}");
        }
    }
    let output = run(
        &tree,
        &writers("-")[2]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(text(&output.stdout).contains("compat-removed PyRemoved_Since -"));
    assert!(!tree.join("-").exists());
}

#[test]
fn a_file_size_limit_leaves_no_truncated_file() {
    let (_dir, tree) = sample_tree();
    // 300 items the headers do not declare: a baseline of 300 `missing`
    // lines (about 12 KB), larger than `ulimit -f 2` allows (2048 bytes).
    grow_manifest(&tree, 300);
    std::fs::write(
        tree.join("Misc/stable_abi_baseline.txt"),
        "# old baseline\n",
    )
    .unwrap();
    std::fs::write(tree.join("table.toml"), "old table\n").unwrap();
    let files = [
        "Misc/stable_abi_baseline.txt",
        "table.toml",
        GENERATED[0],
        GENERATED[1],
        GENERATED[2],
    ];
    for file in files {
        age(&tree.join(file));
    }
    let before = snapshot(&tree, &files);
    let limited = |args: &[&str]| {
        let mut command = Command::new(bin());
        command.current_dir(&tree).args(args);
        // SAFETY: setrlimit is async-signal-safe; nothing else runs here.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 2048,
                    rlim_max: 2048,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        command.output().unwrap()
    };
    for (args, path) in [
        (
            &[
                "headers",
                "--manifest",
                "Misc/stable_abi.toml",
                "--write-baseline",
                "Misc/stable_abi_baseline.txt",
            ][..],
            "Misc/stable_abi_baseline.txt",
        ),
        (
            &[
                "audit",
                "--manifest",
                "Misc/stable_abi.toml",
                "--write-table",
                "table.toml",
            ],
            "table.toml",
        ),
        (&["--generate-all", "Misc/stable_abi.toml"], GENERATED[0]),
    ] {
        let output = limited(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.starts_with(&format!(
                "{path}: error: cannot write: File too large (os error 27)"
            )),
            "{args:?}: {stderr}"
        );
        assert_eq!(snapshot(&tree, &files), before, "{args:?}");
        assert_eq!(temporaries(&tree), Vec::<String>::new());
        assert_eq!(temporaries(&tree.join("Misc")), Vec::<String>::new());
        assert_eq!(temporaries_in_tree(&tree), Vec::<String>::new());
    }
}

#[test]
fn a_working_directory_longer_than_path_max_works() {
    let (dir, tree) = sample_tree();
    // 24 directories of 200 characters: 4,800 bytes, past PATH_MAX (4096),
    // made and entered one at a time by bash (which, unlike dash, then
    // changes directory by the relative name).
    let long = "d".repeat(200);
    let script = format!(
        "set -e
        for i in $(seq 24); do mkdir {long}; cd {long}; done
        cp -R '{tree}/Misc' '{tree}/Include' .
        mkdir -p Doc/data Lib/test Modules
        '{bin}' --generate-all Misc/stable_abi.toml && echo no-pc=$?|| echo no-pc=$?
        test ! -e PC && echo no-empty-pc
        mkdir PC
        '{bin}' --generate-all Misc/stable_abi.toml && echo generated=$?
        ls -A PC Doc/data
        '{bin}' --all Misc/stable_abi.toml >/dev/null 2>&1 && echo checked=$?",
        tree = tree.display(),
        bin = bin()
    );
    let output = Command::new("bash")
        .current_dir(dir.path())
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(stdout.contains("no-pc=2\n"), "{stdout}{stderr}");
    assert!(stdout.contains("no-empty-pc\n"), "{stdout}{stderr}");
    assert!(stdout.contains("generated=0\n"), "{stdout}{stderr}");
    assert!(stdout.contains("PC:\npython3dll.c\n"), "{stdout}{stderr}");
    assert!(
        stdout.contains("Doc/data:\nstable_abi.dat\n"),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("checked=0\n"), "{stdout}{stderr}");
    assert!(
        stderr.contains("PC/python3dll.c: error: cannot write: the directory PC does not exist"),
        "{stderr}"
    );
}
