//! When a failed request is sent again, and how long to wait before it is.
//!
//! A `POST` is not idempotent (enabling Smart Connect twice starts two jobs), so it is sent
//! again only when the first attempt provably had no effect:
//!
//! | what happened | GET, PUT, DELETE | POST |
//! | --- | --- | --- |
//! | the connection could not be made (nothing was written) | retried | retried |
//! | HTTP 429 (`Retry-After` honoured) | retried | retried |
//! | HTTP 400 `DMS.00400026` (instance busy), when opted in | retried once the instance runs | retried once the instance runs |
//! | a failure of the client itself (no IAM token, reply over the size limit) | not retried | not retried |
//! | HTTP 408, 500, 502, 503, 504 (with 429: what `Error::is_retryable` calls transient) | retried | not retried |
//! | timed out, or the connection dropped after the request was written | retried | not retried |
//! | any other reply | not retried | not retried |
//!
//! Delays grow exponentially from [`RetryPolicy::first_delay`] up to
//! [`RetryPolicy::max_delay`], each drawn at random from its upper half (jitter), and no
//! attempt starts after [`RetryPolicy::deadline`].

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::TransportErrorKind;
use crate::error::is_retryable_status;

/// The error code DMS answers (with HTTP 400) when the instance is busy with another change.
pub const INSTANCE_BUSY: &str = "DMS.00400026";

/// How failed requests are retried; part of [`crate::ClientConfig`].
///
/// ```
/// use std::time::Duration;
/// use generated_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .deadline(Duration::from_secs(120))
///     .retry_when_instance_busy(true);
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_attempts: u32,
    first_delay: Duration,
    max_delay: Duration,
    deadline: Duration,
    retry_when_instance_busy: bool,
}

impl Default for RetryPolicy {
    /// Up to 3 attempts, 200 ms then 400 ms apart (with jitter), at most 10 s between two, all
    /// within 60 s; the busy refusal is not retried.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
            retry_when_instance_busy: false,
        }
    }
}

