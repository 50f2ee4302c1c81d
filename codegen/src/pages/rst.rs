//! The subset of reStructuredText that the API reference pages are written in: section
//! headings, labels (`.. _name:`), `.. table::` directives holding grid or simple tables,
//! `.. code-block::` directives, paragraphs and bullet items.
//!
//! The reader is line based and strict about tables: a cell border that does not line up, a
//! table that is not closed, or a directive without its content is an error naming the line.

use super::PageError;

/// One construct of a page, with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// `.. _name:`
    Label { name: String, line: usize },
    /// A title underlined with `underline` (`=` for the page title, `-` for sections).
    Heading {
        text: String,
        underline: char,
        line: usize,
    },
    /// Text lines joined with spaces (a bullet item is a paragraph of its own).
    Paragraph { text: String, line: usize },
    /// A grid or simple table, with the title of its `.. table::` directive.
    Table(Table),
    /// The content of a `.. code-block::`, dedented; `line` is the line of its first content line.
    Code { text: String, line: usize },
}

/// A table: header cells and rows of cells, each cell the raw rst text of the cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Title from `.. table:: **Table 2** Request body parameters` (without the number).
    pub title: Option<String>,
    /// Line of the first border.
    pub line: usize,
    /// Header cells (plain text).
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Row>,
}

/// One body row of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// Line the row starts on.
    pub line: usize,
    /// Cell texts, lines joined with `\n`, common indentation removed.
    pub cells: Vec<String>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_underline(line: &str) -> Option<char> {
    let t = line.trim();
    let first = t.chars().next()?;
    if t.len() >= 3 && "=-~^\"'*+#".contains(first) && t.chars().all(|c| c == first) {
        Some(first)
    } else {
        None
    }
}

/// `=====  ====  ===`: at least two runs of `=` separated by spaces.
fn is_simple_border(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '=' || c == ' ') && t.split_whitespace().count() >= 2
}

/// Splits `text` into blocks.
pub(crate) fn parse(text: &str) -> Result<Vec<Block>, PageError> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = indent_of(line);
        let number = i + 1;
        if trimmed.is_empty() || trimmed.starts_with(":original_name:") {
            i += 1;
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix(".. _")
            .and_then(|rest| rest.strip_suffix(':'))
        {
            blocks.push(Block::Label {
                name: name.to_owned(),
                line: number,
            });
            i += 1;
            continue;
        }
        if let Some(title) = trimmed.strip_prefix(".. table::") {
            let title = super::text::plain(title.trim());
            let title = strip_table_number(&title);
            let start = next_content(&lines, i + 1, indent).ok_or_else(|| {
                PageError::at(number, "expected a table below this `.. table::` directive")
            })?;
            let (mut table, end) = parse_table(&lines, start)?;
            table.title = Some(title);
            blocks.push(Block::Table(table));
            i = end;
            continue;
        }
        if trimmed.starts_with(".. code-block::") || trimmed.starts_with(".. code::") {
            let (content, first, end) = directive_content(&lines, i + 1, indent);
            if content.trim().is_empty() {
                return Err(PageError::at(
                    number,
                    "expected an indented block below this `.. code-block::` directive",
                ));
            }
            blocks.push(Block::Code {
                text: content,
                line: first,
            });
            i = end;
            continue;
        }
        if trimmed.starts_with("..") && !trimmed.contains("::") {
            // A comment, with its indented continuation.
            let (_, _, end) = directive_content(&lines, i + 1, indent);
            i = end;
            continue;
        }
        if trimmed.starts_with(".. ") && trimmed.contains("::") {
            // Any other directive (note, important, ...): its words are kept as a paragraph.
            let (content, first, end) = directive_content(&lines, i + 1, indent);
            let words = content.split_whitespace().collect::<Vec<_>>().join(" ");
            if !words.is_empty() {
                blocks.push(Block::Paragraph {
                    text: words,
                    line: first,
                });
            }
            i = end;
            continue;
        }
        if trimmed.starts_with('+') && trimmed.ends_with('+') && trimmed.contains('-') {
            let (table, end) = parse_table(&lines, i)?;
            blocks.push(Block::Table(table));
            i = end;
            continue;
        }
        if is_simple_border(line) {
            let (table, end) = parse_table(&lines, i)?;
            blocks.push(Block::Table(table));
            i = end;
            continue;
        }
        if let Some(underline) = lines.get(i + 1).and_then(|next| is_underline(next))
            && lines[i + 1].trim().len() >= trimmed.len()
        {
            blocks.push(Block::Heading {
                text: trimmed.to_owned(),
                underline,
                line: number,
            });
            i += 2;
            continue;
        }
        // A paragraph or a bullet item: lines up to a blank line, a new bullet or a construct.
        let bullet = bullet_text(trimmed);
        let mut words = vec![bullet.unwrap_or(trimmed).to_owned()];
        let mut j = i + 1;
        while j < lines.len() {
            let next = lines[j];
            let t = next.trim_start();
            if t.is_empty()
                || bullet_text(t).is_some()
                || t.starts_with(".. ")
                || (bullet.is_some() && indent_of(next) <= indent)
                || lines.get(j + 1).and_then(|n| is_underline(n)).is_some()
            {
                break;
            }
            words.push(t.to_owned());
            j += 1;
        }
        blocks.push(Block::Paragraph {
            text: words.join(" "),
            line: number,
        });
        i = j;
    }
    Ok(blocks)
}

