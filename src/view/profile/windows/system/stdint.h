/* What the Universal CRT's <stdint.h> (and <inttypes.h>) define that
   Python's headers test (Windows x64). The UCRT spells the 64-bit values
   with MSVC's i64/ui64 suffixes; they are written here with C's LL/ULL.
   Cross-check: echo '#include <stdint.h>' | x86_64-w64-mingw32-gcc -dM -E - */
#define INT8_MAX 127
#define INT16_MAX 32767
#define INT32_MAX 2147483647
#define INT64_MAX 9223372036854775807LL
#define UINT8_MAX 0xff
#define UINT16_MAX 0xffff
#define UINT32_MAX 0xffffffffU
#define UINT64_MAX 0xffffffffffffffffULL
#define INTPTR_MAX INT64_MAX
#define UINTPTR_MAX UINT64_MAX
#define SIZE_MAX UINT64_MAX
#define PTRDIFF_MAX INT64_MAX
#define INTMAX_MAX INT64_MAX
#define UINTMAX_MAX UINT64_MAX
