//! Streaming a wheel member and keeping only what its readers need.
//!
//! A member can only be read from its first byte to its last (it is
//! deflated), while the tables the audit reads are small and scattered: an
//! ELF's section headers, at the end, say where its dynamic symbols are,
//! near the start. [`read`] streams the member and keeps what a [`Plan`]
//! asks for ([`super::plan`]: the headers, then the ranges they point to)
//! in an [`Image`]; the readers then run on the kept pieces. When a reader
//! (or the plan) needed bytes that went by unkept, the member is streamed
//! again keeping them too, no further than the last byte needed. A plan may
//! also [`Watch`] for a byte pattern and keep what surrounds it (an ELF's
//! section names, which come before the headers that locate them). An ELF
//! takes one whole pass and the beginning of a second, a Mach-O or PE file
//! one pass.
//!
//! Bounds: at most [`Limits::keep`] bytes are kept and [`Limits::passes`]
//! passes made, whatever the member says; both are errors past that.

use std::collections::BTreeMap;
use std::io;
use std::ops::Range;

use super::sparse::{Image, View};

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

/// What to keep of a member, given what is kept so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Byte ranges to keep whose content may lead the plan to more (headers,
    /// load commands, tables of pointers).
    pub ranges: Vec<Range<u64>>,
    /// Byte ranges to keep that lead to nothing more (strings, symbols).
    pub leaves: Vec<Range<u64>>,
    /// A pattern to look for in the bytes going by.
    pub watch: Option<Watch>,
}

/// Keep `before` bytes before and `after` bytes after each place (of the
/// first [`WATCH_HITS`]) where `pattern` occurs before offset `until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    pub pattern: &'static [u8],
    pub before: u64,
    pub after: u64,
    pub until: u64,
}

/// How many places a [`Watch`] keeps at most.
pub const WATCH_HITS: usize = 4;

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

/// Disjoint ranges, joined where they touch, by start: each operation
/// costs the logarithm of their number.
#[derive(Default, Debug)]
struct Ranges {
    by_start: BTreeMap<u64, u64>,
    total: u64,
}

impl Ranges {
    fn add(&mut self, range: Range<u64>) {
        let (mut start, mut end) = (range.start, range.end);
        if start >= end {
            return;
        }
        // The ranges it touches: the one before it, and those starting in it.
        if let Some((&before, &before_end)) = self.by_start.range(..=start).next_back() {
            if before_end >= start {
                start = before;
                end = end.max(before_end);
            }
        }
        let touched: Vec<(u64, u64)> = self
            .by_start
            .range(start..=end)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in touched {
            self.by_start.remove(&s);
            self.total -= e - s;
            end = end.max(e);
        }
        self.by_start.insert(start, end);
        self.total += end - start;
    }

    /// Removes `range`; returns whether a range ended inside it.
    fn remove(&mut self, range: Range<u64>) -> bool {
        let mut ended = false;
        let first = self
            .by_start
            .range(..range.start)
            .next_back()
            .filter(|(_, &e)| e > range.start)
            .map(|(&s, _)| s);
        let overlapping: Vec<(u64, u64)> = first
            .into_iter()
            .chain(self.by_start.range(range.start..range.end).map(|(&s, _)| s))
            .map(|s| (s, self.by_start[&s]))
            .collect();
        for (s, e) in overlapping {
            self.by_start.remove(&s);
            self.total -= e - s;
            if s < range.start {
                self.by_start.insert(s, range.start);
                self.total += range.start - s;
            }
            if e > range.end {
                self.by_start.insert(range.end, e);
                self.total += e - range.end;
            } else {
                ended = true;
            }
        }
        ended
    }

    /// The first range, or part of one, from `pos` on.
    fn first_from(&self, pos: u64) -> Option<Range<u64>> {
        if let Some((_, &e)) = self
            .by_start
            .range(..=pos)
            .next_back()
            .filter(|(_, &e)| e > pos)
        {
            return Some(pos..e);
        }
        self.by_start.range(pos..).next().map(|(&s, &e)| s..e)
    }
}

/// One pass over the member: where it is, what it still wants, what it
/// watches for.
struct Pass<'a> {
    image: &'a mut Image,
    /// The bytes wanted and not kept yet.
    wanted: &'a mut Ranges,
    /// Of those, the ones that may lead the plan to more.
    structural: &'a mut Ranges,
    len: u64,
    pos: u64,
    watch: Option<Watch>,
    hits: usize,
    /// The last bytes that went by, for what a watch keeps before a hit.
    tail: Vec<u8>,
    /// Where a watched pattern may still begin (before, it was looked for).
    searched: u64,
}

