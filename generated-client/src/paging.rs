//! Every page of a list as one stream: the engine of the generated `into_stream` methods
//! (one per list operation that pages, see each builder).
//!
//! The stream asks for a page only when its consumer wants an item it does not have, and
//! ends after the total the reply gives, on a short (or empty) page, or after an error.

use std::collections::VecDeque;
use std::future::Future;

use futures_core::Stream;

use crate::Error;

/// Where the paging stands between two pages.
struct Pages<T, F> {
    fetch: F,
    page_size: u32,
    /// Where the first page starts.
    first: u32,
    /// Items received so far: the next page starts that many past `first`.
    received: u64,
    /// Items of the last page not yet given out.
    ready: VecDeque<T>,
    /// No page is to be asked for any more.
    done: bool,
}

/// The items of every page: `fetch(position, limit)` answers one page's items and the
/// reply's total, if it has one; the first page starts at `first`, each next one where the
/// last ended. A `page_size` of 0 is read as 1.
pub(crate) fn items<T, F, Fut>(
    page_size: u32,
    first: u32,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Send
where
    T: Send,
    F: FnMut(u32, u32) -> Fut + Send,
    Fut: Future<Output = Result<(Vec<T>, Option<u64>), Error>> + Send,
{
    let start = Pages {
        fetch,
        page_size: page_size.max(1),
        first,
        received: 0,
        ready: VecDeque::new(),
        done: false,
    };
    futures_util::stream::unfold(start, |mut pages| async move {
        loop {
            if let Some(item) = pages.ready.pop_front() {
                return Some((Ok(item), pages));
            }
            if pages.done {
                return None;
            }
            let position = u64::from(pages.first) + pages.received;
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            match (pages.fetch)(position, pages.page_size).await {
                Err(error) => {
                    pages.done = true;
                    return Some((Err(error), pages));
                }
                Ok((page, total)) => {
                    let count = page.len() as u64;
                    pages.received += count;
                    pages.done = count < u64::from(pages.page_size)
                        || total.is_some_and(|total| pages.received >= total);
                    pages.ready.extend(page);
                }
            }
        }
    })
}
