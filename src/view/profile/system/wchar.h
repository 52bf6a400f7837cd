/* What <wchar.h> defines that Python's headers test (glibc, linux x86-64,
   with pyconfig.h's _GNU_SOURCE/_XOPEN_SOURCE).
   Regenerate: echo '#include <wchar.h>' | gcc -dM -E - | sort
   and keep the lines whose name appears here (or that a new header tests).
   `_WCHAR_T`: glibc's <wchar.h> has gcc's <stddef.h> define wchar_t under
   that guard (which `py_curses.h` also defines). */
#define WCHAR_MAX __WCHAR_MAX__
#define WCHAR_MIN __WCHAR_MIN__
#define _WCHAR_T
