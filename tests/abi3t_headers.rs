//! The 3.15 headers (`../shared/cpython/3.15.2`): the struct member reader
//! survives them, and the abi3t view equals `gcc -E -DPy_TARGET_ABI3T`.

mod common;

use stable_abi::version::Version;
use stable_abi::view::{Headers, Profile};

#[test]
fn pyobject_has_all_its_members_at_3_15() {
    let Some(tree) = common::abi3t_tree("pyobject_has_all_its_members_at_3_15") else {
        return;
    };
    let headers = Headers::load(&tree, &Profile::default()).expect("headers load");
    let view = headers
        .view(Some(Version::new(3, 15)), &Profile::default())
        .expect("view");
    let members = view.structs["PyObject"].members.clone().expect("complete");
    // The anonymous union's members, then the member after it.
    assert_eq!(
        members,
        [
            "ob_refcnt_full",
            "ob_refcnt",
            "ob_overflow",
            "ob_flags",
            "_aligner",
            "ob_type"
        ]
    );
}

#[test]
fn no_struct_finding_on_3_15() {
    let Some(tree) = common::abi3t_tree("no_struct_finding_on_3_15") else {
        return;
    };
    let output = common::stable_abi(&tree, &["headers", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let structs: Vec<_> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == "struct")
        .collect();
    assert!(structs.is_empty(), "{structs:#?}");
}
