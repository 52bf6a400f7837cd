#ifndef Py_PYPORT_H
#define Py_PYPORT_H

typedef long Py_ssize_t;

// A feature macro: the manifest's HAVE_FORK items exist only where it is
// defined. (In CPython it comes from pyconfig.h.)
#ifndef MS_WINDOWS
#  define HAVE_FORK 1
#endif

#endif /* !Py_PYPORT_H */
