//! A Limited API version is a range of values: `Py_LIMITED_API` 3.N is any
//! of `0x03NN0000…0x03NNFFFF` (a `PY_VERSION_HEX` of a 3.N release, as
//! CPython's documentation suggests), and for 3.2 also `3`.
//!
//! The headers can only change at the constants their conditions compare
//! `Py_LIMITED_API` with, so the range splits into intervals on which the
//! view is one and the same, and one walk per interval sees everything. The
//! constants are gathered by the walks themselves (an `#if` nested in a
//! region only some values reach is found once such a value is walked), so
//! [`Headers::range_views`] walks the version's first value, then one value
//! per new interval, until no new constant splits the range. With the usual
//! `0x03NN0000` guards that is the one walk it always was.
//!
//! Points where the view can change, for a constant `c` met in an `#if`:
//! `c` for `V >= c` and `V < c`, `c + 1` for `V > c` and `V <= c`, both for
//! `==` and `!=` (compared
//! with the value's masked bits, the values of the range whose low 16 bits
//! are `c` and `c + 1`); masked (`&`, `|`, `^`), the values with none, the lowest and all
//! of its low 16 bits set. Bit tests are thus sampled, not exhausted.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Result;

use super::pp::expr::{Constant, Use};
use super::{Defines, Headers, Listing, View};
use crate::version::Version;

/// The most walks one version's range may take (hostile headers could
/// otherwise split it into thousands of intervals); the rest of the range
/// is then taken as its last interval.
pub const MAX_SAMPLES: usize = 32;

/// Values `first..=last` of `Py_LIMITED_API`, which all give one view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub first: u32,
    pub last: u32,
    /// Into [`RangeViews::extra`]; `None` is the base view.
    pub view: Option<usize>,
}

/// Every view one version's range gives.
#[derive(Debug)]
pub struct RangeViews {
    pub version: Version,
    /// The view at the version's first value (`0x03NN0000`, `3` for 3.2).
    pub base: View,
    /// Views at other values, for the samples that differ.
    pub extra: Vec<View>,
    /// The range, in order, as intervals each with its view.
    pub samples: Vec<Sample>,
}

impl RangeViews {
    /// One interval, the whole range, with the one view.
    pub fn single(version: Version, base: View) -> RangeViews {
        let samples = version
            .limited_api_ranges()
            .into_iter()
            .map(|(first, last)| Sample {
                first,
                last,
                view: None,
            })
            .collect();
        RangeViews {
            version,
            base,
            extra: Vec::new(),
            samples,
        }
    }
}

/// Each sample of a range with its view.
pub fn sample_views<'v>(
    base: &'v View,
    extra: &'v [View],
    samples: &'v [Sample],
) -> impl Iterator<Item = (&'v Sample, &'v View)> {
    samples
        .iter()
        .map(move |sample| (sample, sample.view.map_or(base, |i| &extra[i])))
}

impl Headers {
    /// The views over the whole range of `version` (see the module's
    /// documentation), with `extra` applied as in [`Headers::view`], each
    /// listing what `listing` names.
    pub fn range_views(
        &self,
        version: Version,
        extra: &Defines,
        listing: &Listing,
    ) -> Result<RangeViews> {
        let segments = version.limited_api_ranges();
        let base_value = version.limited_api_value();
        let mut walked: BTreeMap<u32, View> = BTreeMap::new();
        walked.insert(
            base_value,
            self.value_listing(Some(base_value), extra, listing)?,
        );
        let intervals = loop {
            let constants: BTreeSet<Constant> = walked
                .values()
                .flat_map(|view| view.guard_constants.iter().map(|g| g.constant))
                .collect();
            let intervals = intervals(&segments, &constants);
            let new: BTreeSet<u32> = intervals
                .iter()
                .map(|&(_, _, rep)| rep)
                .filter(|rep| !walked.contains_key(rep))
                .collect();
            if new.is_empty() || walked.len() >= MAX_SAMPLES {
                break intervals;
            }
            for rep in new.into_iter().take(MAX_SAMPLES - walked.len()) {
                walked.insert(rep, self.value_listing(Some(rep), extra, listing)?);
            }
        };
        let base = walked.remove(&base_value).unwrap_or_default();
        let mut index = BTreeMap::new();
        let mut extra_views = Vec::new();
        for (rep, view) in walked {
            index.insert(rep, extra_views.len());
            extra_views.push(view);
        }
        // A representative not walked (the cap was reached) takes the view
        // of the walked value before it.
        let view_of = |rep: u32| -> Option<usize> {
            if rep == base_value {
                return None;
            }
            match index.range(..=rep).next_back() {
                Some((&walked_rep, &i)) if walked_rep >= base_value => Some(i),
                _ => None,
            }
        };
        let samples = intervals
            .into_iter()
            .map(|(first, last, rep)| Sample {
                first,
                last,
                view: view_of(rep),
            })
            .collect();
        Ok(RangeViews {
            version,
            base,
            extra: extra_views,
            samples,
        })
    }
}

