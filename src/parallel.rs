//! Work spread over scoped threads: each thread takes the next item in turn, so the items
//! need not be of equal cost.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `threads` as given, or one per core for 0.
pub fn threads(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Runs `work` on each of `items` (with its index) on at most `threads` threads (0: one per
/// core). Each thread first makes its own state with `init` (a buffer, a handle).
pub fn for_each<T: Sync, S>(
    items: &[T],
    threads: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize, &T) + Sync,
) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..self::threads(threads).min(items.len()).max(1) {
            scope.spawn(|| {
                let mut state = init();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else {
                        break;
                    };
                    work(&mut state, index, item);
                }
            });
        }
    });
}
