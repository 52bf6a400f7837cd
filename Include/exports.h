#ifndef Py_EXPORTS_H
#define Py_EXPORTS_H

#define Py_EXPORTED_SYMBOL __attribute__ ((visibility ("default")))
#define PyAPI_FUNC(RTYPE) Py_EXPORTED_SYMBOL RTYPE
#define PyAPI_DATA(RTYPE) extern Py_EXPORTED_SYMBOL RTYPE

#endif /* !Py_EXPORTS_H */