impl Pass<'_> {
    /// Wants what is not kept of `range`.
    fn want(&mut self, range: Range<u64>, structural: bool) {
        let range = range.start.min(self.len)..range.end.min(self.len);
        for part in self.image.missing(range) {
            if structural {
                self.structural.add(part.clone());
            }
            self.wanted.add(part);
        }
    }

    /// Asks the plan, and with `trial` the parser, what to keep.
    fn replan<T>(&mut self, plan: &dyn Fn(View) -> Plan, parse: &dyn Fn(View) -> T, trial: bool) {
        let planned = plan(self.image.view());
        self.watch = planned.watch;
        for range in planned.ranges {
            self.want(range, true);
        }
        for range in planned.leaves {
            self.want(range, false);
        }
        if trial {
            parse(self.image.view());
        }
        // What the plan and the parser read and was not there.
        for range in self.image.take_misses() {
            self.want(range, true);
        }
    }

    fn watching(&self) -> bool {
        self.hits < WATCH_HITS
            && self
                .watch
                .as_ref()
                .is_some_and(|w| self.pos < w.until.min(self.len))
    }

    /// Keeps what is wanted of `bytes`, the bytes at `pos`, and looks in
    /// them for what is watched. Returns whether a structural range ended
    /// in them.
    fn take(&mut self, bytes: &[u8]) -> bool {
        let end = self.pos + bytes.len() as u64;
        let mut at = self.pos;
        while let Some(part) = self.wanted.first_from(at).filter(|p| p.start < end) {
            let part = part.start..part.end.min(end);
            let slice = (part.start - self.pos) as usize..(part.end - self.pos) as usize;
            self.image.insert(part.start, &bytes[slice]);
            at = part.end;
        }
        self.wanted.remove(self.pos..end);
        let ended = self.structural.remove(self.pos..end);
        if self.watching() {
            self.look(bytes);
        }
        self.pos = end;
        ended
    }

    /// The watch over `bytes` (at `pos`), with the tail before them.
    fn look(&mut self, bytes: &[u8]) {
        let Some(watch) = self.watch.clone() else {
            return;
        };
        let start = self.pos - self.tail.len() as u64;
        let mut seen = std::mem::take(&mut self.tail);
        seen.extend_from_slice(bytes);
        let mut from = 0;
        while self.hits < WATCH_HITS {
            let Some(at) = memchr::memmem::find(&seen[from..], watch.pattern) else {
                break;
            };
            let hit = start + (from + at) as u64;
            from += at + 1;
            if hit < self.searched {
                continue;
            }
            if hit >= watch.until {
                break;
            }
            self.hits += 1;
            let keep = hit.saturating_sub(watch.before)..(hit + watch.after).min(self.len);
            // What went by is kept from here; the rest is wanted ahead (or,
            // before the tail, in the next pass).
            let here = keep.start.max(start)..keep.end.min(self.pos + bytes.len() as u64);
            for part in self.image.missing(here) {
                let at = (part.start - start) as usize..(part.end - start) as usize;
                self.image.insert(part.start, &seen[at]);
                self.wanted.remove(part.clone());
                self.structural.remove(part);
            }
            self.want(keep, false);
        }
        let end = start + seen.len() as u64;
        self.searched = end.saturating_sub(watch.pattern.len() as u64 - 1);
        let keep = (watch.before as usize + watch.pattern.len()).min(seen.len());
        self.tail = seen.split_off(seen.len() - keep);
    }
}

/// Streams a member of `len` bytes (each pass from `open`), keeping what
/// `plan` asks for and what `parse` missed, and returns what `parse` makes
/// of the kept pieces once it misses nothing.
///
/// The plan is asked again when a structural range it asked for is kept,
/// and, with a trial parse, when nothing wanted is left ahead; so each
/// level of pointers costs one parse, whatever the number of pointers (the
/// readers go on past a missing name, so one parse finds them all). What is
/// wanted behind is read in the next pass. The first pass reads the member
/// to its end, so its size and checksum are checked ([`Stream::finish`]);
/// later passes stop after the last byte wanted.
pub fn read<'s, T>(
    len: u64,
    open: &mut dyn FnMut() -> io::Result<Box<dyn Stream + 's>>,
    plan: &dyn Fn(View) -> Plan,
    parse: &dyn Fn(View) -> T,
    limits: Limits,
) -> Result<T, ReadError> {
    let mut image = Image::new(len);
    let mut wanted = Ranges::default();
    let mut structural = Ranges::default();
    let mut buf = vec![0u8; 1 << 18];
    for number in 0..limits.passes {
        let mut stream = open().map_err(ReadError::Io)?;
        let mut pass = Pass {
            image: &mut image,
            wanted: &mut wanted,
            structural: &mut structural,
            len,
            pos: 0,
            watch: None,
            hits: 0,
            tail: Vec::new(),
            searched: 0,
        };
        // Plan again: after a structural range is kept; with a trial
        // parse: when nothing is wanted ahead and something came since.
        let (mut replan, mut fresh) = (true, true);
        loop {
            let next = pass.wanted.first_from(pass.pos);
            let dry = next.is_none() && !pass.watching();
            if replan || (dry && fresh) {
                pass.replan(plan, parse, dry);
                (replan, fresh) = (false, !dry);
                if pass.image.kept() + pass.wanted.total > limits.keep {
                    return Err(ReadError::Limit(format!(
                        "reading its symbol tables would keep {} bytes of it in memory, \
                         more than the {} allowed",
                        pass.image.kept() + pass.wanted.total,
                        crate::input::human_size(limits.keep)
                    )));
                }
                continue;
            }
            let watching = pass.watching();
            // How far to read now: to the end of the next wanted part, or
            // (watching) on through what is skipped otherwise.
            let until = match next {
                None if !watching => break,
                Some(next) if !watching && next.start > pass.pos => {
                    stream.skip(next.start - pass.pos).map_err(ReadError::Io)?;
                    pass.pos = next.start;
                    continue;
                }
                Some(next) if !watching => next.end,
                _ => pass.watch.as_ref().map_or(len, |w| w.until.min(len)),
            };
            let want = (until - pass.pos).clamp(1, buf.len() as u64) as usize;
            let got = stream.read(&mut buf[..want]).map_err(ReadError::Io)?;
            if got == 0 {
                return Err(ReadError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "ends after {} bytes, before the {len} its header declares",
                        pass.pos
                    ),
                )));
            }
            replan |= pass.take(&buf[..got]);
            fresh = true;
        }
        if number == 0 {
            stream.finish().map_err(ReadError::Io)?;
        }
        let result = parse(image.view());
        let misses = image.take_misses();
        let mut more = false;
        for range in misses {
            for part in image.missing(range) {
                structural.add(part.clone());
                wanted.add(part);
                more = true;
            }
        }
        // The parse is the judge: what the plan asked for and the parse did
        // not need is not fetched.
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
mod tests;
