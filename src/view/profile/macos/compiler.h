/* What Apple clang predefines for macOS on arm64 (-std=gnu17, its default),
   for the names Python's headers test or use in #if. python.org's macOS
   installers are universal2 builds (arm64 and x86_64) made with Apple clang;
   this is the arm64 slice (pymacconfig.h adjusts configure's pyconfig.h for
   either). Made with upstream clang 14 for Apple's target (Debian's
   clang-14), plus __apple_build_version__, which only Apple's clang defines
   (the headers test it with defined(); Apple clang 14.0.3's build number):
     clang-14 --target=arm64-apple-macosx11.0 -std=gnu17 -dM -E -x c /dev/null | sort
   and keep the lines whose name appears here (or that a new header tests). */
#define _LP64 1
#define __APPLE__ 1
#define __ARM_ARCH 8
#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__
#define __CHAR_BIT__ 8
#define __GNUC_MINOR__ 2
#define __GNUC_STDC_INLINE__ 1
#define __GNUC__ 4
#define __INTMAX_MAX__ 9223372036854775807L
#define __INTPTR_MAX__ 9223372036854775807L
#define __INT_MAX__ 2147483647
#define __LONG_LONG_MAX__ 9223372036854775807LL
#define __LONG_MAX__ 9223372036854775807L
#define __LP64__ 1
#define __MACH__ 1
#define __ORDER_BIG_ENDIAN__ 4321
#define __ORDER_LITTLE_ENDIAN__ 1234
#define __ORDER_PDP_ENDIAN__ 3412
#define __PTRDIFF_MAX__ 9223372036854775807L
#define __SCHAR_MAX__ 127
#define __SHRT_MAX__ 32767
#define __SIZEOF_DOUBLE__ 8
#define __SIZEOF_FLOAT__ 4
#define __SIZEOF_INT128__ 16
#define __SIZEOF_INT__ 4
#define __SIZEOF_LONG_DOUBLE__ 8
#define __SIZEOF_LONG_LONG__ 8
#define __SIZEOF_LONG__ 8
#define __SIZEOF_POINTER__ 8
#define __SIZEOF_PTRDIFF_T__ 8
#define __SIZEOF_SHORT__ 2
#define __SIZEOF_SIZE_T__ 8
#define __SIZEOF_WCHAR_T__ 4
#define __SIZEOF_WINT_T__ 4
#define __SIZE_MAX__ 18446744073709551615UL
#define __STDC_HOSTED__ 1
#define __STDC_NO_THREADS__ 1
#define __STDC_VERSION__ 201710L
#define __STDC__ 1
#define __UINTMAX_MAX__ 18446744073709551615UL
#define __WCHAR_MAX__ 2147483647
#define __aarch64__ 1
#define __clang__ 1
#define __clang_major__ 14
#define __apple_build_version__ 14030022
