//! Tests of `stream`.

use super::*;
use object::ReadRef;

fn stream_read<T>(
    bytes: &[u8],
    plan: &dyn Fn(View) -> Plan,
    parse: &dyn Fn(View) -> T,
) -> (Result<T, ReadError>, usize) {
    let mut passes = 0;
    let mut open = || -> io::Result<Box<dyn Stream + '_>> {
        passes += 1;
        Ok(Box::new(Memory { bytes, at: 0 }))
    };
    let limits = Limits {
        keep: 1 << 20,
        passes: 4,
    };
    let result = read(bytes.len() as u64, &mut open, plan, parse, limits);
    (result, passes)
}

/// A toy format: the first 8 bytes are the offset of a 4-byte field
/// at the end, which is the offset of a 4-byte value before it.
fn toy_parse(view: View) -> Option<u32> {
    let at = u64::from_le_bytes(view.read_bytes_at(0, 8).ok()?.try_into().ok()?);
    let to = u32::from_le_bytes(view.read_bytes_at(at, 4).ok()?.try_into().ok()?);
    Some(u32::from_le_bytes(
        view.read_bytes_at(to as u64, 4).ok()?.try_into().ok()?,
    ))
}

#[test]
fn what_the_parser_missed_behind_is_read_in_a_second_pass() {
    let mut bytes = vec![0u8; 100_000];
    bytes[..8].copy_from_slice(&99_996u64.to_le_bytes());
    bytes[99_996..].copy_from_slice(&50_000u32.to_le_bytes());
    bytes[50_000..50_004].copy_from_slice(&7u32.to_le_bytes());
    let plan = |_: View| Plan {
        ranges: std::iter::once(0..8).collect(),
        ..Plan::default()
    };
    let (result, passes) = stream_read(&bytes, &plan, &toy_parse);
    assert_eq!(result.unwrap(), Some(7));
    assert_eq!(passes, 2);
}

#[test]
fn too_much_to_keep_is_an_error() {
    let bytes = vec![0u8; 4 << 20];
    let plan = |_: View| Plan {
        ranges: std::iter::once(0..(3 << 20)).collect(),
        ..Plan::default()
    };
    let (result, _) = stream_read(&bytes, &plan, &|_| ());
    let err = result.unwrap_err().to_string();
    assert!(err.contains("more than the 1 MiB allowed"), "{err}");
}

#[test]
fn what_a_watch_keeps_around_a_pattern_needs_no_second_pass() {
    // The value the toy format points to sits beside a marker; the
    // pointer to it comes last. Markers straddle the 256 KiB reads.
    for at in [50_000usize, (1 << 18) - 3, (1 << 18) + 2] {
        let mut bytes = vec![0u8; 600_000];
        bytes[..8].copy_from_slice(&599_996u64.to_le_bytes());
        bytes[599_996..].copy_from_slice(&(at as u32 + 8).to_le_bytes());
        bytes[at..at + 8].copy_from_slice(b"<marker>");
        bytes[at + 8..at + 12].copy_from_slice(&7u32.to_le_bytes());
        let plan = |_: View| Plan {
            ranges: vec![0..8, 599_996..600_000],
            leaves: Vec::new(),
            watch: Some(Watch {
                pattern: b"<marker>",
                before: 16,
                after: 16,
                until: 599_996,
            }),
        };
        let (result, passes) = stream_read(&bytes, &plan, &toy_parse);
        assert_eq!(result.unwrap(), Some(7), "marker at {at}");
        assert_eq!(passes, 1, "marker at {at}");
    }
}

/// A stream that records how far each pass went.
struct Counted<'a> {
    inner: Memory<'a>,
    reached: &'a std::cell::RefCell<Vec<usize>>,
}

impl Stream for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.reached.borrow_mut().last_mut().unwrap() = self.inner.at;
        Ok(n)
    }
    fn skip(&mut self, count: u64) -> io::Result<()> {
        self.inner.skip(count)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.inner.finish()
    }
}

/// Reads `bytes` with the readers' own plan and `parse`, keeping up to
/// 64 MiB; with how far each pass went.
fn counted_read<T>(bytes: &[u8], parse: &dyn Fn(View) -> T) -> (T, Vec<usize>) {
    let reached = std::cell::RefCell::new(Vec::new());
    let mut open = || -> io::Result<Box<dyn Stream + '_>> {
        reached.borrow_mut().push(0);
        Ok(Box::new(Counted {
            inner: Memory { bytes, at: 0 },
            reached: &reached,
        }))
    };
    let limits = Limits {
        keep: 64 << 20,
        passes: 4,
    };
    let plan = &super::super::plan::needed;
    let result = read(bytes.len() as u64, &mut open, plan, parse, limits).unwrap();
    (result, reached.into_inner())
}

#[test]
fn an_elf_takes_one_pass_and_the_start_of_a_second() {
    let Ok(bytes) = std::fs::read(std::env::current_exe().unwrap()) else {
        return;
    };
    if !bytes.starts_with(b"\x7fELF") {
        return;
    }
    let parse = |view: View| (crate::binary::symbols::read(view), view.kept());
    let ((binary, kept), reached) = counted_read(&bytes, &parse);
    assert_eq!(binary, crate::binary::read_binary(&bytes));
    assert!(reached.len() <= 2, "{reached:?}");
    if let Some(second) = reached.get(1) {
        assert!(*second < bytes.len() / 4, "{reached:?} of {}", bytes.len());
    }
    assert!(
        kept < bytes.len() as u64 / 4,
        "kept {kept} of {}",
        bytes.len()
    );
}

/// A Mach-O object importing `count` symbols of `length` characters.
fn macho_importing(count: usize, length: usize) -> Vec<u8> {
    use object::write::{Object, Symbol, SymbolSection};
    use object::{Architecture, BinaryFormat, Endianness, SymbolFlags, SymbolKind, SymbolScope};
    let mut obj = Object::new(
        BinaryFormat::MachO,
        Architecture::X86_64,
        Endianness::Little,
    );
    for i in 0..count {
        obj.add_symbol(Symbol {
            name: format!("Py{i:0>width$}", width = length - 2).into_bytes(),
            value: 0,
            size: 0,
            kind: SymbolKind::Text,
            scope: SymbolScope::Dynamic,
            weak: false,
            section: SymbolSection::Undefined,
            flags: SymbolFlags::None,
        });
    }
    obj.write().unwrap()
}

#[test]
fn thousands_of_long_names_cost_one_parse_each_level_not_one_each() {
    let bytes = macho_importing(5000, 600);
    let parses = std::cell::Cell::new(0);
    let parse = |view: View| {
        parses.set(parses.get() + 1);
        crate::binary::symbols::read(view)
    };
    let (binary, reached) = counted_read(&bytes, &parse);
    assert_eq!(binary.unwrap().imports.len(), 5000);
    assert_eq!(reached.len(), 1, "one pass");
    assert!(parses.get() <= 6, "{} parses", parses.get());
}
