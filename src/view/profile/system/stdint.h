/* What <stdint.h> (and <inttypes.h>) define that Python's headers test
   (glibc, linux x86-64).
   Regenerate: echo '#include <stdint.h>' | gcc -dM -E - | sort
   and keep the lines whose name appears here (or that a new header tests). */
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
