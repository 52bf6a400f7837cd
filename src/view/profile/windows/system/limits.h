/* What the Universal CRT's <limits.h> defines that Python's headers test
   (Windows x64, LLP64: long is 32 bits). From Microsoft's "C and C++
   integer limits": https://learn.microsoft.com/en-us/cpp/c-language/cpp-integer-limits
   Cross-check: echo '#include <limits.h>' | x86_64-w64-mingw32-gcc -dM -E -
   (MinGW-w64 has the same values, spelled with gcc's __INT_MAX__ ...). */
#define CHAR_BIT 8
#define SCHAR_MAX 127
#define SCHAR_MIN (-128)
#define UCHAR_MAX 0xff
#define CHAR_MAX SCHAR_MAX
#define CHAR_MIN SCHAR_MIN
#define SHRT_MAX 32767
#define SHRT_MIN (-32768)
#define USHRT_MAX 0xffff
#define INT_MAX 2147483647
#define INT_MIN (-2147483647 - 1)
#define UINT_MAX 0xffffffff
#define LONG_MAX 2147483647L
#define LONG_MIN (-2147483647L - 1)
#define ULONG_MAX 0xffffffffUL
#define LLONG_MAX 9223372036854775807LL
#define LLONG_MIN (-9223372036854775807LL - 1)
#define ULLONG_MAX 0xffffffffffffffffULL
