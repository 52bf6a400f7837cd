#ifndef Py_ERRORS_H
#define Py_ERRORS_H

PyAPI_FUNC(void) PyErr_SetString(PyObject *, const char *);
PyAPI_DATA(PyObject *) PyExc_TypeError;

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_DATA(PyObject *) PyExc_EncodingWarning;
#endif

// Only on Windows: the manifest marks it `ifdef = 'MS_WINDOWS'`.
#ifdef MS_WINDOWS
PyAPI_FUNC(PyObject *) PyErr_SetFromWindowsErr(int);
#endif

#endif /* !Py_ERRORS_H */