/// The text of a bullet item line (`-  text`, `*  text`), or `None`.
fn bullet_text(trimmed: &str) -> Option<&str> {
    let rest = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))?;
    Some(rest.trim_start())
}

/// `**Table 2** Request body parameters` → `Request body parameters`.
fn strip_table_number(title: &str) -> String {
    let t = title.trim();
    if let Some(rest) = t.strip_prefix("Table ") {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        return rest.trim().to_owned();
    }
    t.to_owned()
}

/// Index of the first non-blank line at or after `from` indented deeper than `indent`.
fn next_content(lines: &[&str], from: usize, indent: usize) -> Option<usize> {
    let mut i = from;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        return (indent_of(lines[i]) > indent).then_some(i);
    }
    None
}

/// The indented content below a directive at `indent`: (dedented text, 1-based line of the
/// first content line, index after the content).
fn directive_content(lines: &[&str], from: usize, indent: usize) -> (String, usize, usize) {
    let mut end = from;
    let mut first = None;
    while end < lines.len() {
        let line = lines[end];
        if !line.trim().is_empty() {
            if indent_of(line) <= indent {
                break;
            }
            first.get_or_insert(end);
        }
        end += 1;
    }
    let Some(first) = first else {
        return (String::new(), from + 1, end);
    };
    let body: Vec<&str> = lines[first..end].to_vec();
    let cut = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut text: Vec<&str> = body
        .iter()
        .map(|l| if l.len() >= cut { &l[cut..] } else { "" })
        .collect();
    while text.last().is_some_and(|l| l.trim().is_empty()) {
        text.pop();
    }
    (text.join("\n"), first + 1, end)
}

/// Parses the grid or simple table whose first border is `lines[start]`; returns the table
/// and the index after it.
fn parse_table(lines: &[&str], start: usize) -> Result<(Table, usize), PageError> {
    if lines[start].trim_start().starts_with('+') {
        parse_grid(lines, start)
    } else if is_simple_border(lines[start]) {
        parse_simple(lines, start)
    } else {
        Err(PageError::at(
            start + 1,
            "expected a table border (`+---+` or `=== ===`) here",
        ))
    }
}

fn chars(line: &str) -> Vec<char> {
    line.chars().collect()
}

fn parse_grid(lines: &[&str], start: usize) -> Result<(Table, usize), PageError> {
    let indent = indent_of(lines[start]);
    let border = chars(&lines[start][indent..]);
    let columns: Vec<usize> = border
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == '+')
        .map(|(i, _)| i)
        .collect();
    if columns.len() < 2 || border.iter().any(|c| !matches!(c, '+' | '-')) {
        return Err(PageError::at(
            start + 1,
            "a grid table's first border must look like `+-----+-----+`",
        ));
    }
    let width = border.len();
    let ncols = columns.len() - 1;
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<Row> = Vec::new();
    let mut current: Vec<Vec<String>> = vec![Vec::new(); ncols];
    let mut current_line = 0;
    let mut closed = true;
    let mut i = start + 1;
    while i < lines.len() {
        let raw = lines[i];
        let number = i + 1;
        if raw.trim().is_empty() || indent_of(raw) != indent {
            break;
        }
        let line = chars(&raw[indent..]);
        let first = line[0];
        if first != '+' && first != '|' {
            break;
        }
        let column_error = |col: usize, expected: char| {
            PageError::at(
                number,
                format!(
                    "table columns do not line up: expected `{expected}` at column {} as in the border on line {}",
                    indent + col + 1,
                    start + 1
                ),
            )
        };
        if line.len() < width && i + 1 == lines.len() {
            return Err(PageError::at(
                number,
                format!(
                    "the file ends inside the table starting on line {} (is the file truncated?)",
                    start + 1
                ),
            ));
        }
        if line.len() != width {
            let col = line.len().min(width);
            return Err(column_error(
                col.saturating_sub(1),
                if first == '+' { '+' } else { '|' },
            ));
        }
        if first == '+' {
            for (pos, c) in line.iter().enumerate() {
                let at_border = columns.contains(&pos);
                let ok = if at_border {
                    *c == '+'
                } else {
                    *c == '-' || *c == '='
                };
                if !ok {
                    return Err(column_error(pos, if at_border { '+' } else { '-' }));
                }
            }
            let cells: Vec<String> = current.iter().map(|c| cell_text(c)).collect();
            let is_header = line.contains(&'=');
            if is_header {
                header = Some(
                    cells
                        .iter()
                        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                        .collect(),
                );
            } else if current.iter().any(|c| !c.is_empty()) {
                rows.push(Row {
                    line: current_line,
                    cells,
                });
            }
            current = vec![Vec::new(); ncols];
            closed = true;
        } else {
            for &pos in &columns {
                if line[pos] != '|' {
                    return Err(column_error(pos, '|'));
                }
            }
            if closed {
                current_line = number;
            }
            closed = false;
            for (k, window) in columns.windows(2).enumerate() {
                let cell: String = line[window[0] + 1..window[1]].iter().collect();
                current[k].push(cell);
            }
        }
        i += 1;
    }
    if !closed {
        return Err(PageError::at(
            i.min(lines.len()),
            format!(
                "the table starting on line {} is not closed by a `+---+` border (is the file truncated?)",
                start + 1
            ),
        ));
    }
    let header = header.ok_or_else(|| {
        PageError::at(
            start + 1,
            "the table has no header row (a `+===+` border below the first row)",
        )
    })?;
    Ok((
        Table {
            title: None,
            line: start + 1,
            header,
            rows,
        },
        i,
    ))
}

