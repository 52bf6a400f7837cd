#ifndef Py_PATCHLEVEL_H
#define Py_PATCHLEVEL_H

#define PY_MAJOR_VERSION        3
#define PY_MINOR_VERSION        13
#define PY_MICRO_VERSION        0

#define PY_VERSION_HEX ((PY_MAJOR_VERSION << 24) | (PY_MINOR_VERSION << 16) | \
                        (PY_MICRO_VERSION <<  8))

#endif /* !Py_PATCHLEVEL_H */
