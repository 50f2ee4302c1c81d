//! What every request goes through on its way to the wire and back.

pub(crate) mod body;
pub(crate) mod hooks;
pub(crate) mod http;
pub(crate) mod retry;

pub(crate) use hooks::HookState;

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use url::{Position, Url};

use crate::{Client, PathSegment};

/// The configured project as a path segment, for the generated `Client::<operation>()` methods
/// that pre-fill `project_id` (a generator setting of xtask). `None` when no project is
/// configured or the configured id cannot be one path segment (the builder then reports the
/// missing `project_id`, unless the caller sets one).
pub(crate) fn default_project_id(state: &HookState) -> Option<PathSegment> {
    state.project_id().and_then(|id| PathSegment::new(id).ok())
}

/// A client's base URL, parsed once, so a request's URL needs only its path parsed (see
/// [`start_request`]).
#[derive(Clone)]
pub(crate) struct BaseUrl {
    /// The base with a placeholder path of [`ROOM_FOR_PATH`] bytes: a clone of it has room
    /// for a typical path, which `set_path` then writes without growing the string.
    url: Url,
    /// Where the path starts, in the base URL as given and in every URL built on it.
    path_start: usize,
}

impl fmt::Debug for BaseUrl {
    /// The base, without the placeholder path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl")
            .field(&&self.url.as_str()[..self.path_start])
            .finish()
    }
}

/// Bytes of path a request URL gets without reallocating (the longest DMS path with ids of
/// 40 bytes is about 150).
const ROOM_FOR_PATH: usize = 256;

impl BaseUrl {
    /// `None` unless `base` is a URL with a host and no query or fragment that parsing leaves
    /// as it is (but for the `/` of an empty path): parsing `base` followed by a path then
    /// gives that base, followed by the path parsed as a path.
    pub(crate) fn new(base: &str) -> Option<BaseUrl> {
        let url = Url::parse(base).ok()?;
        if url.cannot_be_a_base()
            || !url.has_host()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return None;
        }
        let path_start = url[..Position::BeforePath].len();
        let as_given = url.as_str() == base
            || (url.path() == "/" && base.len() == path_start && url.as_str().starts_with(base));
        if !as_given {
            return None;
        }
        let mut url = url;
        url.set_path(&format!("/{}", "x".repeat(ROOM_FOR_PATH - 1)));
        Some(BaseUrl { url, path_start })
    }

    /// `url` (this base followed by a path) parsed: the base cloned, the path set. `None` when
    /// `url` does not start with this base, or its path could end up elsewhere than in the
    /// path when the whole URL is parsed (a `?` or `#`, or a leading or trailing character
    /// that parsing trims).
    fn join(&self, url: &str) -> Option<Url> {
        let base = &self.url.as_str().as_bytes()[..self.path_start];
        if url.as_bytes().get(..self.path_start) != Some(base) {
            return None;
        }
        let path = &url[self.path_start..];
        let ends_plainly = |byte: Option<&u8>| byte.is_some_and(|&b| b > b' ');
        if !path.starts_with('/')
            || !ends_plainly(path.as_bytes().last())
            // (No early exit: the whole path is scanned either way, and this way vectorised.)
            || path.bytes().fold(false, |found, b| found | (b == b'?') | (b == b'#'))
        {
            return None;
        }
        let mut joined = self.url.clone();
        joined.set_path(path);
        Some(joined)
    }
}

/// How every generated builder starts its request (a generator setting of xtask): what
/// `client.client.request(method, url)` gives, but with `url` parsed as the client's base
/// (parsed once) followed by its path, instead of parsed whole (scheme, host and all) on every
/// call. A URL that is not the base followed by a plain path is handed to reqwest as it is.
pub(crate) fn start_request(
    client: &Client,
    method: reqwest::Method,
    url: String,
) -> reqwest::RequestBuilder {
    match client.inner.base_url().and_then(|base| base.join(&url)) {
        Some(parsed) => client.client.request(method, parsed),
        None => client.client.request(method, url),
    }
}

/// What a path parameter's value is encoded against: the set of progenitor's `encode_path`
/// (the URL standard's path percent-encode set, plus `/` and `%`), so a value stays one
/// segment.
const PATH_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// The bytes [`PATH_SET`] encodes (its members, and every byte outside ASCII), as a table.
const ENCODED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = byte < 0x20 || byte >= 0x7f;
        byte += 1;
    }
    let members = b" \"#<>?`{}/%";
    let mut i = 0;
    while i < members.len() {
        table[members[i] as usize] = true;
        i += 1;
    }
    table
};

