//! The platform the headers are read for, without a compiler: what gcc
//! predefines, what the few system headers Python's headers test define,
//! and, for a checkout that has not been configured (no `pyconfig.h`), the
//! configure results that matter.
//!
//! Where the values come from: gcc 12.2 on Debian linux x86-64 (`echo |
//! gcc -dM -E -`, and `gcc -dM -E` on the system headers named below),
//! and `pyconfig.h` as `./configure --enable-shared` writes it on the same
//! machine for CPython 3.13. From pyconfig.h we keep the macros that some
//! header under `Include/` mentions, plus every `Py`/`_Py` name and the
//! stable ABI's feature macros: with these, a tree without pyconfig.h gives
//! the same view as the configured one. The same default serves every
//! release: on CPython 3.15.2 too the declarations and every macro but the
//! configure results themselves are those of the configured tree
//! (`tests/view_oracle.rs`). Anything else can be set with `-D`/`-U`.

/// Defined on the command line by default, as `stable_abi.py` does when
/// it runs the compiler.
pub const COMMAND_LINE: &[(&str, &str)] = &[("SIZEOF_WCHAR_T", "4")];

/// What gcc defines before reading any file (x86-64, `-std=gnu17`), for
/// the names the headers test or use in `#if`.
pub const COMPILER: &str = "\
#define __STDC__ 1
#define __STDC_VERSION__ 201710L
#define __STDC_HOSTED__ 1
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#define __GNUC_PATCHLEVEL__ 0
#define __GNUC_STDC_INLINE__ 1
#define __VERSION__ \"12.2.0\"
#define __ELF__ 1
#define __linux__ 1
#define __linux 1
#define __gnu_linux__ 1
#define linux 1
#define __unix__ 1
#define __unix 1
#define unix 1
#define __x86_64__ 1
#define __x86_64 1
#define __amd64__ 1
#define __amd64 1
#define __LP64__ 1
#define _LP64 1
#define __SSE__ 1
#define __SSE2__ 1
#define __CHAR_BIT__ 8
#define __SIZEOF_SHORT__ 2
#define __SIZEOF_INT__ 4
#define __SIZEOF_LONG__ 8
#define __SIZEOF_LONG_LONG__ 8
#define __SIZEOF_POINTER__ 8
#define __SIZEOF_SIZE_T__ 8
#define __SIZEOF_PTRDIFF_T__ 8
#define __SIZEOF_WCHAR_T__ 4
#define __SIZEOF_WINT_T__ 4
#define __SIZEOF_FLOAT__ 4
#define __SIZEOF_DOUBLE__ 8
#define __SIZEOF_LONG_DOUBLE__ 16
#define __SIZEOF_INT128__ 16
#define __SCHAR_MAX__ 0x7f
#define __SHRT_MAX__ 0x7fff
#define __INT_MAX__ 0x7fffffff
#define __LONG_MAX__ 0x7fffffffffffffffL
#define __LONG_LONG_MAX__ 0x7fffffffffffffffLL
#define __WCHAR_MAX__ 0x7fffffff
#define __WCHAR_MIN__ (-__WCHAR_MAX__ - 1)
#define __SIZE_MAX__ 0xffffffffffffffffUL
#define __PTRDIFF_MAX__ 0x7fffffffffffffffL
#define __INTPTR_MAX__ 0x7fffffffffffffffL
#define __INTMAX_MAX__ 0x7fffffffffffffffL
#define __UINTMAX_MAX__ 0xffffffffffffffffUL
#define __ORDER_LITTLE_ENDIAN__ 1234
#define __ORDER_BIG_ENDIAN__ 4321
#define __ORDER_PDP_ENDIAN__ 3412
#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__
#define __FLOAT_WORD_ORDER__ __ORDER_LITTLE_ENDIAN__
";

/// The macros that matter from the system headers `Python.h` includes
/// with `<...>`, applied when the walk reaches that `#include` (glibc,
/// x86-64, with pyconfig.h's `_GNU_SOURCE`/`_XOPEN_SOURCE`).
pub const SYSTEM_HEADERS: &[(&str, &str)] = &[
    (
        "limits.h",
        "\
#define CHAR_BIT __CHAR_BIT__
#define SCHAR_MAX __SCHAR_MAX__
#define SCHAR_MIN (-SCHAR_MAX - 1)
#define UCHAR_MAX (SCHAR_MAX * 2 + 1)
#define CHAR_MAX SCHAR_MAX
#define CHAR_MIN SCHAR_MIN
#define SHRT_MAX __SHRT_MAX__
#define SHRT_MIN (-SHRT_MAX - 1)
#define USHRT_MAX (SHRT_MAX * 2 + 1)
#define INT_MAX __INT_MAX__
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (INT_MAX * 2U + 1U)
#define LONG_MAX __LONG_MAX__
#define LONG_MIN (-LONG_MAX - 1L)
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)
#define LLONG_MAX __LONG_LONG_MAX__
#define LLONG_MIN (-LLONG_MAX - 1LL)
#define ULLONG_MAX (LLONG_MAX * 2ULL + 1ULL)
#define LONG_BIT 64
#define PATH_MAX 4096
#define PTHREAD_KEYS_MAX 1024
",
    ),
    ("stdint.h", STDINT),
    ("inttypes.h", STDINT),
    (
        "unistd.h",
        "\
#define _POSIX_VERSION 200809L
#define _POSIX_THREADS 200809L
#define _POSIX_SEMAPHORES 200809L
#define _SC_THREADS _SC_THREADS
",
    ),
    ("time.h", "#define CLOCK_MONOTONIC 1\n"),
    // glibc's <assert.h> under C11 and later (`__USE_ISOC11`).
    ("assert.h", "#define static_assert _Static_assert\n"),
    (
        "errno.h",
        "\
#define EINTR 4
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EOVERFLOW 75
",
    ),
    (
        "sys/stat.h",
        "\
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_ISDIR(mode) (((mode) & S_IFMT) == S_IFDIR)
#define S_ISCHR(mode) (((mode) & S_IFMT) == S_IFCHR)
#define S_ISREG(mode) (((mode) & S_IFMT) == S_IFREG)
#define S_ISLNK(mode) (((mode) & S_IFMT) == S_IFLNK)
",
    ),
    (
        "wchar.h",
        // `_WCHAR_T`: glibc's <wchar.h> has gcc's <stddef.h> define
        // wchar_t under that guard (which `py_curses.h` also defines).
        "\
#define WCHAR_MAX __WCHAR_MAX__
#define WCHAR_MIN __WCHAR_MIN__
#define _WCHAR_T
",
    ),
];

