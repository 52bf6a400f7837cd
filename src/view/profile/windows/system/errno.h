/* What the Universal CRT's <errno.h> defines that Python's headers test.
   https://learn.microsoft.com/en-us/cpp/c-runtime-library/errno-constants
   Cross-check: echo '#include <errno.h>' | x86_64-w64-mingw32-gcc -dM -E - */
#define EINTR 4
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EOVERFLOW 132
