// The full API: what Py_LIMITED_API hides.
#ifndef Py_CPYTHON_OBJECT_H
#define Py_CPYTHON_OBJECT_H

struct _typeobject {
    PyObject ob_base;
    const char *tp_name;
    destructor tp_dealloc;
};

PyAPI_FUNC(void) _PyObject_Dump(PyObject *);
PyAPI_FUNC(PyObject *) PyUnicode_New(Py_ssize_t, unsigned int);

#endif /* !Py_CPYTHON_OBJECT_H */