const STDINT: &str = "\
#define INT8_MAX (127)
#define INT16_MAX (32767)
#define INT32_MAX (2147483647)
#define INT64_MAX (9223372036854775807L)
#define UINT8_MAX (255)
#define UINT16_MAX (65535)
#define UINT32_MAX (4294967295U)
#define UINT64_MAX (18446744073709551615UL)
#define INTPTR_MAX (9223372036854775807L)
#define UINTPTR_MAX (18446744073709551615UL)
#define SIZE_MAX (18446744073709551615UL)
#define PTRDIFF_MAX (9223372036854775807L)
#define INTMAX_MAX (9223372036854775807L)
#define UINTMAX_MAX (18446744073709551615UL)
";

/// Stands in for `pyconfig.h` when the tree has none (an unconfigured
/// checkout): linux x86-64 as configure sees it.
pub const DEFAULT_PYCONFIG: &str = "\
#ifndef Py_PYCONFIG_H
#define Py_PYCONFIG_H
#define ALIGNOF_MAX_ALIGN_T 16
#define DOUBLE_IS_LITTLE_ENDIAN_IEEE754 1
#define HAVE_CLOCK_GETTIME 1
#define HAVE_CURSES_H 1
#define HAVE_CURSES_IS_PAD 1
#define HAVE_DECL_RTLD_NOW 1
#define HAVE_DLOPEN 1
#define HAVE_DYNAMIC_LOADING 1
#define HAVE_FORK 1
#define HAVE_GCC_ASM_FOR_X64 1
#define HAVE_GCC_ASM_FOR_X87 1
#define HAVE_LANGINFO_H 1
#define HAVE_NCURSESW_CURSES_H 1
#define HAVE_NCURSESW_NCURSES_H 1
#define HAVE_NCURSES_H 1
#define HAVE_PTHREAD_CONDATTR_SETCLOCK 1
#define HAVE_PTHREAD_H 1
#define HAVE_READLINK 1
#define HAVE_REALPATH 1
#define HAVE_SEM_TIMEDWAIT 1
#define HAVE_SIGACTION 1
#define HAVE_SIGALTSTACK 1
#define HAVE_SSIZE_T 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_UNISTD_H 1
#define HAVE_WCHAR_H 1
#define MVWDELCH_IS_EXPRESSION 1
#define PY_HAVE_PERF_TRAMPOLINE 1
#define Py_ENABLE_SHARED 1
#define Py_RL_STARTUP_HOOK_TAKES_ARGS 1
#define SIZEOF_INT 4
#define SIZEOF_LONG 8
#define SIZEOF_LONG_DOUBLE 16
#define SIZEOF_LONG_LONG 8
#define SIZEOF_PID_T 4
#define SIZEOF_PTHREAD_T 8
#define SIZEOF_SIZE_T 8
#define SIZEOF_TIME_T 8
#define SIZEOF_UINTPTR_T 8
#define SIZEOF_VOID_P 8
#define SIZEOF_WCHAR_T 4
#define SIZEOF__BOOL 1
#define WINDOW_HAS_FLAGS 1
#define WITH_DOC_STRINGS 1
#define WITH_FREELISTS 1
#define WITH_MIMALLOC 1
#define WITH_PYMALLOC 1
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#define _XOPEN_SOURCE_EXTENDED 1

#endif
";

/// Attributes gcc 12 answers `__has_attribute` for, among those the
/// headers ask about.
pub const GCC_ATTRIBUTES: &[&str] = &[
    "nonstring",
    "visibility",
    "deprecated",
    "noreturn",
    "unused",
    "always_inline",
    "noinline",
    "format",
    "aligned",
    "packed",
    "cold",
    "hot",
    "fallthrough",
];

/// Builtins gcc 12 answers `__has_builtin` for, among those the headers
/// ask about.
pub const GCC_BUILTINS: &[&str] = &[
    "__builtin_thread_pointer",
    "__atomic_load",
    "__builtin_bswap16",
    "__builtin_bswap32",
    "__builtin_bswap64",
    "__builtin_umul_overflow",
    "__builtin_expect",
    "__builtin_unreachable",
];
