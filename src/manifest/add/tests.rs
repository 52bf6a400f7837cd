use super::*;

const CPYTHON_STYLE: &str = "\
# Please append new items at the end.

[feature_macro.HAVE_FORK]
    doc = 'on platforms with fork()'
    windows = false
[function.PyFoo]
    added = '3.2'
[struct.PyLongExport]
    added = '3.14'
    # Note: a comment inside the entry.
    struct_abi_kind = 'full-abi'
";

fn item(kind: Kind, name: &str) -> NewItem {
    NewItem {
        kind,
        name: name.to_string(),
        added: Version::new(3, 15),
        abi_only: false,
        ifdef: None,
        struct_abi_kind: None,
        members: None,
    }
}

fn appended(text: &str, new: &NewItem) -> String {
    let path = Path::new("Misc/stable_abi.toml");
    let manifest = Manifest::parse(text, path).unwrap();
    validate(&manifest, new).unwrap();
    let result = append(text, path, new).unwrap_or_else(|e| panic!("{e:?}"));
    let base = if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    // What follows the last entry (blank lines, comments) stays last.
    let tail = base.len() - base.trim_end_matches(['\n', ' ']).len() - 1;
    let (head, tail) = base.split_at(base.len() - tail);
    assert!(
        result.starts_with(head) && result.ends_with(tail),
        "{result}"
    );
    result[head.len()..result.len() - tail.len()].to_string()
}

#[test]
fn appends_in_cpython_style() {
    assert_eq!(
        appended(CPYTHON_STYLE, &item(Kind::Function, "PyFoo_New")),
        "[function.PyFoo_New]\n    added = '3.15'\n"
    );
    let mut full = item(Kind::Struct, "PyBar");
    full.struct_abi_kind = Some(StructAbiKind::Members);
    full.members = Some(vec!["a".into(), "b".into()]);
    full.ifdef = Some("HAVE_FORK".into());
    full.abi_only = true;
    assert_eq!(
        appended(CPYTHON_STYLE, &full),
        "[struct.PyBar]\n    added = '3.15'\n    abi_only = true\n    ifdef = 'HAVE_FORK'\n    \
         struct_abi_kind = 'members'\n    members = ['a', 'b']\n"
    );
}

#[test]
fn follows_another_style_and_a_missing_final_newline() {
    let text = "[function.PyFoo]\n  added = \"3.2\"\n\n[macro.PY_X]\n  added = \"3.3\"";
    assert_eq!(
        appended(text, &item(Kind::Const, "PY_Y")),
        "\n[const.PY_Y]\n  added = \"3.15\"\n"
    );
}

#[test]
fn refuses_what_the_manifest_forbids() {
    let path = Path::new("Misc/stable_abi.toml");
    let manifest = Manifest::parse(CPYTHON_STYLE, path).unwrap();
    let mut private = item(Kind::Function, "_PyFoo");
    let mut unknown_feature = item(Kind::Function, "PyBaz");
    unknown_feature.ifdef = Some("MS_WINDOWS".into());
    let mut members_on_function = item(Kind::Function, "PyQux");
    members_on_function.members = Some(vec!["a".into()]);
    let cases = [
        (
            item(Kind::Macro, "PyFoo"),
            "Misc/stable_abi.toml:6:1: error: PyFoo is already in the manifest, as a function",
        ),
        (
            private.clone(),
            "is private (a leading underscore): pass --abi-only",
        ),
        (
            unknown_feature,
            "--ifdef MS_WINDOWS is not a feature macro of the manifest (it has: HAVE_FORK)",
        ),
        (item(Kind::Function, "2bad"), "is not a C identifier"),
        (
            item(Kind::Struct, "PyS"),
            "a struct needs --struct-abi-kind",
        ),
        (members_on_function, "only for a struct"),
        (item(Kind::FeatureMacro, "HAVE_X"), "by hand"),
    ];
    for (new, expected) in cases {
        let err = validate(&manifest, &new).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
    }
    private.abi_only = true;
    assert!(validate(&manifest, &private).is_ok());
}

#[test]
fn guard_line_is_the_headers_spelling() {
    assert_eq!(
        guard_line(Version::new(3, 13)),
        "#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000"
    );
}

#[test]
fn what_follows_the_last_entry_stays_last() {
    let text = format!("{CPYTHON_STYLE}\n\n");
    assert_eq!(
        appended(&text, &item(Kind::Data, "PyFoo_Type")),
        "[data.PyFoo_Type]\n    added = '3.15'\n"
    );
    let path = Path::new("Misc/stable_abi.toml");
    let result = append(&text, path, &item(Kind::Data, "PyFoo_Type")).unwrap();
    assert!(result.ends_with("'3.15'\n\n\n"), "{result:?}");
}

#[test]
fn crlf_and_a_bom_are_kept_and_mixed_endings_refused() {
    let path = Path::new("Misc/stable_abi.toml");
    let windows = format!("\u{feff}{}", CPYTHON_STYLE.replace('\n', "\r\n"));
    let mut members = item(Kind::Struct, "PyNew");
    members.struct_abi_kind = Some(StructAbiKind::Members);
    members.members = Some(vec!["a".into(), "b".into()]);
    let result = append(&windows, path, &members).unwrap();
    assert_eq!(
        result,
        format!(
            "{windows}[struct.PyNew]\r\n    added = '3.15'\r\n    \
             struct_abi_kind = 'members'\r\n    members = ['a', 'b']\r\n"
        )
    );
    let mixed = format!("{windows}# last\n");
    let err = append(&mixed, path, &item(Kind::Function, "PyNew")).unwrap_err();
    assert!(err.to_string().contains("mixes CRLF and LF"), "{err}");
}

#[test]
fn a_value_that_does_not_read_back_is_refused() {
    let path = Path::new("Misc/stable_abi.toml");
    // `validate` refuses such members first; `append` does not write them
    // either (it once wrote `members = []`).
    let mut members = item(Kind::Struct, "PyNew");
    members.struct_abi_kind = Some(StructAbiKind::Members);
    let manifest = Manifest::parse(CPYTHON_STYLE, path).unwrap();
    for bad in ["a'b", "a\nb", "a\\b"] {
        members.members = Some(vec![bad.into()]);
        assert!(matches!(
            validate(&manifest, &members),
            Err(Error::Usage(_))
        ));
    }
    for bad in ["a'b", "a\nb"] {
        members.members = Some(vec![bad.into()]);
        let err = append(CPYTHON_STYLE, path, &members);
        assert!(matches!(err, Err(Error::Usage(_))), "{bad:?}: {err:?}");
    }
}
