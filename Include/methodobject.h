#ifndef Py_METHODOBJECT_H
#define Py_METHODOBJECT_H

typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);

struct PyMethodDef {
    const char *ml_name;
    PyCFunction ml_meth;
    int ml_flags;
    const char *ml_doc;
};
typedef struct PyMethodDef PyMethodDef;

#define METH_VARARGS  0x0001
#define METH_NOARGS   0x0004

// The manifest says METH_FASTCALL came with 3.10, and so does its guard.
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030a0000
#  define METH_FASTCALL  0x0080
#endif

#endif /* !Py_METHODOBJECT_H */
