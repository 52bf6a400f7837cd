/* Stands in for pyconfig.h when the tree has none (an unconfigured
   checkout): pyconfig.h as `./configure --enable-shared` writes it for
   CPython 3.13 on Debian linux x86-64 (gcc 12.2), keeping the macros that
   some header under Include/ mentions, every Py/_Py name and the Stable
   ABI's feature macros. Regenerate: run configure in a checkout, then
   grep -E '^#define ' pyconfig.h and keep those names. */
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
