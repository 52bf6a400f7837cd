/* What <assert.h> defines that Python's headers use: glibc's <assert.h>
   under C11 and later (`__USE_ISOC11`).
   Regenerate: echo '#include <assert.h>' | gcc -std=gnu17 -dM -E - | grep static_assert */
#define static_assert _Static_assert
