//! A binary read from a stream without holding it: only the pieces its
//! parser needs are kept (an [`Image`]), the rest is discarded as it
//! passes.
//!
//! A wheel member can only be read from its first byte to its last (it is
//! deflated), while the tables the audit reads are small and scattered: an
//! ELF's section headers at the end tell where its dynamic symbols are, near
//! the start. [`read`] streams the member and keeps what a plan asks for
//! ([`super::plan`]: the headers, then the ranges they point to); the parser
//! then runs on the kept pieces through [`View`], which the `object` crate
//! reads like a byte slice. A read of bytes that were not kept fails and is
//! remembered; when the parse (or the plan) needed such bytes, the member is
//! streamed again, keeping them too, and no further than the last byte
//! needed. An ELF takes one whole pass and the beginning of a second; a
//! Mach-O or PE file one pass.
//!
//! Bounds: at most [`Limits::keep`] bytes are kept and [`Limits::passes`]
//! passes made, whatever the member says; both are errors past that.

use std::cell::RefCell;
use std::io;
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
    fn insert(&mut self, start: u64, bytes: &[u8]) {
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
    fn missing(&self, range: Range<u64>) -> Vec<Range<u64>> {
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
    fn take_misses(&self) -> Vec<Range<u64>> {
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

/// A member's bytes, from the first: read forward, skip forward, and check
/// at the end that the member is what its header says (its size, its CRC).
pub trait Stream {
    /// Reads the next bytes; `Ok(0)` only at the end.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Skips `count` bytes (an error when the member ends first).
    fn skip(&mut self, count: u64) -> io::Result<()>;
    /// Reads what is left and checks the whole member.
    fn finish(&mut self) -> io::Result<()>;
}

/// How far [`read`] may go for one member.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Bytes kept at most.
    pub keep: u64,
    /// Passes over the member at most.
    pub passes: usize,
}

/// Why a member could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The member's bytes could not be read (a corrupt stream, a size that
    /// disagrees with the header).
    Io(io::Error),
    /// Reading it needs more than [`Limits`] allow.
    Limit(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(err) => write!(f, "{err}"),
            ReadError::Limit(message) => f.write_str(message),
        }
    }
}

/// The ranges to keep: sorted and joined.
#[derive(Default, Debug)]
struct Wanted(Vec<Range<u64>>);

impl Wanted {
    fn add(&mut self, range: Range<u64>) -> bool {
        if range.start >= range.end {
            return false;
        }
        let covered = self
            .0
            .iter()
            .any(|r| r.start <= range.start && range.end <= r.end);
        if covered {
            return false;
        }
        self.0.push(range);
        self.0.sort_by_key(|r| r.start);
        let mut joined: Vec<Range<u64>> = Vec::with_capacity(self.0.len());
        for range in self.0.drain(..) {
            match joined.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => joined.push(range),
            }
        }
        self.0 = joined;
        true
    }

    fn total(&self) -> u64 {
        self.0.iter().map(|r| r.end - r.start).sum()
    }
}

