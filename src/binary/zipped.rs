//! A zip member's bytes as a [`Stream`]: read where they are (stored) or
//! inflated as they are read (deflated, by flate2 on zlib-rs), from a
//! [`Source`] that several threads read at once.
//!
//! A deflated member is checked as it passes: inflating past the size its
//! header declares stops at once (a member declaring 100 bytes that
//! inflates to a gigabyte costs 100 bytes), and at the end the size and the
//! CRC-32 must be those declared.

use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use crate::binary::stream::Stream;

/// Bytes readable at any offset from several threads at once: the wheel
/// file (positioned reads), or bytes in memory.
pub trait Source: Sync {
    /// Reads at `offset` into `buf`: how many bytes (0 at the end).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// How many bytes there are.
    fn size(&self) -> io::Result<u64>;
}

impl Source for std::fs::File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(self, buf, offset)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(self, buf, offset)
        }
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

impl Source for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(<[u8]>::len(self) as u64)
    }
}

impl Source for Vec<u8> {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.as_slice().read_at(buf, offset)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.as_slice().len() as u64)
    }
}

/// A [`Source`] as the zip crate reads it.
pub struct Cursor<'a, S: ?Sized> {
    source: &'a S,
    at: u64,
    len: u64,
}

impl<'a, S: ?Sized> Cursor<'a, S> {
    /// At the start of the `len` bytes of `source`.
    pub fn new(source: &'a S, len: u64) -> Self {
        Cursor { source, at: 0, len }
    }
}

impl<S: Source + ?Sized> Read for Cursor<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.source.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl<S: Source + ?Sized> Seek for Cursor<'_, S> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let at = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.at.checked_add_signed(delta),
        };
        self.at = at.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before 0"))?;
        Ok(self.at)
    }
}

/// How a member's bytes are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflated,
}

/// The stream of the member whose compressed bytes are `range` of
/// `source`, declaring `size` bytes and `crc32`.
pub fn stream<'a, S: Source>(
    source: &'a S,
    method: Method,
    range: Range<u64>,
    size: u64,
    crc32: u32,
) -> Box<dyn Stream + 'a> {
    let raw = Raw { source, range };
    match method {
        Method::Stored => Box::new(Stored { raw, at: 0, size }),
        Method::Deflated => Box::new(Inflate {
            raw,
            input: vec![0; 1 << 16],
            available: 0..0,
            inflater: flate2::Decompress::new(false),
            out: 0,
            size,
            crc: crc32fast::Hasher::new(),
            crc32,
            ended: false,
            scratch: Vec::new(),
        }),
    }
}

/// A member's compressed bytes.
struct Raw<'a, S> {
    source: &'a S,
    range: Range<u64>,
}

impl<S: Source> Raw<'_, S> {
    /// Reads the next compressed bytes.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (self.range.end - self.range.start).min(buf.len() as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = self.source.read_at(&mut buf[..want], self.range.start)?;
        if n == 0 {
            return Err(truncated());
        }
        self.range.start += n as u64;
        Ok(n)
    }
}

fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the wheel ends inside the member",
    )
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// A stored member: read where it is, skipped without reading.
struct Stored<'a, S> {
    raw: Raw<'a, S>,
    at: u64,
    size: u64,
}

impl<S: Source> Stream for Stored<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (self.size - self.at).min(buf.len() as u64) as usize;
        let n = self.raw.read(&mut buf[..want])?;
        self.at += n as u64;
        Ok(n)
    }

    fn skip(&mut self, count: u64) -> io::Result<()> {
        if count > self.size - self.at || count > self.raw.range.end - self.raw.range.start {
            return Err(truncated());
        }
        self.at += count;
        self.raw.range.start += count;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        // Stored, the member's size is its compressed size.
        let left = self.raw.range.end - self.raw.range.start;
        if left != self.size - self.at {
            return Err(invalid(format!(
                "stored with {} bytes where its header declares {}",
                self.at.saturating_add(left),
                self.size
            )));
        }
        Ok(())
    }
}

/// A deflated member, inflated as it is read; its size and CRC-32 checked.
struct Inflate<'a, S> {
    raw: Raw<'a, S>,
    input: Vec<u8>,
    available: Range<usize>,
    inflater: flate2::Decompress,
    /// Bytes inflated so far.
    out: u64,
    /// The size the header declares.
    size: u64,
    crc: crc32fast::Hasher,
    crc32: u32,
    ended: bool,
    /// Where skipped bytes are inflated to.
    scratch: Vec<u8>,
}

/// The bytes inflated at a time when skipping.
const SCRATCH: usize = 1 << 17;

impl<S: Source> Stream for Inflate<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while !self.ended && !buf.is_empty() {
            if self.available.is_empty() {
                let n = self.raw.read(&mut self.input)?;
                self.available = 0..n;
            }
            let (before_in, before_out) = (self.inflater.total_in(), self.inflater.total_out());
            let status = self
                .inflater
                .decompress(
                    &self.input[self.available.clone()],
                    buf,
                    flate2::FlushDecompress::None,
                )
                .map_err(|err| invalid(format!("invalid deflate data: {err}")))?;
            let used = (self.inflater.total_in() - before_in) as usize;
            let made = (self.inflater.total_out() - before_out) as usize;
            self.available.start += used;
            self.out += made as u64;
            if self.out > self.size {
                return Err(invalid(format!(
                    "inflates to more than the {} bytes its header declares",
                    self.size
                )));
            }
            self.crc.update(&buf[..made]);
            self.ended = status == flate2::Status::StreamEnd;
            if made > 0 {
                return Ok(made);
            }
            if used == 0 && !self.ended {
                // Nothing inflated from the input at hand: either it is all
                // used (read more, unless the member's bytes are done) or
                // the inflater is stuck on it.
                if !self.available.is_empty() || self.raw.range.is_empty() {
                    return Err(invalid("the deflate stream is cut short".into()));
                }
            }
        }
        Ok(0)
    }

    fn skip(&mut self, mut count: u64) -> io::Result<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.resize(SCRATCH, 0);
        while count > 0 {
            let want = count.min(scratch.len() as u64) as usize;
            match self.read(&mut scratch[..want])? {
                0 => return Err(truncated()),
                n => count -= n as u64,
            }
        }
        self.scratch = scratch;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.resize(SCRATCH, 0);
        while self.read(&mut scratch)? > 0 {}
        if self.out != self.size {
            return Err(invalid(format!(
                "inflates to {} bytes where its header declares {}",
                self.out, self.size
            )));
        }
        let crc = self.crc.clone().finalize();
        if crc != self.crc32 {
            return Err(invalid(format!(
                "its CRC-32 is {crc:08x} where its header says {:08x}",
                self.crc32
            )));
        }
        Ok(())
    }
}
