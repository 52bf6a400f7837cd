/* What <errno.h> defines that Python's headers test (glibc, linux x86-64,
   with pyconfig.h's _GNU_SOURCE/_XOPEN_SOURCE).
   Regenerate: echo '#include <errno.h>' | gcc -dM -E - | sort
   and keep the lines whose name appears here (or that a new header tests). */
#define EINTR 4
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EOVERFLOW 75
