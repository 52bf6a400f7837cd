/* What the Universal CRT's <sys/stat.h> defines that Python's headers test:
   the file types, without S_IFLNK and the S_IS* macros (Include/fileutils.h
   defines S_ISREG and S_ISDIR where they are missing).
   Cross-check: echo '#include <sys/stat.h>' | x86_64-w64-mingw32-gcc -dM -E - */
#define S_IFMT 0xF000
#define S_IFDIR 0x4000
#define S_IFCHR 0x2000
#define S_IFREG 0x8000
