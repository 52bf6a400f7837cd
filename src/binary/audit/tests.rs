use super::*;

fn table() -> AbiTable {
    AbiTable::parse("[function.PyLong_FromLong]\n    added = '3.2'\n", "t").unwrap()
}

#[test]
fn the_target_comes_from_the_tag_then_the_option_then_3_2() {
    let tag = WheelTag::parse("cp39-abi3-any").unwrap();
    let with_target = TargetDefault {
        target: Some(Version::new(3, 11)),
        ..TargetDefault::default()
    };
    assert_eq!(
        with_target.pick(Some(&tag)),
        (Version::new(3, 9), "wheel tag")
    );
    let py3 = WheelTag::parse("py3-abi3-any").unwrap();
    assert_eq!(
        with_target.pick(Some(&py3)),
        (Version::new(3, 11), "--target")
    );
    let none = TargetDefault::default();
    assert_eq!(none.pick(None), (Version::FIRST, "default"));
}

#[test]
fn garbage_extensions_are_reports_with_errors() {
    for bytes in [&b""[..], b"\x7fELF", b"MZ", b"PK\x03\x04", &[0xff; 64]] {
        let report = audit_extension(
            "x.abi3.so",
            bytes,
            &table(),
            Version::FIRST,
            &FeatureOverrides::default(),
        );
        assert!(report.error.is_some());
        assert!(!report.is_clean());
    }
}