/// Joins the lines of one cell, removing the padding common to them.
fn cell_text(lines: &[String]) -> String {
    let cut = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = lines
        .iter()
        .map(|l| {
            let l = l.trim_end();
            if l.len() >= cut { &l[cut..] } else { "" }
        })
        .collect();
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn parse_simple(lines: &[&str], start: usize) -> Result<(Table, usize), PageError> {
    let border_line = lines[start];
    let border = chars(border_line);
    // Column spans [from, to) of each run of `=`.
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < border.len() {
        if border[pos] == '=' {
            let from = pos;
            while pos < border.len() && border[pos] == '=' {
                pos += 1;
            }
            spans.push((from, pos));
        } else {
            pos += 1;
        }
    }
    let mut borders = vec![start];
    let mut header_rows: Vec<Row> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut i = start + 1;
    loop {
        let Some(raw) = lines.get(i) else {
            return Err(PageError::at(
                lines.len(),
                format!(
                    "the table starting on line {} is not closed by a `=== ===` border (is the file truncated?)",
                    start + 1
                ),
            ));
        };
        let number = i + 1;
        i += 1;
        if raw.trim().is_empty() {
            continue;
        }
        if is_simple_border(raw) {
            if raw.trim_end() != border_line.trim_end() {
                return Err(PageError::at(
                    number,
                    format!(
                        "table border does not line up with the border on line {}",
                        start + 1
                    ),
                ));
            }
            borders.push(number - 1);
            if borders.len() == 3 {
                break;
            }
            continue;
        }
        let line = chars(raw);
        if indent_of(raw) < spans[0].0 {
            return Err(PageError::at(
                number,
                format!(
                    "text starts left of the table's first column (column {})",
                    spans[0].0 + 1
                ),
            ));
        }
        // Text between two columns (outside every span but the last column) is misaligned.
        let last = spans.len() - 1;
        for (k, &(_, to)) in spans.iter().enumerate().take(last) {
            let gap_end = spans[k + 1].0;
            let gap = line.iter().enumerate().take(gap_end).skip(to);
            for (p, c) in gap {
                if *c != ' ' {
                    return Err(PageError::at(
                        number,
                        format!(
                            "text crosses the border between columns {} and {} at column {}; the columns are set by the border on line {}",
                            k + 1,
                            k + 2,
                            p + 1,
                            start + 1
                        ),
                    ));
                }
            }
        }
        let cells: Vec<String> = spans
            .iter()
            .enumerate()
            .map(|(k, &(from, to))| {
                let end = if k == last { line.len() } else { to };
                if from >= line.len() {
                    String::new()
                } else {
                    line[from..end.min(line.len())]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_owned()
                }
            })
            .collect();
        let target = if borders.len() == 1 {
            &mut header_rows
        } else {
            &mut rows
        };
        if cells[0].is_empty()
            && let Some(previous) = target.last_mut()
        {
            for (cell, more) in previous.cells.iter_mut().zip(&cells) {
                if !more.is_empty() {
                    cell.push('\n');
                    cell.push_str(more);
                }
            }
            continue;
        }
        target.push(Row {
            line: number,
            cells,
        });
    }
    let header = header_rows
        .into_iter()
        .next()
        .map(|r| r.cells)
        .ok_or_else(|| PageError::at(start + 1, "the table has no header row"))?;
    Ok((
        Table {
            title: None,
            line: start + 1,
            header,
            rows,
        },
        i,
    ))
}
