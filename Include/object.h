#ifndef Py_OBJECT_H
#define Py_OBJECT_H

// A 'members' struct: only ob_refcnt and ob_type are in the Stable ABI.
typedef struct _object {
    Py_ssize_t ob_refcnt;
    struct _typeobject *ob_type;
} PyObject;

// An 'opaque' struct: the Limited API only sees a pointer.
typedef struct _typeobject PyTypeObject;

#define PyObject_HEAD PyObject ob_base;

typedef void (*destructor)(PyObject *);

// 'full-abi' structs: extensions define arrays of these.
typedef struct {
    int slot;
    void *pfunc;
} PyType_Slot;

typedef struct {
    const char *name;
    int basicsize;
    int itemsize;
    unsigned int flags;
    PyType_Slot *slots;
} PyType_Spec;

#define Py_tp_dealloc 52
#define Py_TPFLAGS_DEFAULT 0

PyAPI_DATA(PyTypeObject) PyType_Type;
PyAPI_DATA(PyObject) _Py_NoneStruct;     // abi_only: reached through Py_None
#define Py_None (&_Py_NoneStruct)

PyAPI_FUNC(PyObject *) PyType_FromSpec(PyType_Spec *);
PyAPI_FUNC(PyObject *) PyObject_Repr(PyObject *);
PyAPI_FUNC(void) Py_IncRef(PyObject *);
PyAPI_FUNC(void) Py_DecRef(PyObject *);

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(PyObject *) PyObject_GetAIter(PyObject *);
#endif

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030B0000
PyAPI_FUNC(PyObject *) PyType_GetName(PyTypeObject *);
#endif

// Added in 3.13, but declared without the version guard that should read
// `#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000`: an
// extension built for 3.12 compiles against it and then fails to load on
// 3.12. Accepted in Misc/stable_abi.baseline, like CPython's own.
PyAPI_FUNC(int) PyObject_GetOptionalAttr(PyObject *, PyObject *, PyObject **);

#ifndef Py_LIMITED_API
#  include "cpython/object.h"
#endif

#endif /* !Py_OBJECT_H */
