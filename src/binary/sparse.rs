//! A file of which only some pieces are held (an [`Image`]), read by the
//! `object` crate as if it were whole ([`View`]).
//!
//! A wheel member is streamed ([`super::stream`]) and only the pieces its
//! tables are in are kept. A read of bytes that were not kept fails and is
//! remembered ([`Image::take_misses`]), so the stream can fetch them.

use std::cell::RefCell;
use std::ops::Range;

use object::ReadRef;

/// The smallest piece kept for a read that missed: strings and small
/// tables are fetched in one piece, not one string at a time.
const MISS_WINDOW: u64 = 4096;

/// Pieces of a file of `len` bytes, at their offsets.
#[derive(Debug)]
pub struct Image {
    len: u64,
    /// Sorted, neither overlapping nor touching (touching pieces are
    /// joined, so a table read across them is found in one piece).
    chunks: Vec<Chunk>,
    /// Reads that asked for bytes not kept, since they were last taken.
    misses: RefCell<Vec<Range<u64>>>,
}

#[derive(Debug)]
struct Chunk {
    start: u64,
    bytes: Vec<u8>,
}

impl Chunk {
    fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }
}

impl Image {
    /// Nothing kept yet of a file of `len` bytes.
    pub fn new(len: u64) -> Image {
        Image {
            len,
            chunks: Vec::new(),
            misses: RefCell::new(Vec::new()),
        }
    }

    /// All of `bytes` (a file held whole, in tests).
    pub fn whole(bytes: &[u8]) -> Image {
        let mut image = Image::new(bytes.len() as u64);
        image.insert(0, bytes);
        image
    }

    /// The whole file as the parser sees it.
    pub fn view(&self) -> View<'_> {
        View {
            image: self,
            base: 0,
            len: self.len,
        }
    }

    /// How many bytes are kept.
    pub fn kept(&self) -> u64 {
        self.chunks.iter().map(|c| c.bytes.len() as u64).sum()
    }

    /// The kept piece holding `offset`.
    fn chunk_at(&self, offset: u64) -> Option<&Chunk> {
        let index = self.chunks.partition_point(|c| c.end() <= offset);
        self.chunks.get(index).filter(|c| c.start <= offset)
    }

    /// Keeps `bytes` at `start`; they must not overlap what is kept.
    pub(super) fn insert(&mut self, start: u64, bytes: &[u8]) {
        let end = start + bytes.len() as u64;
        let index = self.chunks.partition_point(|c| c.end() < start);
        let joins_previous = self.chunks.get(index).is_some_and(|c| c.end() == start);
        if joins_previous {
            self.chunks[index].bytes.extend_from_slice(bytes);
        } else {
            self.chunks.insert(
                index,
                Chunk {
                    start,
                    bytes: bytes.to_vec(),
                },
            );
        }
        // What was kept in an earlier pass right after it joins it.
        if self.chunks.get(index + 1).is_some_and(|c| c.start == end) {
            let next = self.chunks.remove(index + 1);
            self.chunks[index].bytes.extend_from_slice(&next.bytes);
        }
    }

    /// The parts of `range` that are not kept.
    pub(super) fn missing(&self, range: Range<u64>) -> Vec<Range<u64>> {
        let mut parts = Vec::new();
        let mut at = range.start;
        let first = self.chunks.partition_point(|c| c.end() <= range.start);
        for chunk in &self.chunks[first..] {
            if chunk.start >= range.end {
                break;
            }
            if chunk.start > at {
                parts.push(at..chunk.start);
            }
            at = at.max(chunk.end());
        }
        if at < range.end {
            parts.push(at..range.end);
        }
        parts
    }

    fn miss(&self, range: Range<u64>) {
        let end = range
            .end
            .max(range.start.saturating_add(MISS_WINDOW))
            .min(self.len);
        if range.start < end {
            self.misses.borrow_mut().push(range.start..end);
        }
    }

    /// The reads that missed since the last call.
    pub(super) fn take_misses(&self) -> Vec<Range<u64>> {
        std::mem::take(&mut *self.misses.borrow_mut())
    }
}

/// A part of an [`Image`] (the whole file, a universal binary's slice, an
/// archive's member) as the `object` crate reads it: offsets are from the
/// part's start.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    image: &'a Image,
    base: u64,
    len: u64,
}

