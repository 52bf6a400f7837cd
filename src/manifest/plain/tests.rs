use super::*;

const SAMPLE: &str = "# A manifest.\n[feature_macro.HAVE_FORK]\n    doc = 'fork'\n\
    [function.PyA]\n    added = '3.2'\n    ifdef = 'HAVE_FORK'\n[struct.PyB]\n    \
    added = '3.2'\n    struct_abi_kind = 'members'\n    members = [\n      'a',\n      \
    'b',\n    ]\n[function.PyC]\n    added = '3.3'\n[data.PyD]\n    added = '3.4'\n";

/// The tables of every chunk, joined as one reading gives them.
fn joined(text: &str, chunk: usize) -> Result<Tables<'_>, GaveWay<'_>> {
    let mut all = Tables::default();
    read_in_chunks(text, chunk, |tables| {
        let offset = all.fields.len();
        all.kinds.extend(tables.kinds);
        all.items.extend(tables.items.into_iter().map(|mut item| {
            if let Ok(fields) = &mut item.fields {
                *fields = fields.start + offset..fields.end + offset;
            }
            item
        }));
        all.fields.extend(tables.fields);
    })?;
    Ok(all)
}

#[test]
fn chunks_of_any_size_read_as_the_whole() {
    let whole = joined(SAMPLE, usize::MAX).unwrap();
    assert_eq!(whole.items.len(), 5);
    for chunk in 1..SAMPLE.len() {
        assert_eq!(joined(SAMPLE, chunk).unwrap(), whole, "chunks of {chunk}");
    }
}

#[test]
fn what_gave_way_is_the_same_in_chunks_of_any_size() {
    let repeated = format!("{SAMPLE}[function.PyA]\n    added = '3.2'\n");
    let line = SAMPLE.len();
    let syntax_error = SAMPLE.replace("[data.PyD]\n    added = '3.4'", "[data.PyD]\n    added = ");
    let data = SAMPLE.find("[data.PyD]").unwrap();
    let late_header = SAMPLE.replace("[function.PyC]\n    added = '3.3'", "[function.PyC\n");
    let function_c = SAMPLE.find("[function.PyC]").unwrap();
    // A value beyond the subset, then a syntax error in a later item:
    // a header between them was not checked, so the whole text is read.
    let beyond = SAMPLE
        .replace("added = '3.3'", "added = \"3\\u002e3\"")
        .replace("added = '3.4'", "added = ");
    let cases = [
        (
            repeated.as_str(),
            GaveWay::Repeated {
                kind: "function",
                name: "PyA",
                line,
            },
        ),
        (syntax_error.as_str(), GaveWay::Syntax { item: data }),
        (late_header.as_str(), GaveWay::Syntax { item: function_c }),
        (beyond.as_str(), GaveWay::Beyond),
        ("x = [[[[[[1]]]]]]\n", GaveWay::Beyond),
        ("x = [[[[[[1]]]]]\n", GaveWay::Syntax { item: 0 }),
    ];
    for (text, expected) in cases {
        for chunk in [1, 7, 64, usize::MAX] {
            assert_eq!(
                joined(text, chunk).unwrap_err(),
                expected,
                "{text} in chunks of {chunk}"
            );
        }
    }
}

#[test]
fn values_nested_ever_so_deep_cost_no_stack() {
    for opening in ["[", "{a="] {
        let text = format!("x = {}\n", opening.repeat(1_000_000));
        let outcome = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || joined(&text, CHUNK).is_err())
            .unwrap()
            .join()
            .unwrap();
        assert!(outcome, "{opening}");
    }
}
