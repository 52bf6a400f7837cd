//! The codes of `stable-abi port`'s findings: one per kind of blocker.

use crate::code::Code;

pub const FULL_API_ONLY: Code = Code {
    name: "full-api-only",
    command: "port",
    summary: "a source uses a name the full API declares and the Limited API never does",
    doc: "What it finds: a use of a function, macro, type or variable that the headers declare \
without Py_LIMITED_API and at no Limited API version: the view of Python.h (and every other \
public header) with the macro undefined has it, the limited views from 3.2 to the headers' own \
do not.

Why it matters: compiled with Py_LIMITED_API the source does not build (gcc: implicit \
declaration, unknown type name, undeclared). Most such names are macros that reach into an \
object's struct, or private functions (_PyArg_*), and have a function of the Limited API that \
does the same; the finding names it when one exists, with where that advice comes from.

Example:
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    error: PyUnicode_GET_LENGTH is not in the Limited API (the full API declares it) [full-api-only]
        note: instead: PyUnicode_GetLength(s) (abi3 3.7; https://docs.python.org/3/c-api/unicode.html#c.PyUnicode_GetLength)",
};

pub const NEWER_THAN_TARGET: Code = Code {
    name: "newer-than-target",
    command: "port",
    summary: "a source uses a Limited API name added after the target version",
    doc: "What it finds: a use of a name the Limited API has, but only from a version after the \
target (`--target`, or the source's own #define Py_LIMITED_API); the message names the version. \
For functions and data the manifest's `added` counts too: a header that declares a function \
too early (see `headers`' too-early) does not make it load on older Pythons.

Why it matters: an extension built for 3.N must load on every Python from 3.N on. Raise the \
target to the version named, or keep the call behind `#if Py_LIMITED_API+0 >= 0x030N0000`.

Example (target 3.10):
    const char *name = PyUnicode_AsUTF8(s);
    error: PyUnicode_AsUTF8 is in the Limited API from 3.13, after the target 3.10 [newer-than-target]
        note: instead: PyUnicode_AsUTF8AndSize(s, NULL) (abi3 3.10; …)",
};

pub const OPAQUE_MEMBER: Code = Code {
    name: "opaque-member",
    command: "port",
    summary: "a source reads or writes a member of a struct the Limited API keeps opaque",
    doc: "What it finds: `->member` or `.member` where the member belongs to a struct the full \
API defines and the Limited API leaves incomplete (PyTypeObject, PyUnicodeObject, \
PyFrameObject…), and to no struct that is complete at the target nor to one the source defines.

Why it matters: with Py_LIMITED_API the struct has no members to access (gcc: invalid use of \
incomplete typedef), and its layout may change between versions, which is why it is hidden. \
Type slots are read with PyType_GetSlot, names with PyType_GetName, and so on.

Example:
    Py_TYPE(self)->tp_free(self);
    error: tp_free is a member of PyTypeObject, which the Limited API keeps opaque [opaque-member]
        note: instead: PyType_GetSlot(tp, Py_tp_free) (abi3 3.4; …)",
};

pub const OPAQUE_OBJECT: Code = Code {
    name: "opaque-object",
    command: "port",
    summary: "a source defines an object (or takes the size) of a struct the Limited API keeps opaque",
    doc: "What it finds: a variable of a struct type by value (`static PyTypeObject Foo_Type = \
{...}`), a struct member of such a type, or `sizeof(T)`, where the full API defines T and the \
Limited API declares it only incompletely.

Why it matters: an object's size must be known to define it; with Py_LIMITED_API gcc says \
\"storage size isn't known\" or \"has initializer but incomplete type\". Static types become \
heap types made with PyType_FromSpec.

Example:
    static PyTypeObject Spam_Type = { PyVarObject_HEAD_INIT(NULL, 0) \"spam.Spam\", ... };
    error: PyTypeObject is opaque in the Limited API: no object of it can be defined, nor its size taken [opaque-object]
        note: instead: a heap type: PyType_FromSpec(&spec) (abi3 3.2; …)",
};

pub const HIDDEN_BY_ABI3T: Code = Code {
    name: "hidden-by-abi3t",
    command: "port",
    summary: "a source uses what abi3 has and abi3t (the free-threaded Stable ABI) hides",
    doc: "What it finds (with --abi abi3t): a use of a name, a member or an object that the abi3 \
view of the headers has and the abi3t view (Py_TARGET_ABI3T) of the same version has not: \
PyObject_HEAD in an object struct, a static PyModuleDef, PyModuleDef_HEAD_INIT, direct ob_refcnt \
or ob_type; and the functions abi3t still declares but an extension cannot use, because they \
take a struct abi3t makes opaque (PyModuleDef_Init, PyModule_Create). Derived by comparing the \
two views, not listed by hand.

Why it matters: abi3t makes PyObject opaque so that one extension serves free-threaded and GIL \
builds alike; code that knows the object header's layout cannot be built for it. Modules export \
PyModExport_<name> with slots, types use a negative basicsize and PyObject_GetTypeData \
(the abi3t migration howto, docs.python.org/3.15/howto/abi3t-migration.html).

Example (--abi abi3t):
    static struct PyModuleDef spam_module = { PyModuleDef_HEAD_INIT, \"spam\", ... };
    error: PyModuleDef is complete in abi3 but opaque in abi3t: no object of it can be defined, nor its size taken [hidden-by-abi3t]",
};

/// Every code of `port`, in report order.
pub const CODES: &[&Code] = &[
    &FULL_API_ONLY,
    &NEWER_THAN_TARGET,
    &OPAQUE_MEMBER,
    &OPAQUE_OBJECT,
    &HIDDEN_BY_ABI3T,
];
