//! What every request goes through on its way to the wire and back.

pub(crate) mod body;
pub(crate) mod hooks;
pub(crate) mod http;
pub(crate) mod retry;

pub(crate) use hooks::HookState;

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::PathSegment;

/// The configured project as a path segment, for the generated `Client::<operation>()` methods
/// that pre-fill `project_id` (a generator setting of xtask). `None` when no project is
/// configured or the configured id cannot be one path segment (the builder then reports the
/// missing `project_id`, unless the caller sets one).
pub(crate) fn default_project_id(state: &HookState) -> Option<PathSegment> {
    state.project_id().and_then(|id| PathSegment::new(id).ok())
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

    #[test]
    fn the_table_holds_what_the_set_encodes() {
        for byte in 0u8..=255 {
            let encoded = percent_encoding::percent_encode(&[byte], PATH_SET).to_string();
            assert_eq!(ENCODED[usize::from(byte)], encoded.len() > 1, "{byte:#x}");
        }
    }
}
