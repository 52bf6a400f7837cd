/* What <unistd.h> defines that Python's headers test (glibc, linux x86-64,
   with pyconfig.h's _GNU_SOURCE/_XOPEN_SOURCE).
   Regenerate: echo '#include <unistd.h>' | gcc -dM -E - | sort
   and keep the lines whose name appears here (or that a new header tests). */
#define _POSIX_VERSION 200809L
#define _POSIX_THREADS 200809L
#define _POSIX_SEMAPHORES 200809L
#define _SC_THREADS _SC_THREADS