/// Streams a member of `len` bytes (each pass from `open`), keeping what
/// `plan` asks for and what `parse` missed, and returns what `parse` makes
/// of the kept pieces once it misses nothing.
///
/// `plan` is called on what is kept so far each time a wanted range is
/// complete, and may ask for ranges ahead (read in the same pass) or behind
/// (read in the next). The first pass reads the member to its end, so its
/// size and checksum are checked ([`Stream::finish`]); later passes stop
/// after the last byte wanted.
pub fn read<'s, T>(
    len: u64,
    open: &mut dyn FnMut() -> io::Result<Box<dyn Stream + 's>>,
    plan: &dyn Fn(View) -> Vec<Range<u64>>,
    parse: &dyn Fn(View) -> T,
    limits: Limits,
) -> Result<T, ReadError> {
    let mut image = Image::new(len);
    let mut wanted = Wanted::default();
    let mut buf = vec![0u8; 1 << 18];
    for pass in 0..limits.passes {
        let mut stream = open().map_err(ReadError::Io)?;
        let mut pos = 0u64;
        let mut planned = false;
        loop {
            if !planned {
                let ranges = plan(image.view());
                let mut added = false;
                for range in ranges.into_iter().chain(image.take_misses()) {
                    added |= wanted.add(range.start.min(len)..range.end.min(len));
                }
                if !added {
                    // The plan asks for nothing new: what would the parser
                    // still miss?
                    parse(image.view());
                    for range in image.take_misses() {
                        wanted.add(range);
                    }
                }
                if wanted.total() > limits.keep {
                    return Err(ReadError::Limit(format!(
                        "reading its symbol tables would keep {} bytes of it in memory, \
                         more than the {} allowed",
                        wanted.total(),
                        crate::input::human_size(limits.keep)
                    )));
                }
                planned = true;
            }
            // The first part of a wanted range, not kept yet, from `pos` on.
            let next = wanted
                .0
                .iter()
                .flat_map(|range| image.missing(range.start.max(pos)..range.end.max(pos)))
                .next();
            let Some(next) = next else {
                break;
            };
            if next.start > pos {
                stream.skip(next.start - pos).map_err(ReadError::Io)?;
                pos = next.start;
            }
            let want = (next.end - pos).min(buf.len() as u64) as usize;
            let got = stream.read(&mut buf[..want]).map_err(ReadError::Io)?;
            if got == 0 {
                return Err(ReadError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("ends after {pos} bytes, before the {len} its header declares"),
                )));
            }
            image.insert(pos, &buf[..got]);
            pos += got as u64;
            if pos == next.end {
                planned = false;
            }
        }
        if pass == 0 {
            stream.finish().map_err(ReadError::Io)?;
        }
        let result = parse(image.view());
        let mut more = false;
        for range in image.take_misses() {
            if !image.missing(range.clone()).is_empty() {
                wanted.add(range);
                more = true;
            }
        }
        if !more {
            return Ok(result);
        }
    }
    Err(ReadError::Limit(format!(
        "its tables are scattered over more than {} passes",
        limits.passes
    )))
}

/// Bytes held in memory as a [`Stream`] (a stored member is read so),
/// for tests and fuzzing: [`read_in_memory`].
pub struct Memory<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Stream for Memory<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.bytes.len() - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }

    fn skip(&mut self, count: u64) -> io::Result<()> {
        let left = (self.bytes.len() - self.at) as u64;
        if count > left {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.at += count as usize;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.at = self.bytes.len();
        Ok(())
    }
}

/// [`read`] of `bytes` held in memory, keeping what the readers need
/// ([`super::plan::needed`]): what a wheel member of these bytes gives.
pub fn read_in_memory<T>(
    bytes: &[u8],
    parse: &dyn Fn(View) -> T,
    limits: Limits,
) -> Result<T, ReadError> {
    let mut open = || -> io::Result<Box<dyn Stream + '_>> { Ok(Box::new(Memory { bytes, at: 0 })) };
    read(
        bytes.len() as u64,
        &mut open,
        &super::plan::needed,
        parse,
        limits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_read<T>(
        bytes: &[u8],
        plan: &dyn Fn(View) -> Vec<Range<u64>>,
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
        bytes[99_996..].copy_from_slice(&50u32.to_le_bytes());
        bytes[50..54].copy_from_slice(&7u32.to_le_bytes());
        let plan = |_: View| std::iter::once(0..8).collect();
        let (result, passes) = stream_read(&bytes, &plan, &toy_parse);
        assert_eq!(result.unwrap(), Some(7));
        assert_eq!(passes, 2);
    }

    #[test]
    fn too_much_to_keep_is_an_error() {
        let bytes = vec![0u8; 4 << 20];
        let plan = |_: View| std::iter::once(0..(3 << 20)).collect();
        let (result, _) = stream_read(&bytes, &plan, &|_| ());
        let err = result.unwrap_err().to_string();
        assert!(err.contains("more than the 1 MiB allowed"), "{err}");
    }
}
