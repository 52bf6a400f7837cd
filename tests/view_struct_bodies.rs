//! The struct member reader on one fixture header per shape of struct body
//! (`tests/fixtures/view/struct_bodies/Include/shapes/`): macro-typed
//! members, anonymous unions and structs, macros standing for members,
//! function pointers, nested named structs, bit-fields and arrays.

use std::path::Path;

use stable_abi::version::Version;
use stable_abi::view::{Defines, Headers, View};

fn view() -> View {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/view/struct_bodies");
    let headers = Headers::load(&root, &Defines::default()).expect("fixture loads");
    headers
        .view(Some(Version::new(3, 13)), &Defines::default())
        .unwrap_or_else(|err| panic!("{err:#}"))
}

fn members(view: &View, name: &str) -> Vec<String> {
    let def = view
        .structs
        .get(name)
        .unwrap_or_else(|| panic!("{name} not found"));
    def.members
        .clone()
        .unwrap_or_else(|| panic!("{name} is incomplete"))
}

#[test]
fn macro_typed_member() {
    assert_eq!(
        members(&view(), "MacroTyped"),
        ["before", "aligned", "state", "after"]
    );
}

#[test]
fn anonymous_union_members_belong_to_the_enclosing_struct() {
    // Only the active branch of the `#if` inside the union counts.
    assert_eq!(members(&view(), "AnonUnion"), ["full", "aligner", "type"]);
}

#[test]
fn anonymous_struct_inside_anonymous_union() {
    assert_eq!(
        members(&view(), "AnonStruct"),
        ["word", "low", "high", "tail"]
    );
}

#[test]
fn member_macros_expand() {
    let view = view();
    assert_eq!(
        members(&view, "WithHead"),
        ["ob_refcnt", "ob_type", "method"]
    );
    assert_eq!(members(&view, "OnlyHead"), ["ob_refcnt", "ob_type"]);
}

#[test]
fn function_pointer_members() {
    assert_eq!(
        members(&view(), "FunctionPointers"),
        ["size", "table", "first", "second"]
    );
}

#[test]
fn nested_named_struct_is_one_member() {
    assert_eq!(
        members(&view(), "NestedNamed"),
        ["point", "value", "colour"]
    );
}

#[test]
fn bitfields_and_arrays() {
    assert_eq!(
        members(&view(), "Bits"),
        ["interned", "kind", "name", "data"]
    );
}
