/* What <sys/stat.h> defines that Python's headers test (glibc, linux x86-64,
   with pyconfig.h's _GNU_SOURCE/_XOPEN_SOURCE).
   Regenerate: echo '#include <sys/stat.h>' | gcc -dM -E - | sort
   and keep the lines whose name appears here (or that a new header tests). */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_ISDIR(mode) (((mode) & S_IFMT) == S_IFDIR)
#define S_ISCHR(mode) (((mode) & S_IFMT) == S_IFCHR)
#define S_ISREG(mode) (((mode) & S_IFMT) == S_IFREG)
#define S_ISLNK(mode) (((mode) & S_IFMT) == S_IFLNK)
