//! rst inline markup reduced to plain text: `**x**`, `*x*`, ``` ``x`` ```, `:ref:`, `:literal:`,
//! escapes; cell fragments (paragraphs, bullets, notes) reduced to lines of text.

/// Reduces the inline markup of one line (or paragraph) to its words.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(10).collect();
        // :role:`content`
        if chars[i] == ':'
            && let Some((role, content, next)) = role_at(&chars, i)
        {
            match role.as_str() {
                "ref" | "doc" => out.push_str(&ref_text(&content)),
                _ => out.push_str(&unescape(&content)),
            }
            i = next;
            continue;
        }
        if rest.starts_with("``")
            && let Some(end) = find(&chars, i + 2, "``")
        {
            out.extend(&chars[i + 2..end]);
            i = end + 2;
            continue;
        }
        if rest.starts_with("**")
            && let Some(end) = find(&chars, i + 2, "**")
            && end > i + 2
        {
            out.push_str(&plain(&chars[i + 2..end].iter().collect::<String>()));
            i = end + 2;
            continue;
        }
        if chars[i] == '*'
            && chars
                .get(i + 1)
                .is_some_and(|c| !c.is_whitespace() && *c != '*')
            && let Some(end) = find(&chars, i + 1, "*")
        {
            out.extend(&chars[i + 1..end]);
            i = end + 1;
            continue;
        }
        if chars[i] == '\\' {
            match chars.get(i + 1) {
                // `\ ` separates markup from text and stands for nothing.
                Some(' ') => i += 2,
                Some(c) => {
                    out.push(*c);
                    i += 2;
                }
                None => i += 1,
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `:role:`content`` starting at `i`: (role, raw content, index after it).
fn role_at(chars: &[char], i: usize) -> Option<(String, String, usize)> {
    let mut j = i + 1;
    while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '-') {
        j += 1;
    }
    if j == i + 1 || chars.get(j) != Some(&':') || chars.get(j + 1) != Some(&'`') {
        return None;
    }
    let role: String = chars[i + 1..j].iter().collect();
    // The content ends at the first backquote not escaped by a backslash.
    let mut k = j + 2;
    while k < chars.len() {
        if chars[k] == '\\' {
            k += 2;
            continue;
        }
        if chars[k] == '`' {
            let content: String = chars[j + 2..k].iter().collect();
            return Some((role, content, k + 1));
        }
        k += 1;
    }
    None
}

fn find(chars: &[char], from: usize, pattern: &str) -> Option<usize> {
    let p: Vec<char> = pattern.chars().collect();
    (from..chars.len().saturating_sub(p.len() - 1)).find(|&k| chars[k..k + p.len()] == p[..])
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `Text <anchor>` → `Text`; `anchor` → `anchor`.
fn ref_text(content: &str) -> String {
    match content.rsplit_once('<') {
        Some((text, anchor)) if anchor.ends_with('>') && !text.trim().is_empty() => {
            text.trim().to_owned()
        }
        _ => content.trim().to_owned(),
    }
}

/// The first `:ref:` of `text`: (text, anchor).
pub(crate) fn first_ref(text: &str) -> Option<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ':'
            && let Some((role, content, next)) = role_at(&chars, i)
        {
            if role == "ref" {
                return Some(match content.rsplit_once('<') {
                    Some((t, anchor)) if anchor.ends_with('>') => (
                        t.trim().to_owned(),
                        anchor.trim_end_matches('>').trim().to_owned(),
                    ),
                    _ => (content.trim().to_owned(), content.trim().to_owned()),
                });
            }
            i = next;
            continue;
        }
        i += 1;
    }
    None
}

/// A table cell (an rst fragment) as plain text: one line per paragraph or bullet item
/// (bullets keep a `- ` marker), directives such as `.. note::` reduced to their words.
pub(crate) fn cell(text: &str) -> String {
    let mut items: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut bullet = false;
    let flush = |items: &mut Vec<String>, current: &mut Vec<String>, bullet: bool| {
        if !current.is_empty() {
            let words = plain(&current.join(" "));
            if !words.is_empty() {
                items.push(if bullet { format!("- {words}") } else { words });
            }
            current.clear();
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut items, &mut current, bullet);
            continue;
        }
        if t.starts_with(".. ") && t.contains("::") {
            flush(&mut items, &mut current, bullet);
            bullet = false;
            let label = t.trim_start_matches(".. ").split("::").next().unwrap_or("");
            let rest = t.split_once("::").map(|(_, r)| r.trim()).unwrap_or("");
            if label == "note" {
                current.push("Note:".to_owned());
            }
            if !rest.is_empty() {
                current.push(rest.to_owned());
            }
            continue;
        }
        if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush(&mut items, &mut current, bullet);
            bullet = true;
            current.push(item.trim().to_owned());
            continue;
        }
        current.push(t.to_owned());
    }
    flush(&mut items, &mut current, bullet);
    // A note's words follow its "Note:" on the same line.
    let mut merged: Vec<String> = Vec::new();
    for item in items {
        match merged.last_mut() {
            Some(last) if last == "Note:" => {
                last.push(' ');
                last.push_str(&item);
            }
            _ => merged.push(item),
        }
    }
    merged.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup() {
        assert_eq!(
            plain("see :ref:`Obtaining a Project ID <kafka-api-0036212547>`."),
            "see Obtaining a Project ID."
        );
        assert_eq!(
            plain("The default value is **2**."),
            "The default value is 2."
        );
        assert_eq!(plain("*false*\\ \\*, x"), "false*, x");
        assert_eq!(plain(":literal:`\\`~!@#`"), "`~!@#");
        assert_eq!(plain("``code`` and *em*"), "code and em");
    }

    #[test]
    fn refs() {
        assert_eq!(
            first_ref("Array of :ref:`results <x__response_results>` objects"),
            Some(("results".into(), "x__response_results".into()))
        );
        assert_eq!(first_ref("String"), None);
    }

    #[test]
    fn cells() {
        let text = "Operation result.\n\n-  **success**: ok.\n\n-  **failed**: not\n   ok.\n\n.. note::\n\n   Mind it.";
        assert_eq!(
            cell(text),
            "Operation result.\n- success: ok.\n- failed: not ok.\nNote: Mind it."
        );
    }
}
