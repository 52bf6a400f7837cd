//! `stable-abi port`: one 3,000-line source (bitarray's `_util.c`, 2,899
//! lines) and 100 sources (the sdists of `tests/sdists.txt` and CPython's
//! Limited API modules, copied until there are 100), against the headers
//! of `../shared/cpython/3.13.15` (`$STABLE_ABI_CPYTHON`), for abi3 at
//! 3.10 (abi3t is summarized too when the headers have it).
//!
//! Warm: the headers are loaded and their views read once, as an editor's
//! integration keeps them; the medians are of judging the sources. Targets:
//! one source at most 50 ms, 100 sources at most 1 s, in CPU time (user +
//! system: on a shared machine the wall time says more about the other
//! processes). Printed beside them: the whole process (`stable-abi port`,
//! loading included), and the compiler's check of the same sources (`gcc
//! -fsyntax-only -DPy_LIMITED_API=0x030A0000`), the reference, as a ratio.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ms, ratio};
use stable_abi::abi::Abi;
use stable_abi::manifest::Manifest;
use stable_abi::port::{Options, Port};
use stable_abi::version::Version;
use stable_abi::view::{Config, Headers};

/// The sources of `tests/sdists.txt` in the cache, or `None` (said why).
fn sdist_sources() -> Option<Vec<PathBuf>> {
    let cache = match std::env::var_os("STABLE_ABI_SDISTS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/stable-abi/sdists"),
    };
    let list = include_str!("../tests/sdists.txt");
    let sources: Vec<PathBuf> = list
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .flat_map(|line| {
            line.split_whitespace()
                .skip(2)
                .map(|s| cache.join(s))
                .collect::<Vec<_>>()
        })
        .collect();
    if sources.iter().all(|path| path.is_file()) {
        Some(sources)
    } else {
        println!(
            "the sdists are not in {}: run `make fetch-sdists`; nothing measured",
            cache.display()
        );
        None
    }
}

/// 100 sources in `scratch`: copies of each source's directory (its local
/// headers with it), until there are 100 distinct paths.
fn hundred_sources(scratch: &Path, sources: &[PathBuf]) -> Vec<PathBuf> {
    let mut copies = Vec::new();
    for round in 0.. {
        for (i, source) in sources.iter().enumerate() {
            if copies.len() == 100 {
                return copies;
            }
            let dir = scratch.join(format!("{round}-{i}"));
            common::copy_tree(source.parent().unwrap(), &dir);
            copies.push(dir.join(source.file_name().unwrap()));
        }
    }
    copies
}

fn gcc(tree: &Path, source: &Path) {
    Command::new("gcc")
        .args(["-fsyntax-only", "-DPy_LIMITED_API=0x030A0000"])
        .arg(format!("-I{}", tree.display()))
        .arg(format!("-I{}", tree.join("Include").display()))
        .arg(format!("-I{}", source.parent().unwrap().display()))
        .arg(source)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("gcc runs");
}

/// CPU time (user + system) used so far by this process (`RUSAGE_SELF`)
/// or by its children that ended (`RUSAGE_CHILDREN`).
fn cpu(who: libc::c_int) -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    unsafe { libc::getrusage(who, &mut usage) };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The medians of the wall and CPU time of `runs` calls of `f` (after one
/// warm-up call); `children`: count the CPU time of the processes `f` runs.
fn median(runs: usize, children: bool, mut f: impl FnMut()) -> (Duration, Duration) {
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    f();
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..runs {
        let (start, start_cpu) = (Instant::now(), cpu(who));
        f();
        walls.push(start.elapsed());
        cpus.push(cpu(who) - start_cpu);
    }
    walls.sort();
    cpus.sort();
    (walls[runs / 2], cpus[runs / 2])
}

/// `wall W, CPU C`.
fn both((wall, cpu): (Duration, Duration)) -> String {
    format!("CPU {}, wall {}", ms(cpu), ms(wall))
}

fn main() {
    let (Some(tree), Some(sdists)) = (common::cpython_tree(), sdist_sources()) else {
        return;
    };
    let config = Config::default().for_extensions();
    let (load, headers) = {
        let start = Instant::now();
        let headers = Headers::load(&tree, &config).expect("the headers load");
        (start.elapsed(), headers)
    };
    let manifest = Manifest::load(&tree.join("Misc/stable_abi.toml")).expect("the manifest");
    let start = Instant::now();
    let port = Port::new(&headers, &manifest).expect("the views");
    let views = start.elapsed();
    println!(
        "port: headers loaded in {}, their views read in {} (wall; once per run)",
        ms(load),
        ms(views)
    );
    let options = Options {
        abi: Abi::Abi3,
        target: Some(Version::new(3, 10)),
        include_dirs: Vec::new(),
    };
    let one = sdists
        .iter()
        .find(|path| path.ends_with("bitarray/_util.c"))
        .expect("bitarray's _util.c is in the list")
        .clone();
    let lines = std::fs::read_to_string(&one).map_or(0, |text| text.lines().count());
    let single = median(15, false, || {
        port.run(std::slice::from_ref(&one), &options)
            .expect("port runs");
    });
    println!(
        "port: one {lines}-line source ({}): median {} (target: at most 50 ms CPU)",
        one.file_name().unwrap().to_string_lossy(),
        both(single)
    );

    let scratch = tempfile::tempdir().expect("a scratch directory");
    let mut corpus = sdists.clone();
    let limited = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/extensions/cpython-3.13.15-limited/Modules");
    for name in [
        "xxlimited.c",
        "_stat.c",
        "errnomodule.c",
        "termios.c",
        "fcntlmodule.c",
    ] {
        if limited.join(name).is_file() {
            corpus.push(limited.join(name));
        }
    }
    let hundred = hundred_sources(scratch.path(), &corpus);
    let many = median(5, false, || {
        port.run(&hundred, &options).expect("port runs");
    });
    println!(
        "port: {} sources: median {} (target: at most 1 s CPU)",
        hundred.len(),
        both(many)
    );

    let binary = Path::new(env!("CARGO_BIN_EXE_stable-abi"));
    let process = median(5, true, || {
        Command::new(binary)
            .args(["port", "--target", "3.10", "--cpython"])
            .arg(&tree)
            .arg(&one)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("stable-abi runs");
    });
    println!(
        "port: the whole process on the one source (loading the headers): median {}",
        both(process)
    );
    let gcc_present = Command::new("gcc")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !gcc_present {
        println!("gcc is not installed: no ratio");
        return;
    }
    let gcc_one = median(5, true, || gcc(&tree, &one));
    let gcc_all = median(1, true, || {
        hundred.iter().for_each(|source| gcc(&tree, source))
    });
    println!(
        "gcc -fsyntax-only: the one source {}: {} port's warm CPU time, {} its whole process's; \
         the 100 sources {}: {} port's warm CPU time",
        both(gcc_one),
        ratio(gcc_one.1, single.1),
        ratio(gcc_one.1, process.1),
        both(gcc_all),
        ratio(gcc_all.1, many.1)
    );
}