impl View<'_> {
    /// How many bytes of the whole file are kept (what reading it holds in
    /// memory).
    pub fn kept(self) -> u64 {
        self.image.kept()
    }
}

impl<'a> ReadRef<'a> for View<'a> {
    fn len(self) -> Result<u64, ()> {
        Ok(self.len)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        let end = offset.checked_add(size).ok_or(())?;
        if end > self.len {
            return Err(());
        }
        let (start, end) = (self.base + offset, self.base + end);
        if size == 0 {
            return Ok(&[]);
        }
        match self.image.chunk_at(start) {
            Some(chunk) if chunk.end() >= end => {
                let from = (start - chunk.start) as usize;
                Ok(&chunk.bytes[from..from + size as usize])
            }
            Some(chunk) => {
                self.image.miss(chunk.end()..end);
                Err(())
            }
            None => {
                self.image.miss(start..end);
                Err(())
            }
        }
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'a [u8], ()> {
        if range.start > range.end || range.end > self.len {
            return Err(());
        }
        let (start, end) = (self.base + range.start, self.base + range.end);
        let Some(chunk) = self.image.chunk_at(start) else {
            self.image
                .miss(start..end.min(start.saturating_add(MISS_WINDOW)));
            return Err(());
        };
        let from = (start - chunk.start) as usize;
        let to = (end.min(chunk.end()) - chunk.start) as usize;
        if let Some(at) = memchr::memchr(delimiter, &chunk.bytes[from..to]) {
            return Ok(&chunk.bytes[from..from + at]);
        }
        if chunk.end() < end {
            let more = chunk.end();
            self.image
                .miss(more..end.min(more.saturating_add(MISS_WINDOW)));
        }
        Err(())
    }
}

/// Bytes the binary readers take: a byte slice (a mapped file) or a
/// [`View`], and the part of it a container's slice or member occupies.
pub trait Data<'a>: ReadRef<'a> {
    /// The `len` bytes at `offset`, as bytes of the same kind; `None` when
    /// they are out of bounds.
    fn sub(self, offset: u64, len: u64) -> Option<Self>;
}

impl<'a> Data<'a> for &'a [u8] {
    fn sub(self, offset: u64, len: u64) -> Option<Self> {
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        self.get(start..end)
    }
}

impl<'a> Data<'a> for View<'a> {
    fn sub(self, offset: u64, len: u64) -> Option<Self> {
        let end = offset.checked_add(len)?;
        (end <= self.len).then_some(View {
            image: self.image,
            base: self.base + offset,
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_of_kept_pieces_succeed_and_others_are_remembered() {
        let bytes: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        let mut image = Image::new(bytes.len() as u64);
        image.insert(100, &bytes[100..200]);
        image.insert(200, &bytes[200..300]);
        assert_eq!(image.chunks.len(), 1, "touching pieces are joined");
        let view = image.view();
        assert_eq!(view.read_bytes_at(150, 100).unwrap(), &bytes[150..250]);
        assert!(view.read_bytes_at(250, 100).is_err());
        assert!(view.read_bytes_at(9_999, 2).is_err(), "out of bounds");
        assert_eq!(image.take_misses(), vec![300..4396]);
        assert_eq!(image.missing(0..1000), vec![0..100, 300..1000]);
        let slice = view.sub(120, 50).unwrap();
        assert_eq!(slice.read_bytes_at(0, 2).unwrap(), &bytes[120..122]);
        assert!(slice.read_bytes_at(49, 2).is_err());
        assert!(view.sub(9_990, 20).is_none());
    }

    #[test]
    fn strings_are_found_across_joined_pieces() {
        let bytes = b"\0first\0second-and-longer\0";
        let mut image = Image::new(bytes.len() as u64);
        image.insert(0, &bytes[..10]);
        let view = image.view();
        assert_eq!(view.read_bytes_at_until(1..25, 0).unwrap(), b"first");
        assert!(view.read_bytes_at_until(7..25, 0).is_err());
        assert_eq!(image.take_misses(), vec![10..25]);
        image.insert(10, &bytes[10..]);
        let view = image.view();
        assert_eq!(
            view.read_bytes_at_until(7..25, 0).unwrap(),
            b"second-and-longer"
        );
    }
}
