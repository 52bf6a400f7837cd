/* What <time.h> defines that Python's headers test (glibc, linux x86-64).
   Regenerate: echo '#include <time.h>' | gcc -dM -E - | sort
   and keep the lines whose name appears here (or that a new header tests). */
#define CLOCK_MONOTONIC 1
