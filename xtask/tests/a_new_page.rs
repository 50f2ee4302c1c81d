//! A new operation costs its page: copy one more DMS page (from the vendored pages, not one of
//! `spec/pages/`) into a scratch copy of the inputs, run the generator, and the operation is in
//! every generated file it belongs in, with no other input changed. (The generated code is
//! not compiled here; `.ci/run` compiles the committed one.)

mod common;

use std::fs;
use std::path::Path;

use common::copy_dir;
use xtask::{
    ALL_PAGES, DECISIONS, ERROR_PAGE, GENERATED, GENERATED_MOCK, GENERATED_OPERATIONS,
    GENERATED_TEST_CALLS, PAGES, SPEC,
};

/// Querying the latest offset of a partition: a GET with an Integer path parameter.
const NEW_PAGE: &str = "message_query/querying_offset_of_the_latest_message_in_a_partition.rst";
/// Querying all consumer groups: a list paged by `offset`/`limit`.
const LIST_PAGE: &str = "instance_management/querying_all_consumer_groups.rst";

fn file<'a>(outputs: &'a xtask::Outputs, name: &str) -> &'a str {
    outputs
        .files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, content)| content.as_str())
        .unwrap_or_else(|| panic!("regen writes {name}"))
}

/// What regen writes for a scratch copy of the inputs (in `scratch`, under the target's temp
/// directory) without the vendored page `page`, and then with it.
fn generate_with(page: &str, scratch: &str) -> (xtask::Outputs, xtask::Outputs) {
    let workspace = xtask::workspace_root();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(scratch);
    let _ = fs::remove_dir_all(&root);
    copy_dir(&workspace.join(PAGES), &root.join(PAGES));
    copy_dir(&workspace.join(ALL_PAGES), &root.join(ALL_PAGES));
    for input in [DECISIONS, ERROR_PAGE] {
        fs::create_dir_all(root.join(input).parent().unwrap()).unwrap();
        fs::copy(workspace.join(input), root.join(input)).unwrap();
    }
    let page = workspace.join(ALL_PAGES).join(page);
    let copied = root.join(PAGES).join(page.file_name().unwrap());
    // Should the page be one of spec/pages some day, the scratch copy starts without it.
    let _ = fs::remove_file(&copied);
    let before = xtask::outputs(&root).expect("the pages without the new one generate");
    fs::copy(&page, &copied).unwrap();
    let after = xtask::outputs(&root).expect("the pages with the new one generate");
    (before, after)
}

/// A list that pages by `offset`/`limit` (Querying All Consumer Groups: both typed String,
/// counted by `total`) gets its stream from the generator's paging setting, with no code
/// written for it.
#[test]
fn a_copied_list_page_gets_a_stream() {
    let (before, after) = generate_with(LIST_PAGE, "a-new-list-page");
    assert!(!file(&before, GENERATED_OPERATIONS).contains("ListInstanceConsumerGroups"));
    let layer = file(&after, GENERATED_OPERATIONS);
    let stream = layer
        .split("impl<'a> ListInstanceConsumerGroups<'a> {")
        .find(|part| part.trim_start().starts_with("/**Every item of the list"))
        .unwrap_or_else(|| panic!("no stream for ListInstanceConsumerGroups:\n{layer}"));
    for expected in [
        "pub fn into_stream(",
        "Item = Result<types::",
        "crate::paging::items(",
        // The page types offset and limit as String: the numbers go as text.
        ".offset(position.to_string())",
        ".limit(limit.to_string())",
        "page.total.and_then(|n| u64::try_from(n).ok())",
    ] {
        assert!(
            stream.contains(expected),
            "the stream lacks {expected:?}:\n{stream}"
        );
    }
}

#[test]
fn a_copied_page_appears_in_every_generated_file() {
    let (before, after) = generate_with(NEW_PAGE, "a-new-page");
    assert!(!file(&before, SPEC).contains("operationId: ShowPartitionEndMessage"));

    let spec = file(&after, SPEC);
    assert!(spec.contains("operationId: ShowPartitionEndMessage"));
    assert!(
        spec.contains("- name: partition\n        in: path\n        required: true\n        description: Partition number.\n        schema:\n          type: integer"),
        "partition stays an integer:\n{spec}"
    );
    let progenitor = file(&after, GENERATED);
    assert!(progenitor.contains("pub fn show_partition_end_message(&self)"));
    let layer = file(&after, GENERATED_OPERATIONS);
    for expected in [
        // The table.
        "    ShowPartitionEndMessage,",
        "\"/v2/{project_id}/instances/{instance_id}/management/topics/{topic}/partitions/{partition}/end-message\"",
        "\"ShowPartitionEndMessage\" => Some(Operation::ShowPartitionEndMessage)",
        // The call, its builder and its integer path parameter.
        "pub fn show_partition_end_message(&self) -> builder::ShowPartitionEndMessage<'_>",
        "pub struct ShowPartitionEndMessage<'a>",
        "V: TryInto<i32>,",
        // The local DMS's routing and its documented reply.
        "name: \"partition\",",
        "integer: true,",
    ] {
        assert!(
            layer.contains(expected),
            "{GENERATED_OPERATIONS} lacks {expected:?}"
        );
    }
    let example = layer
        .split("pub(crate) const fn example_reply")
        .nth(1)
        .and_then(|replies| {
            replies
                .split("Operation::ShowPartitionEndMessage =>")
                .nth(1)
        })
        .and_then(|reply| reply.split("Operation::").next())
        .expect("the new operation's example reply");
    let example: String = example.split_whitespace().collect();
    assert!(
        example.starts_with("{Some((200,Some("),
        "the page's example reply: {example}"
    );
    assert!(
        file(&after, GENERATED_TEST_CALLS)
            .contains("generated_client::Operation::ShowPartitionEndMessage =>")
    );
    assert!(file(&after, GENERATED_MOCK).contains("fn show_partition_end_message"));

    // What was there stays: every other operation is still generated the same way.
    let old_layer = file(&before, GENERATED_OPERATIONS);
    let old_calls: Vec<&str> = old_layer
        .lines()
        .filter(|l| l.trim_start().starts_with("pub fn "))
        .collect();
    for call in old_calls {
        assert!(layer.contains(call), "{call} is still generated");
    }
}
