//! The codes of `stable-abi port`'s findings: one per kind of blocker.
//! Each doc's example is what `port` prints for its code against CPython
//! 3.15.2's headers, with the options in its parentheses (`tests/port.rs`
//! runs every one).

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

A macro that a limited header defines but that expands to names of the full API only (3.13's \
PySequence_Fast_GET_SIZE, whose expansion uses PyList_GET_SIZE) is such a name too: the message \
names what it expands to.

Example (--target 3.10):
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
too early (see `headers`' too-early) does not make it load on older Pythons (a warning: it \
builds). A name that is a macro or a static inline function at older versions and a function \
later (Py_TYPE, Py_SIZE) is usable from its oldest version.

Why it matters: an extension built for 3.N must load on every Python from 3.N on. Raise the \
target to the version named, or keep the use behind `#if Py_LIMITED_API+0 >= 0x030N0000`.

A use under `#if PY_VERSION_HEX >= 0x030N0000` is a special case: PY_VERSION_HEX is the version \
of the headers the extension is compiled with, not of the Pythons it runs on, so the branch is \
compiled for the target and does not build. The note shows the #if, and the fix is to test \
Py_LIMITED_API there instead: such a use does not raise the version the code needs (nor the \
target port computes when there is no --target). So for a source's own definition of the name \
for older Pythons (a fallback) under `#if PY_VERSION_HEX < 0x030N0000`, which the headers' \
version leaves out: the note shows that #if. And for a use under `#ifdef Py_...` of a name the \
headers define at the target too (3.15 defines the slot ID Py_mod_gil at every version, \
Py_MOD_GIL_NOT_USED from 3.13): the fix is to test Py_LIMITED_API there too.

Example (--target 3.10):
    PyObject *name = PyType_GetName(tp);
    error: PyType_GetName is in the Limited API from 3.11, after the target 3.10 [newer-than-target]
        note: raise the target to 3.11, or keep the use under #if Py_LIMITED_API+0 >= 0x030b0000",
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

Example (--target 3.10):
    Py_TYPE(self)->tp_free(self);
    error: tp_free is a member of PyTypeObject, which the Limited API keeps opaque [opaque-member]
        note: instead: PyType_GetSlot(tp, Py_tp_free) (abi3 3.4; https://docs.python.org/3/c-api/type.html#c.PyType_GetSlot)",
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

Example (--target 3.10):
    static PyTypeObject Spam_Type = { PyVarObject_HEAD_INIT(NULL, 0) \"spam.Spam\" };
    error: PyTypeObject is opaque in the Limited API: no object of it can be defined, nor its size taken [opaque-object]
        note: instead: a heap type: PyType_FromSpec(&spec) (abi3 3.2; https://docs.python.org/3/c-api/type.html#c.PyType_FromSpec)
        note: or: PyType_FromModuleAndSpec(module, &spec, NULL), to reach the module's state (abi3 3.10)",
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
    static struct PyModuleDef spam_module = { PyModuleDef_HEAD_INIT, \"spam\" };
    error: PyModuleDef is complete in abi3 but opaque in abi3t: no object of it can be defined, nor its size taken [hidden-by-abi3t]
        note: instead: a PyMODEXPORT_FUNC PyModExport_<name>(void) returning the module's PySlot array, instead of PyInit_<name> and a PyModuleDef (abi3t 3.15; https://docs.python.org/3.15/howto/abi3t-migration.html)",
};

pub const MISSING_INCLUDE: Code = Code {
    name: "missing-include",
    command: "port",
    summary: "a source uses a C library name from a header Python.h includes only without the Limited API",
    doc: "What it finds: a use of a name of the C library (exit, fprintf, errno, memcpy, isdigit, \
close...) in a source that does not include its header and got it from Python.h, which includes \
that header for the full API but not under Py_LIMITED_API at the target. Since 3.11 Python.h \
leaves out <stdio.h>, <stdlib.h> and <errno.h> (3.13: also <ctype.h> and <unistd.h>) when \
Py_LIMITED_API is 3.11 or newer, as the comment and #if near its top say. Which headers Python.h \
includes where is read from the headers at each version; which names a header declares comes \
from the C library (src/port/system_names.txt, generated with glibc by \
.ci/regen-system-names). A function counts when it is called, and a name the source declares \
itself (a variable `int index`) does not.

Why it matters: compiled with Py_LIMITED_API the source does not build (gcc: implicit \
declaration of function 'exit', 'errno' undeclared), although nothing in it is outside the \
Limited API. The fix is the #include, which needs no version.

Example (--target 3.11):
    fprintf(stderr, \"no memory\\n\");
    error: fprintf is declared by <stdio.h>, which the source does not include: Python.h includes it for the full API, not for abi3 3.11 [missing-include]
        note: Python.h includes <stdio.h> here only without Py_LIMITED_API or below 3.11
        note: instead: #include <stdio.h> in the source",
};

/// Every code of `port`, in report order.
pub const CODES: &[&Code] = &[
    &FULL_API_ONLY,
    &NEWER_THAN_TARGET,
    &OPAQUE_MEMBER,
    &OPAQUE_OBJECT,
    &HIDDEN_BY_ABI3T,
    &MISSING_INCLUDE,
];
