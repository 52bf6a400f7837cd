use super::declared::inactive_ranges;
use super::*;

/// The names among `tokens`.
fn idents<'s>(tokens: &[Placed<'s>]) -> Vec<&'s str> {
    tokens
        .iter()
        .filter_map(|t| match t.tok {
            Tok::Ident(name) => Some(name),
            _ => None,
        })
        .collect()
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let include = dir.path().join("Include");
    std::fs::create_dir(&include).unwrap();
    std::fs::write(
        include.join("patchlevel.h"),
        "#define PY_MINOR_VERSION 13\n",
    )
    .unwrap();
    std::fs::write(
        include.join("Python.h"),
        "#ifndef Py_LIMITED_API\n#define FULL_ONLY 1\n#endif\n#define Py_TRUE 1\n",
    )
    .unwrap();
    std::fs::write(include.join("extra.h"), "#define EXTRA 1\n").unwrap();
    dir
}

#[test]
fn a_unit_keeps_the_active_code_of_its_files() {
    let dir = tree();
    let headers = Headers::load(dir.path(), &Defines::default()).unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(
        src.join("local.h"),
        "#ifndef LOCAL_H\n#define LOCAL_H\ntypedef struct { int own; } Own;\n#endif\n",
    )
    .unwrap();
    std::fs::write(
        src.join("mod.c"),
        "#include <Python.h>\n#include \"local.h\"\n#include \"local.h\"\n\
         #include \"extra.h\"\n#include <stdio.h>\n\
         #ifdef FULL_ONLY\nint full;\n#else\nint limited;\n#endif\n\
         #if EXTRA\n#define USE(o) o->tp_name\n#endif\n",
    )
    .unwrap();
    let mut sources = Sources::new(&headers, &[]);
    let main = sources.add(&src.join("mod.c")).unwrap();
    assert_eq!(sources.add(&src.join("./mod.c")).unwrap(), main);

    let limited = Defines::define("Py_LIMITED_API", "0x030A0000");
    let unit = sources.walk(main, &limited).unwrap();
    assert_eq!(unit.files.len(), 2, "{:?}", unit.files);
    let main_file = &unit.files[0];
    assert_eq!(idents(&main_file.code), ["int", "limited"]);
    assert_eq!(main_file.defines[0].name, "USE");
    assert_eq!(idents(&main_file.defines[0].body), ["o", "tp_name"]);
    assert!(unit.files[1].types.contains(&"Own"));
    assert_eq!(unit.files[1].members, ["own"]);
    let value = unit.limited_api.unwrap();
    assert_eq!(value.value, 0x030A0000);
    assert!(!value.in_unit);

    let unit = sources.walk(main, &Defines::default()).unwrap();
    assert_eq!(idents(&unit.files[0].code), ["int", "full"]);
    assert!(unit.limited_api.is_none());
}

#[test]
fn inactive_ranges_are_what_every_pass_skipped() {
    // One pass: its ranges, merged where they touch.
    assert_eq!(
        inactive_ranges(&[vec![(0, 5), (5, 9), (20, 30)]]),
        [(0, 9), (20, 30)]
    );
    // Two passes (a header included twice, its guard skipping all of it
    // the second time): only what both skipped.
    assert_eq!(
        inactive_ranges(&[vec![(10, 20)], vec![(0, 100)]]),
        [(10, 20)]
    );
    assert_eq!(inactive_ranges(&[vec![(10, 20)], vec![(30, 40)]]), []);
    assert_eq!(inactive_ranges(&[vec![]]), []);
}

#[test]
fn errors_are_located() {
    let dir = tree();
    let headers = Headers::load(dir.path(), &Defines::default()).unwrap();
    let path = dir.path().join("bad.c");
    std::fs::write(&path, "#include \"Python.h\"\n#include \"missing.h\"\n").unwrap();
    let mut sources = Sources::new(&headers, &[]);
    let main = sources.add(&path).unwrap();
    let error = sources.walk(main, &Defines::default()).unwrap_err();
    assert!(error.to_string().contains("bad.c:2:1"), "{error}");
    assert!(sources.add(&dir.path().join("nothing.c")).is_err());
}