/// The intervals `(first, last, representative)` the constants split the
/// segments into. An interval gets an earlier interval's representative
/// when no constant can tell them apart (`3` and `0x03020000` for 3.2).
fn intervals(segments: &[(u32, u32)], constants: &BTreeSet<Constant>) -> Vec<(u32, u32, u32)> {
    let mut cuts = BTreeSet::new();
    let mut masks = false;
    for constant in constants {
        let c = constant.value;
        let low = c & 0xFFFF;
        match constant.usage {
            Use::Equal | Use::From | Use::After => {
                let points = match constant.usage {
                    Use::Equal => vec![c, c.wrapping_add(1)],
                    Use::From => vec![c],
                    _ => vec![c.wrapping_add(1)],
                };
                for point in points {
                    if let Ok(point) = u32::try_from(point) {
                        cuts.insert(point);
                    }
                }
            }
            Use::MaskedCompared => {
                for &(first, last) in segments {
                    if last - first == 0xFFFF {
                        cuts.insert(first | low as u32);
                        cuts.insert(first | (low as u32 + 1).min(0xFFFF));
                    }
                }
            }
            Use::Mask => {
                masks = true;
                let lowest = low & low.wrapping_neg();
                for &(first, last) in segments {
                    if last - first == 0xFFFF && low != 0 {
                        cuts.insert(first | low as u32);
                        cuts.insert(first | lowest as u32);
                    }
                }
            }
        }
    }
    let mut out: Vec<(u32, u32, u32)> = Vec::new();
    for &(first, last) in segments {
        let mut starts = vec![first];
        if first < last {
            starts.extend(cuts.range(first + 1..=last).copied());
        }
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(last, |next| next - 1);
            let rep = match out.last() {
                Some(&(_, _, prev_rep))
                    if i == 0
                        && !masks
                        && prev_rep < start
                        && cuts.range(prev_rep + 1..=start).next().is_none() =>
                {
                    prev_rep
                }
                _ => start,
            };
            out.push((start, end, rep));
        }
    }
    out
}

/// `0x030900F0…0x0309FFFF, 0x03090010` (`3` for 3.2's own spelling).
pub fn hex_ranges(ranges: &[(u32, u32)]) -> String {
    let value = |v: u32| {
        if v < 0x100 {
            v.to_string()
        } else {
            format!("{v:#010X}").replace("0X", "0x")
        }
    };
    ranges
        .iter()
        .map(|&(first, last)| {
            if first == last {
                value(first)
            } else {
                format!("{}…{}", value(first), value(last))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compared(values: &[u64]) -> BTreeSet<Constant> {
        values
            .iter()
            .map(|&value| Constant {
                value,
                usage: Use::Equal,
            })
            .collect()
    }

    #[test]
    fn constants_outside_the_range_leave_one_interval() {
        let v39 = Version::new(3, 9).limited_api_ranges();
        let from = |value| Constant {
            value,
            usage: Use::From,
        };
        let constants = BTreeSet::from([from(0x0309_0000), from(0x030A_0000), from(3)]);
        assert_eq!(
            intervals(&v39, &constants),
            [(0x0309_0000, 0x0309_FFFF, 0x0309_0000)]
        );
    }

    #[test]
    fn a_constant_inside_the_range_splits_it_at_itself_and_after() {
        let v39 = Version::new(3, 9).limited_api_ranges();
        assert_eq!(
            intervals(&v39, &compared(&[0x0309_00F0])),
            [
                (0x0309_0000, 0x0309_00EF, 0x0309_0000),
                (0x0309_00F0, 0x0309_00F0, 0x0309_00F0),
                (0x0309_00F1, 0x0309_FFFF, 0x0309_00F1)
            ]
        );
    }

    #[test]
    fn three_and_0x03020000_share_a_walk_unless_a_constant_parts_them() {
        let v32 = Version::new(3, 2).limited_api_ranges();
        assert_eq!(
            intervals(&v32, &compared(&[0x0303_0000])),
            [(3, 3, 3), (0x0302_0000, 0x0302_FFFF, 3)]
        );
        assert_eq!(
            intervals(&v32, &compared(&[3])),
            [(3, 3, 3), (0x0302_0000, 0x0302_FFFF, 0x0302_0000)]
        );
    }

    #[test]
    fn masks_sample_none_the_lowest_and_all_bits() {
        let v39 = Version::new(3, 9).limited_api_ranges();
        let mask = BTreeSet::from([Constant {
            value: 0xF0,
            usage: Use::Mask,
        }]);
        let reps: Vec<u32> = intervals(&v39, &mask).iter().map(|i| i.2).collect();
        assert_eq!(reps, [0x0309_0000, 0x0309_0010, 0x0309_00F0]);
    }

    #[test]
    fn hex_ranges_read_like_the_headers() {
        assert_eq!(
            hex_ranges(&[(3, 3), (0x0302_0010, 0x0302_FFFF)]),
            "3, 0x03020010…0x0302FFFF"
        );
    }
}
