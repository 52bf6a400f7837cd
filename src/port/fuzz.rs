//! The fuzzing entry point of `port`: arbitrary bytes as an extension's
//! source, preprocessed over small headers and judged for both Stable ABIs.
//! It must never panic; `fuzz/fuzz_targets/port.rs` drives it with
//! cargo-fuzz, and the tests below with garbage of our own.

use std::path::Path;

use crate::abi::Abi;
use crate::manifest::Manifest;
use crate::version::Version;
use crate::view::{Defines, Headers, Sources};

use super::api::Api;
use super::scan;
use super::system::SystemNames;

/// Headers for the fuzzer: the fixtures' miniature tree in one text.
const HEADERS: &str = "#define PyAPI_FUNC(T) T\n\
    typedef struct _object PyObject;\ntypedef struct _typeobject PyTypeObject;\n\
    #ifndef Py_TARGET_ABI3T\nstruct _object { long ob_refcnt; PyTypeObject *ob_type; };\n\
    #define PyObject_HEAD PyObject ob_base;\n#endif\n\
    #ifndef Py_LIMITED_API\nstruct _typeobject { const char *tp_name; };\n\
    #define PyUnicode_GET_LENGTH(o) PyUnicode_GetLength(o)\n#endif\n\
    #if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030B0000\n\
    PyAPI_FUNC(PyObject *) PyType_GetName(PyTypeObject *);\n#endif\n\
    enum Kind { KIND_ONE = 1 };\nstatic inline int Py_Inline(void) { return 0; }\n";

/// What every run shares: the headers, their API and the C library's
/// names, built once per thread (building them is most of a run's cost).
struct Fixture {
    headers: Headers,
    api: Api,
    system: SystemNames,
}

thread_local! {
    static FIXTURE: Option<Fixture> = {
        let headers = Headers::from_text(HEADERS.as_bytes());
        let manifest = Manifest::empty("fuzz.toml".into());
        Api::build(&headers, &manifest).ok().map(|api| Fixture {
            headers,
            api,
            system: SystemNames::builtin(),
        })
    };
}

/// Runs `bytes` through every stage: reading, the walk of each ABI, the
/// scan. Errors (a bad `#if`, a missing include) are fine; panics are not.
pub fn fuzz_port(bytes: &[u8]) {
    FIXTURE.with(|fixture| {
        if let Some(fixture) = fixture {
            run(fixture, bytes);
        }
    });
}

fn run(fixture: &Fixture, bytes: &[u8]) {
    let Fixture {
        headers,
        api,
        system,
    } = fixture;
    let mut sources = Sources::new(headers, &[]);
    let main = sources.add_bytes(Path::new("fuzz.c"), bytes.to_vec());
    for abi in Abi::ALL {
        let target = abi.first_version().max(Version::new(3, 10));
        if target > api.version {
            continue;
        }
        let defines = Defines::define("Py_LIMITED_API", &format!("{:#x}", target.hex()));
        if let Ok(unit) = sources.walk(main, &defines) {
            scan::scan(&unit, api, system, abi, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        let samples: &[&[u8]] = &[
            b"",
            b"#include \"Python.h\"\nint f(PyObject *o) { return o->ob_refcnt; }\n",
            b"#if\n#endif",
            b"#if 1\n{ struct { int x; \n#else\n} }\n#endif\n",
            b"#define A(x) x->tp_name\nA(\nstatic PyTypeObject T = {",
            b"struct { struct { struct { union {",
            b"->->. . .. -> tp_name sizeof ( PyObject ) typedef ;;",
            b"#include <missing.h>\n#include \"missing.h\"\n",
            b"\xff\xfe\x00#\x00define\x00",
            b"#define Py_LIMITED_API 0x030A0000\n#ifdef Py_LIMITED_API\nKIND_ONE\n#endif\n",
        ];
        for sample in samples {
            fuzz_port(sample);
        }
        // Deterministic noise built from C's punctuation and the headers'
        // names.
        let pieces: [&[u8]; 12] = [
            b"#if ",
            b"#endif\n",
            b"{",
            b"}",
            b"->",
            b"tp_name",
            b"PyObject",
            b" ",
            b"\n",
            b"struct",
            b"(",
            b";",
        ];
        let mut state = 0x2545_f491_u32;
        for _ in 0..200 {
            let mut text = Vec::new();
            for _ in 0..40 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                text.extend_from_slice(pieces[state as usize % pieces.len()]);
            }
            fuzz_port(&text);
        }
    }
}
