use super::*;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::time::{Duration, SystemTime};

/// The names in `dir`, sorted (to see that no temporary file is left).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
}

#[test]
fn writes_a_new_file_and_keeps_an_unchanged_one_with_its_mtime() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    assert_eq!(file(&path, b"one\n").unwrap(), Written::Replaced);
    assert_eq!(fs::read(&path).unwrap(), b"one\n");
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_eq!(file(&path, b"one\n").unwrap(), Written::Unchanged);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), old);
    assert_eq!(file(&path, b"two\n").unwrap(), Written::Replaced);
    assert_eq!(fs::read(&path).unwrap(), b"two\n");
    assert_eq!(names(dir.path()), ["out.txt"]);
}

#[test]
fn a_replaced_file_keeps_its_permission_bits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.py");
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o751)).unwrap();
    file(&path, b"new").unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o751);
}

#[test]
fn a_symbolic_link_is_written_through_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    fs::create_dir(dir.path().join("links")).unwrap();
    let target = dir.path().join("real/data.dat");
    fs::write(&target, "old").unwrap();
    let link = dir.path().join("links/data.dat");
    symlink("../real/data.dat", &link).unwrap();
    assert_eq!(file(&link, b"new").unwrap(), Written::Replaced);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("../real/data.dat"));
    assert_eq!(fs::read(&target).unwrap(), b"new");
    // The temporary file was made beside the target, and is gone.
    assert_eq!(names(&dir.path().join("real")), ["data.dat"]);
    assert_eq!(names(&dir.path().join("links")), ["data.dat"]);

    // A link to a link to a file not there yet: the last target is created.
    let chain = dir.path().join("chain");
    symlink("links/data.dat", &chain).unwrap();
    fs::remove_file(&target).unwrap();
    file(&chain, b"again").unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"again");

    // A loop is an error naming the path.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    symlink("b", &a).unwrap();
    symlink("a", &b).unwrap();
    let err = file(&a, b"x").unwrap_err().to_string();
    assert!(err.contains("too many levels of symbolic links"), "{err}");
    assert!(err.starts_with(&a.display().to_string()), "{err}");
}

#[test]
fn a_missing_directory_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/x.dat");
    let err = file(&path, b"x").unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}: error: cannot write: the directory {} does not exist (it is not created)",
            path.display(),
            dir.path().join("no/such/dir").display()
        )
    );
    assert!(!dir.path().join("no").exists());
}

#[test]
fn special_files_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("p.dat");
    mkfifo(&fifo);
    // Neither writing nor checking opens the FIFO in a way that waits for
    // a writer (the test would hang).
    let err = file(&fifo, b"x").unwrap_err().to_string();
    assert!(
        err.contains("is a FIFO (named pipe), not a regular file"),
        "{err}"
    );
    let err = read_existing(&fifo).unwrap_err().to_string();
    assert!(err.contains("is a FIFO"), "{err}");
    let link = dir.path().join("link");
    symlink("p.dat", &link).unwrap();
    let err = file(&link, b"x").unwrap_err().to_string();
    assert!(err.contains("through the link"), "{err}");

    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let err = file(&sub, b"x").unwrap_err().to_string();
    assert!(err.contains("is a directory, not a regular file"), "{err}");
    assert_eq!(names(dir.path()), ["link", "p.dat", "sub"]);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn stdout_is_named_by_dash_and_dev_stdout_only() {
    assert!(names_stdout(Path::new("-")));
    assert!(names_stdout(Path::new("/dev/stdout")));
    assert!(!names_stdout(Path::new("./-")));
    assert!(!names_stdout(Path::new("/dev/stderr")));
}

#[test]
fn read_existing_tells_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(read_existing(&dir.path().join("none")).unwrap(), None);
    fs::write(dir.path().join("f"), "x").unwrap();
    assert_eq!(
        read_existing(&dir.path().join("f")).unwrap(),
        Some(b"x".to_vec())
    );
}

#[test]
fn a_lock_waits_for_the_holder_and_reads_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.toml");
    fs::write(&path, "first\n").unwrap();
    let (held, content) = Lock::read(&path).unwrap();
    assert_eq!(content, b"first\n");
    let other = {
        let path = path.clone();
        std::thread::spawn(move || Lock::read(&path).unwrap().1)
    };
    // The other reader waits on the lock of the file that is replaced
    // here; it then finds the file replaced and locks the new one.
    std::thread::sleep(Duration::from_millis(50));
    file(&path, b"first\nsecond\n").unwrap();
    drop(held);
    assert_eq!(other.join().unwrap(), b"first\nsecond\n");
}

use std::os::unix::fs::FileTypeExt;
