/* What the Universal CRT's <wchar.h> defines that Python's headers test:
   wchar_t is 16 bits (PC/pyconfig.h: SIZEOF_WCHAR_T 2).
   Cross-check: echo '#include <wchar.h>' | x86_64-w64-mingw32-gcc -dM -E - */
#define WCHAR_MAX 0xffff
#define WCHAR_MIN 0x0000
