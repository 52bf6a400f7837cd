//! Running independent work on every core, for runs of a few milliseconds.
//!
//! A command here is done in tens of milliseconds. A work-stealing pool's
//! workers spin between its parallel steps, waiting for more work:
//! measured on two cores, that was a tenth of the CPU time of `stable-abi
//! headers`. Here each step starts scoped threads that take items from a
//! shared counter and end with the step; the calling thread works too.
//!
//! Only coarse steps are spread: extracting the headers' declarations
//! (whole files through tree-sitter), reading the libraries beside the
//! headers, auditing extension modules. The views of each version (a
//! quarter of a millisecond each) and the checks run on the calling
//! thread: measured on two cores, in a new process, spreading them over two
//! threads added 1.9 ms to the 21 ms of CPU time of `stable-abi headers`
//! and took no less wall time (the second thread starts cold: its caches,
//! its own malloc arena).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// `f` applied to every item, on up to as many threads as the machine has
/// cores; the results in the items' order.
///
/// Items are handed out one at a time, so items of uneven cost (headers of
/// different sizes) keep every thread busy. A panic in `f` is raised again
/// in the caller.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = cores().min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut results = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => results.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    results.sort_unstable_by_key(|&(index, _)| index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// The cores this process may use, asked once (the answer reads the
/// cgroup's files).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// `a()` and `b()`, side by side: `b` on another thread.
///
/// A panic in either is raised again in the caller.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    std::thread::scope(|scope| {
        let other = scope.spawn(b);
        let a = a();
        match other.join() {
            Ok(b) => (a, b),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = map(&items, |&i| i * i);
        assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn joins_both_results() {
        let items = [1, 2, 3];
        let (sum, count) = join(|| items.iter().sum::<i32>(), || items.len());
        assert_eq!((sum, count), (6, 3));
    }

    #[test]
    #[should_panic(expected = "item 7")]
    fn raises_a_panic_in_the_caller() {
        let items: Vec<u32> = (0..10).collect();
        map(&items, |&i| assert!(i != 7, "item {i}"));
    }

    #[test]
    fn takes_no_items() {
        let items: [u8; 0] = [];
        assert!(map(&items, |&b| b).is_empty());
    }
}
