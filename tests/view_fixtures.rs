//! The view on small fixture trees (`tests/fixtures/view/`): conditionals,
//! macro expansion in `#if`, `#undef`, include guards and resolution,
//! `-D`/`-U`, structs and typedefs, and every kind of bad input.

use std::path::{Path, PathBuf};

use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers, View};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/view")
        .join(name)
}

fn view_with(limited: Option<Version>, load: &Defines, extra: &Defines) -> View {
    let headers = Headers::load(&fixture("basic"), load).expect("fixture loads");
    headers
        .view(limited, extra)
        .unwrap_or_else(|err| panic!("{err:#}"))
}

fn view(limited: Option<Version>) -> View {
    view_with(limited, &Defines::default(), &Defines::default())
}

fn v(minor: u8) -> Option<Version> {
    Some(Version::new(3, minor))
}

fn functions(view: &View) -> Vec<&str> {
    view.functions.keys().map(|name| &**name).collect()
}

fn define(name: &str) -> Defines {
    Defines {
        defines: vec![(name.to_string(), "1".to_string())],
        undefines: Vec::new(),
    }
}

fn undefine(name: &str) -> Defines {
    Defines {
        defines: Vec::new(),
        undefines: vec![name.to_string()],
    }
}

#[test]
fn if_elif_else_follow_the_version() {
    assert_eq!(functions(&view(v(2))), ["Py_Before35", "Py_Guarded"]);
    for minor in 5..=8 {
        assert_eq!(functions(&view(v(minor))), ["Py_From35To38", "Py_Guarded"]);
    }
    for limited in [v(9), v(13), None] {
        assert_eq!(functions(&view(limited)), ["Py_Guarded", "Py_Since39"]);
    }
}

#[test]
fn function_like_macros_expand_in_conditions() {
    // Py_TWICE(Py_LIMITED_API) == 6 only for 3.2, where Py_LIMITED_API is 3.
    assert!(view(v(2)).data.contains_key("Py_OnlyAt32"));
    assert!(!view(v(3)).data.contains_key("Py_OnlyAt32"));
    // `##` pasting, variadic arguments and <limits.h>'s INT_MAX.
    let data = view(v(13)).data;
    assert!(data.contains_key("Py_Pasted"), "{data:?}");
    assert_eq!(data["Py_Pasted"].location.line, 27);
}

#[test]
fn elif_after_a_taken_branch_is_not_evaluated() {
    // `#elif 1/0` would be a division by zero, were it evaluated.
    let view = view(v(13));
    assert!(view.macros.contains_key("Py_FIRST_BRANCH"));
    assert!(!view.macros.contains_key("Py_NOT_EVALUATED"));
}

#[test]
fn undef_removes_a_macro() {
    let view = view(None);
    assert!(!view.functions.contains_key("Py_NeverDeclared"));
    assert!(!view.macros.contains_key("Py_TEMP"));
    assert!(view.macros.contains_key("Py_TWICE"));
    assert!(view.exposes("Py_TWICE") && view.exposes("Py_Guarded"));
    assert!(!view.exposes("Py_TEMP"));
    assert_eq!(view.symbol("Py_Pasted").map(|d| d.location.line), Some(27));
}

#[test]
fn include_guards_and_include_resolution_behave_like_a_compiler() {
    let view = view(v(13));
    let guarded = &view.functions["Py_Guarded"].location;
    assert_eq!((guarded.line, guarded.column), (3, 17));
    assert!(guarded.path.ends_with("Include/guarded.h"));
    // The second inclusion re-enters the file and takes the guard's #else.
    assert!(view.macros.contains_key("Py_INCLUDED_TWICE"));
    // "sibling.h" from Include/sub/inner.h is Include/sub/sibling.h.
    assert!(view.macros.contains_key("Py_FROM_SUB"));
    assert!(!view.macros.contains_key("Py_FROM_INCLUDE"));
    // `#pragma once`: the second inclusion is skipped.
    assert!(view.macros.contains_key("Py_ONCE_SEEN"));
    assert!(!view.macros.contains_key("Py_ONCE_TWICE"));
}

#[test]
fn command_line_defines_and_undefines() {
    let plain = view(v(13));
    assert!(!plain.functions.contains_key("Py_WithFeature"));
    assert!(!plain.functions.contains_key("Py_NoFork"));
    assert!(!plain.functions.contains_key("_Py_RefDebug"));

    // -D at load time, or per view.
    let loaded = view_with(v(13), &define("Py_FEATURE"), &Defines::default());
    assert!(loaded.functions.contains_key("Py_WithFeature"));
    let extra = view_with(v(13), &Defines::default(), &define("Py_FEATURE"));
    assert!(extra.functions.contains_key("Py_WithFeature"));
    assert_eq!(
        extra.structs["PyFull"].members.as_deref(),
        Some(&["a".to_string(), "b".to_string(), "c".to_string()][..])
    );

    // Macros defined from other macros during the walk.
    let debug = view_with(v(13), &Defines::default(), &define("Py_DEBUG"));
    assert!(debug.functions.contains_key("_Py_RefDebug"));
    assert!(debug.macros.contains_key("Py_REF_DEBUG"));

    // -U wins over the configuration (here the built-in pyconfig.h).
    let no_fork = view_with(v(13), &Defines::default(), &undefine("HAVE_FORK"));
    assert!(no_fork.functions.contains_key("Py_NoFork"));
    assert!(!no_fork.macros.contains_key("HAVE_FORK"));
    // -U of a compiler macro.
    let no_gnuc = view_with(v(13), &undefine("__GNUC__"), &define("Py_DEBUG"));
    assert!(!no_gnuc.functions.contains_key("_Py_RefDebug"));
}