impl RetryPolicy {
    /// Never send a request twice.
    pub fn never() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the second attempt; each later one doubles it.
    #[must_use]
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest delay between two attempts (a longer `Retry-After` is still honoured
    /// within the deadline).
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// No attempt starts later than this after the first one.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Whether the "instance busy" refusal (HTTP 400 `DMS.00400026`) is retried once the instance
    /// is `RUNNING` again. Off by default: the refusal may be what the caller wants to see.
    #[must_use]
    pub fn retry_when_instance_busy(mut self, yes: bool) -> Self {
        self.retry_when_instance_busy = yes;
        self
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The overall deadline.
    pub fn deadline_after(&self) -> Duration {
        self.deadline
    }

    /// Whether the busy refusal is retried.
    pub fn retries_when_instance_busy(&self) -> bool {
        self.retry_when_instance_busy
    }

    /// The delay before attempt `attempt + 1` (attempt 1 is the first), without jitter.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        crate::wait::doubling(self.first_delay, self.max_delay, attempt)
    }

    /// How to poll for an instance to run again after a busy refusal: from the first delay,
    /// doubling up to the largest one, for at most `remaining`.
    pub(crate) fn wait_options(&self, remaining: Duration) -> crate::wait::WaitOptions {
        crate::wait::WaitOptions::default()
            .first_delay(self.first_delay)
            .max_interval(self.max_delay)
            .deadline(remaining)
    }

    /// [`RetryPolicy::backoff`] with jitter: a random point in its upper half.
    pub(crate) fn jittered_backoff(&self, attempt: u32) -> Duration {
        let full = self.backoff(attempt);
        let half = full / 2;
        half + half.mul_f64(unit_random())
    }
}

/// A number in `[0, 1)`, different on every call; for jitter, not for anything secret.
fn unit_random() -> f64 {
    let bits = RandomState::new().hash_one(std::time::Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// What became of one attempt, as far as retrying is concerned.
#[derive(Debug)]
pub(crate) enum Attempt<'a> {
    /// A reply arrived.
    Replied {
        status: StatusCode,
        headers: &'a HeaderMap,
        /// The service's `error_code`, when the body of an error reply had one.
        error_code: Option<&'a str>,
    },
    /// No reply: the request failed in transport, in this way.
    Failed(TransportErrorKind),
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand the outcome to the caller.
    Stop,
    /// Send the request again after the backoff (or the server's `Retry-After`).
    Retry { retry_after: Option<Duration> },
    /// Wait until the instance runs again, then send the request again.
    RetryWhenInstanceRuns,
}

/// Whether sending `method` twice has the effect of sending it once.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

impl RetryPolicy {
    /// Whether (and how) to retry after `attempt` of a `method` request. Attempts and the
    /// deadline are the caller's to count.
    pub(crate) fn decide(&self, method: &Method, attempt: &Attempt<'_>) -> Decision {
        let idempotent = is_idempotent(method);
        match attempt {
            Attempt::Failed(kind) => {
                if kind.nothing_sent() || idempotent {
                    Decision::Retry { retry_after: None }
                } else {
                    Decision::Stop
                }
            }
            Attempt::Replied {
                status,
                headers,
                error_code,
            } => match *status {
                StatusCode::TOO_MANY_REQUESTS => Decision::Retry {
                    retry_after: retry_after(headers, SystemTime::now()),
                },
                StatusCode::BAD_REQUEST
                    if self.retry_when_instance_busy && *error_code == Some(INSTANCE_BUSY) =>
                {
                    Decision::RetryWhenInstanceRuns
                }
                status if idempotent && is_retryable_status(status) => Decision::Retry {
                    retry_after: retry_after(headers, SystemTime::now()),
                },
                _ => Decision::Stop,
            },
        }
    }
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
/// A date in the past is no wait; an unreadable value is ignored.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let format = time::format_description::well_known::Rfc2822;
    let date = time::OffsetDateTime::parse(value, &format).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn replied(status: u16, headers: &HeaderMap, code: Option<&'static str>) -> Decision {
        RetryPolicy::default()
            .retry_when_instance_busy(true)
            .decide(
                &Method::POST,
                &Attempt::Replied {
                    status: StatusCode::from_u16(status).unwrap(),
                    headers,
                    error_code: code,
                },
            )
    }

    /// One rule of what is transient: a GET is retried after exactly the statuses for which
    /// `Error::is_retryable` says trying again may succeed.
    #[test]
    fn the_policy_retries_a_get_on_what_errors_call_retryable() {
        let headers = HeaderMap::new();
        for code in 100..600 {
            let status = StatusCode::from_u16(code).unwrap();
            let decision = RetryPolicy::default().decide(
                &Method::GET,
                &Attempt::Replied {
                    status,
                    headers: &headers,
                    error_code: None,
                },
            );
            assert_eq!(
                matches!(decision, Decision::Retry { .. }),
                is_retryable_status(status),
                "{code}"
            );
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default()
            .first_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        let delays: Vec<_> = (1..=5).map(|a| policy.backoff(a).as_millis()).collect();
        assert_eq!(delays, [100, 200, 350, 350, 350]);
        assert_eq!(
            policy.backoff(u32::MAX),
            Duration::from_millis(350),
            "no overflow"
        );
    }

    #[test]
    fn jitter_stays_in_the_upper_half() {
        let policy = RetryPolicy::default().first_delay(Duration::from_millis(1000));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let d = policy.jittered_backoff(1);
            assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1000));
            seen.insert(d);
        }
        assert!(seen.len() > 1, "jitter varies");
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::never().attempts(), 1);
    }

    #[test]
    fn post_is_retried_only_when_it_provably_had_no_effect() {
        let none = HeaderMap::new();
        assert_eq!(
            replied(429, &none, None),
            Decision::Retry { retry_after: None }
        );
        assert_eq!(
            replied(400, &none, Some(INSTANCE_BUSY)),
            Decision::RetryWhenInstanceRuns
        );
        for status in [500, 502, 503, 504, 400, 401, 404, 409] {
            assert_eq!(replied(status, &none, None), Decision::Stop, "{status}");
        }
        assert_eq!(
            replied(400, &none, Some("DMS.00400062")),
            Decision::Stop,
            "other 400s"
        );
    }

    #[test]
    fn transport_failures_of_a_post_are_retried_only_when_nothing_was_sent() {
        let policy = RetryPolicy::default();
        use TransportErrorKind as K;
        for kind in [K::Dns, K::Connect] {
            let attempt = Attempt::Failed(kind);
            assert_eq!(
                policy.decide(&Method::POST, &attempt),
                Decision::Retry { retry_after: None },
                "{kind:?}"
            );
        }
        for kind in [K::Timeout, K::Closed, K::Body, K::Other] {
            assert_eq!(
                policy.decide(&Method::POST, &Attempt::Failed(kind)),
                Decision::Stop,
                "{kind:?}"
            );
            assert_eq!(
                policy.decide(&Method::GET, &Attempt::Failed(kind)),
                Decision::Retry { retry_after: None },
                "{kind:?}"
            );
        }
    }

    #[test]
    fn busy_is_retried_only_when_opted_in() {
        let none = HeaderMap::new();
        let attempt = Attempt::Replied {
            status: StatusCode::BAD_REQUEST,
            headers: &none,
            error_code: Some(INSTANCE_BUSY),
        };
        assert_eq!(
            RetryPolicy::default().decide(&Method::POST, &attempt),
            Decision::Stop
        );
    }

    #[test]
    fn idempotent_methods_are_retried_on_server_errors() {
        let none = HeaderMap::new();
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            for status in [500u16, 502, 503, 504] {
                let attempt = Attempt::Replied {
                    status: StatusCode::from_u16(status).unwrap(),
                    headers: &none,
                    error_code: None,
                };
                assert_eq!(
                    RetryPolicy::default().decide(&method, &attempt),
                    Decision::Retry { retry_after: None },
                    "{method} {status}"
                );
            }
        }
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00 UTC
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:30 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:27:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO), "past");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
        assert_eq!(
            replied(
                429,
                &{
                    let mut h = HeaderMap::new();
                    h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
                    h
                },
                None
            ),
            Decision::Retry {
                retry_after: Some(Duration::from_secs(2))
            }
        );
    }
}
