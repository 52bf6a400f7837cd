//! The flags of `stable-abi port`.

use std::path::PathBuf;

use clap::Args;

use super::{codes_help, Format, HeaderOptions};
use crate::abi::Abi;
use crate::platform::Platform;
use crate::version::Version;

#[derive(Args, Debug)]
#[command(
    after_help = codes_help(
        "port",
        "The headers: --cpython TREE (a CPython checkout, or a directory holding Python.h), \
         else those of the python3 on PATH (sysconfig's include directory).\n\
         The target: --target, else the source's own #define Py_LIMITED_API (Py_TARGET_ABI3T), \
         else the oldest version the names it uses allow.\n\n\
         Exit status: 0 nothing blocks the Stable ABI, 1 a blocker was found, \
         2 a bad command line, unreadable headers or a source that cannot be preprocessed."
    )
)]
pub struct PortArgs {
    /// C (and C++) sources, or directories searched for them (default: .)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The Limited API version to port to, e.g. 3.10
    #[arg(long, value_name = "3.N")]
    pub target: Option<Version>,

    /// The Stable ABI: abi3, or abi3t (free-threaded, PEP 803; 3.15 and later)
    #[arg(long, value_enum, default_value_t)]
    pub abi: Abi,

    /// The headers: a CPython tree, or a directory holding Python.h
    /// (default: those of the python3 on PATH)
    #[arg(long, value_name = "TREE")]
    pub cpython: Option<PathBuf>,

    /// The platform whose view of the headers the sources are judged by
    #[arg(long, value_enum, default_value_t)]
    pub platform: Platform,

    /// Add a directory to the include search path, like the compiler's -I
    #[arg(short = 'I', value_name = "DIR")]
    pub include: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    #[command(flatten)]
    pub headers: HeaderOptions,
}
