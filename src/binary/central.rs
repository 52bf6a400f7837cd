//! A zip's central directory entry by entry, as stored: duplicate names
//! included. The zip crate keeps one entry per name (the last one's data
//! under the first one's place), so a wheel holding `spam/_spam.abi3.so`
//! twice would show one of the two; this walk sees both.
//!
//! Only what the audit needs of an entry is read (APPNOTE.TXT 4.3.12, the
//! central directory file header; 4.5.3, the Zip64 extra field): its name,
//! flags, method, CRC-32, sizes and where its local header is. Each entry
//! is at least 46 bytes of the file, so the walk is linear in its size.

use std::io;

use crate::binary::zipped::Source;

/// One central directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub raw_name: Vec<u8>,
    /// General purpose bit flags (bit 0: encrypted).
    pub flags: u16,
    /// The compression method's number (0 stored, 8 deflated, …).
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    /// Where its local header is, from the start of the zip.
    pub header: u64,
}

const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn read_exact_at<S: Source + ?Sized>(source: &S, buf: &mut [u8], offset: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match source.read_at(&mut buf[done..], offset + done as u64)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => done += n,
        }
    }
    Ok(())
}

/// The entries of the central directory that begins at `start` (an offset
/// in `source`), in their order, up to the first record that is not one.
pub fn entries<S: Source + ?Sized>(source: &S, start: u64) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut at = start;
    let mut fixed = [0u8; 46];
    loop {
        if read_exact_at(source, &mut fixed, at).is_err() || u32_at(&fixed, 0) != CENTRAL_SIGNATURE
        {
            return Ok(entries);
        }
        let name_len = usize::from(u16_at(&fixed, 28));
        let extra_len = usize::from(u16_at(&fixed, 30));
        let comment_len = u64::from(u16_at(&fixed, 32));
        let mut variable = vec![0u8; name_len + extra_len];
        read_exact_at(source, &mut variable, at + 46)?;
        let mut entry = Entry {
            raw_name: variable[..name_len].to_vec(),
            flags: u16_at(&fixed, 8),
            method: u16_at(&fixed, 10),
            crc32: u32_at(&fixed, 16),
            compressed_size: u64::from(u32_at(&fixed, 20)),
            size: u64::from(u32_at(&fixed, 24)),
            header: u64::from(u32_at(&fixed, 42)),
        };
        zip64(&mut entry, &variable[name_len..]);
        entries.push(entry);
        at += 46 + (name_len + extra_len) as u64 + comment_len;
    }
}

/// Applies a Zip64 extra field (id 1): the 64-bit size, compressed size
/// and header offset, each present when its 32-bit field is 0xFFFFFFFF.
fn zip64(entry: &mut Entry, mut extra: &[u8]) {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        let Some(data) = extra.get(4..4 + len) else {
            return;
        };
        if id == 1 {
            let mut fields = data
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap()));
            for field in [
                &mut entry.size,
                &mut entry.compressed_size,
                &mut entry.header,
            ] {
                if *field == 0xFFFF_FFFF {
                    match fields.next() {
                        Some(value) => *field = value,
                        None => return,
                    }
                }
            }
            return;
        }
        extra = &extra[4 + len..];
    }
}

/// Where the data of `entry` begins: after its local header (whose name
/// and extra field lengths may differ from the central directory's).
pub fn data_start<S: Source + ?Sized>(source: &S, entry: &Entry, offset: u64) -> io::Result<u64> {
    let header = offset.saturating_add(entry.header);
    let mut local = [0u8; 30];
    read_exact_at(source, &mut local, header)?;
    if u32_at(&local, 0) != LOCAL_SIGNATURE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "no local header where the central directory says",
        ));
    }
    let lengths = u64::from(u16_at(&local, 26)) + u64::from(u16_at(&local, 28));
    Ok(header.saturating_add(30 + lengths))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for name in names {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            zip.start_file(*name, options).unwrap();
            zip.write_all(name.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn every_entry_is_seen_duplicates_included_with_where_its_data_is() {
        let mut bytes = zip_of(&["a/x.so", "a/y.so", "a/z.so"]);
        // Name the third entry as the first, in both of its headers.
        for at in 0..bytes.len() - 6 {
            if &bytes[at..at + 6] == b"a/z.so" {
                bytes[at..at + 6].copy_from_slice(b"a/x.so");
            }
        }
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(archive.len(), 2, "the zip crate keeps one entry per name");
        let entries = entries(&bytes, archive.central_directory_start()).unwrap();
        let names: Vec<&[u8]> = entries.iter().map(|e| e.raw_name.as_slice()).collect();
        assert_eq!(names, [&b"a/x.so"[..], b"a/y.so", b"a/x.so"]);
        // (The third member's data, its old name, was renamed too.)
        for (entry, text) in entries.iter().zip(["a/x.so", "a/y.so", "a/x.so"]) {
            let start = data_start(&bytes, entry, 0).unwrap() as usize;
            assert_eq!(&bytes[start..start + entry.size as usize], text.as_bytes());
            assert_eq!(entry.method, 0);
        }
    }

    #[test]
    fn a_truncated_or_foreign_directory_ends_the_walk() {
        let bytes = zip_of(&["a.so"]);
        assert!(entries(&bytes, bytes.len() as u64).unwrap().is_empty());
        assert!(
            entries(&bytes, 0).unwrap().is_empty(),
            "a local header is no entry"
        );
        let entry = Entry {
            raw_name: b"a.so".to_vec(),
            flags: 0,
            method: 0,
            crc32: 0,
            compressed_size: 0,
            size: 0,
            header: 7,
        };
        assert!(data_start(&bytes, &entry, 0).is_err());
    }

    #[test]
    fn zip64_fields_replace_the_saturated_ones() {
        let mut entry = Entry {
            raw_name: Vec::new(),
            flags: 0,
            method: 0,
            crc32: 0,
            compressed_size: 5,
            size: 0xFFFF_FFFF,
            header: 0xFFFF_FFFF,
        };
        let mut extra = vec![1, 0, 16, 0];
        extra.extend((5u64 << 32).to_le_bytes());
        extra.extend(9u64.to_le_bytes());
        zip64(&mut entry, &extra);
        assert_eq!(
            (entry.size, entry.compressed_size, entry.header),
            (5 << 32, 5, 9)
        );
    }
}