#[test]
fn structs_have_members_or_are_opaque() {
    let view = view(v(13));
    assert_eq!(view.structs["PyOpaque"].members, None);
    assert_eq!(
        view.structs["PyFull"].members.as_deref(),
        Some(&["a".to_string(), "c".to_string()][..])
    );
    // Declared incomplete first, completed later: the typedef sees it.
    let later = ["x", "y", "z"].map(String::from);
    assert_eq!(view.structs["PyLater"].members.as_deref(), Some(&later[..]));
    assert_eq!(view.structs["_later"].members.as_deref(), Some(&later[..]));
    // Members declared by a macro (like PyObject_HEAD) are expanded.
    let with_head = ["ob_base", "ob_flags", "meth"].map(String::from);
    assert_eq!(
        view.structs["PyWithHead"].members.as_deref(),
        Some(&with_head[..])
    );
}

#[test]
fn typedef_names() {
    let view = view(v(13));
    let names: Vec<&str> = view.typedefs.keys().map(|name| &**name).collect();
    assert_eq!(
        names,
        ["PyFull", "PyLater", "PyOpaque", "PyWithHead", "Py_callback"]
    );
    assert_eq!(view.typedefs["Py_callback"].location.line, 61);
}

/// Loads an error fixture and returns the error of its 3.2 view.
fn error_of(name: &str) -> String {
    let root = fixture(&format!("errors/{name}"));
    let headers = Headers::load(&root, &Defines::default()).expect("loads");
    let error = headers
        .view(v(2), &Defines::default())
        .expect_err("the view must fail");
    format!("{error:#}")
}

#[test]
fn unbalanced_if_is_an_error() {
    let message = error_of("unbalanced_if");
    assert!(
        message.contains("Include/broken.h:1:1: error: unterminated #ifdef"),
        "{message}"
    );
    assert!(
        message.contains("Include/Python.h:2:1: note: included from here"),
        "{message}"
    );
}

#[test]
fn else_without_if_is_an_error() {
    let message = error_of("else_without_if");
    assert!(
        message.contains("Include/Python.h:3:1: error: #else without #if"),
        "{message}"
    );
}

#[test]
fn include_cycle_is_an_error() {
    let message = error_of("include_cycle");
    assert!(
        message.contains("Include/b.h:1:1: error: #include nested too deeply (include cycle?)"),
        "{message}"
    );
    // The include stack is shown, but not all 200 levels of it.
    assert!(message.lines().count() < 20, "{message}");
}

#[test]
fn missing_header_is_an_error() {
    let message = error_of("missing_header");
    assert!(
        message.contains("Include/Python.h:3:1: error: 'nowhere.h' file not found"),
        "{message}"
    );
}

#[test]
fn malformed_condition_is_an_error() {
    let message = error_of("bad_expression");
    assert!(
        message.contains("Include/Python.h:2:1: error: expected ')'"),
        "{message}"
    );
    // An error in Python.h itself has no include stack.
    assert!(!message.contains("note:"), "{message}");
}

#[test]
fn error_directive_in_an_active_region_is_an_error() {
    let message = error_of("error_directive");
    assert!(
        message.contains("Include/Python.h:3:1: error: #error \"too old for these headers\""),
        "{message}"
    );
    // Inactive at 3.5: no error.
    let root = fixture("errors/error_directive");
    let headers = Headers::load(&root, &Defines::default()).unwrap();
    assert!(headers.view(v(5), &Defines::default()).is_ok());
}

#[test]
fn unreadable_tree_is_an_error() {
    let error = Headers::load(&fixture("nowhere"), &Defines::default())
        .err()
        .expect("no tree, no headers");
    assert!(format!("{error:#}").contains("patchlevel.h"));
}

#[test]
fn empty_condition_is_an_error_only_where_evaluated() {
    let headers = Headers::from_text(b"#define Py_A 1\n#if\n#endif\n");
    let error = headers.view(None, &Defines::default()).unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "Include/Python.h:2:1: error: #if with no expression"
    );
    // Inside a skipped group it is never evaluated (the fixture has one).
    assert!(view(None).macros.contains_key("Py_TWICE"));
}

#[test]
fn headers_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Headers>();
    let headers = Headers::load(&fixture("basic"), &Defines::default()).unwrap();
    let counts: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = [2, 9]
            .map(|minor| {
                let headers = &headers;
                scope.spawn(move || {
                    let view = headers.view(v(minor), &Defines::default()).unwrap();
                    view.functions.len()
                })
            })
            .into_iter()
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(counts, [2, 2]);
}