/// Appends `value` to `url`, percent-encoded as one path segment: what progenitor's
/// `encode_path(&value.to_string())` gives, without its two intermediate strings. The
/// generated builders build their URLs with it (a generator setting of xtask).
pub(crate) fn push_path_segment<T: fmt::Display + ?Sized>(url: &mut String, value: &T) {
    /// Encodes what is written through it onto the URL.
    struct Encoding<'a>(&'a mut String);
    impl fmt::Write for Encoding<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            // Most values (ids, names) have nothing to encode: one copy, no per-piece pushes.
            if s.bytes().any(|byte| ENCODED[usize::from(byte)]) {
                self.0.extend(utf8_percent_encode(s, PATH_SET));
            } else {
                self.0.push_str(s);
            }
            Ok(())
        }
    }
    // Writing to a `String` cannot fail, and the path parameters' `Display` does not either.
    let _ = fmt::write(&mut Encoding(url), format_args!("{value}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_path_segment_is_encoded_as_progenitor_encodes_it(value in any::<String>()) {
            let mut url = String::from("http://h/v2/");
            push_path_segment(&mut url, &value);
            prop_assert_eq!(
                url,
                format!("http://h/v2/{}", progenitor_client::encode_path(&value))
            );
        }
    }

    #[test]
    fn every_ascii_character_is_encoded_as_progenitor_encodes_it() {
        let all: String = (0u8..128).map(char::from).collect();
        let mut url = String::new();
        push_path_segment(&mut url, &all);
        assert_eq!(url, progenitor_client::encode_path(&all));
        let mut url = String::new();
        push_path_segment(&mut url, &PathSegment::new("a/b%c d?é").unwrap());
        assert_eq!(url, "a%2Fb%25c%20d%3F%C3%A9");
    }

    /// A URL built on `base` as the generated builders build it: the base, constant pieces
    /// and encoded parameters.
    fn built(base: &str, pieces: &[&str], params: &[String]) -> String {
        let mut url = base.to_owned();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                push_path_segment(&mut url, &params[i - 1]);
            }
            url.push_str(piece);
        }
        url
    }

    proptest! {
        #[test]
        fn a_url_joined_to_its_base_is_the_url_parsed_whole(
            params in proptest::collection::vec(any::<String>(), 2),
            base in proptest::sample::select(vec![
                "http://127.0.0.1:8080", "https://dms.example.com", "https://dms.example.com/api",
                "http://[::1]:9", "https://xn--bcher-kva.example/a%20b",
            ]),
            pieces in proptest::sample::select(vec![
                ["/v2/", "/instances/", "/connector"],
                ["/v2/", "/kafka/instances/", ""],
                ["/", "/", "/"],
            ]),
        ) {
            let url = built(base, &pieces, &params);
            let joined = BaseUrl::new(base).expect("a plain base").join(&url);
            prop_assert_eq!(joined, Some(Url::parse(&url).unwrap()));
        }
    }

    #[test]
    fn dot_segments_and_backslashes_are_parsed_as_a_whole_url_parses_them() {
        let base = BaseUrl::new("https://h.example/p").unwrap();
        for path in [
            "/v2/./x",
            "/v2/../x",
            "/v2/%2e%2E/x",
            "/a\\b",
            "/%2F/",
            "//x",
            "/x/..",
        ] {
            let url = format!("https://h.example/p{path}");
            assert_eq!(base.join(&url), Some(Url::parse(&url).unwrap()), "{path}");
        }
    }

    #[test]
    fn what_is_not_the_base_and_a_plain_path_is_left_to_reqwest() {
        // Bases that parsing changes, or that carry a query: none.
        for base in [
            "HTTP://H.example",
            "https://h.example/a/./b",
            "https://h.example/?q",
            "https://h.example:443",
        ] {
            assert!(BaseUrl::new(base).is_none(), "{base}");
        }
        let base = BaseUrl::new("https://h.example").unwrap();
        for url in [
            "https://other.example/v2",
            "https://h.example",
            "https://h.example/v2?x=1",
            "https://h.example/v2#f",
            "https://h.example/v2 ",
            "https://h.examplev2",
        ] {
            assert!(base.join(url).is_none(), "{url}");
        }
        assert_eq!(
            base.join("https://h.example/v2/x").unwrap().as_str(),
            "https://h.example/v2/x"
        );
    }

    #[test]
    fn the_table_holds_what_the_set_encodes() {
        for byte in 0u8..=255 {
            let encoded = percent_encoding::percent_encode(&[byte], PATH_SET).to_string();
            assert_eq!(ENCODED[usize::from(byte)], encoded.len() > 1, "{byte:#x}");
        }
    }
}
