//! The importer on every one of the 62 DMS API pages vendored in `tests/pages/`: each page
//! imports without error and its operation is a readable YAML snapshot; together they make one
//! valid spec. (That the code generated from them compiles is checked by the crate
//! `pages-check`, kept fresh by `cargo xtask regen --check`.)

use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages/apis_v2_recommended")
}

/// Every page: (name relative to `tests/pages/`, text), sorted.
fn all_pages() -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for group in std::fs::read_dir(pages_dir()).unwrap() {
        let group = group.unwrap();
        for page in std::fs::read_dir(group.path()).unwrap() {
            let path = page.unwrap().path();
            if path.extension().is_some_and(|e| e == "rst") {
                let name = format!(
                    "{}/{}",
                    group.file_name().to_string_lossy(),
                    path.file_name().unwrap().to_string_lossy()
                );
                pages.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    pages.sort();
    pages
}

#[test]
fn every_page_imports_and_its_operation_is_a_snapshot() {
    let mut count = 0;
    insta::glob!("pages/apis_v2_recommended/*/*.rst", |path| {
        count += 1;
        let name = path
            .strip_prefix(pages_dir())
            .unwrap()
            .display()
            .to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let op = codegen::pages::import_page(&name, &text)
            .unwrap_or_else(|e| panic!("{name} does not import: {e}"));
        let mut shown = Mapping::new();
        let mut put = |k: &str, v: Value| {
            shown.insert(Value::String(k.into()), v);
        };
        put(
            "operation",
            Value::String(format!("{} {}", op.method.to_uppercase(), op.path)),
        );
        put(
            "warnings",
            Value::Sequence(
                op.warnings
                    .iter()
                    .map(|w| Value::String(w.to_string()))
                    .collect(),
            ),
        );
        put("operation_object", op.operation.clone());
        let mut schemas = Mapping::new();
        for (schema_name, schema) in &op.schemas {
            schemas.insert(Value::String(schema_name.clone()), schema.clone());
        }
        put("schemas", Value::Mapping(schemas));
        insta::assert_snapshot!(codegen::pages::to_yaml(&Value::Mapping(shown)));
    });
    assert_eq!(count, 62, "the 62 pages of APIs V2 (Recommended)");
}

#[test]
fn the_62_pages_make_one_valid_spec_that_generates() {
    let pages = all_pages();
    assert_eq!(pages.len(), 62);
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let imported = codegen::pages::import(&refs).unwrap();
    let yaml = codegen::pages::to_yaml(&imported.document);
    let loaded = codegen::load("all.yaml", &yaml).unwrap();
    assert_eq!(
        loaded
            .spec
            .paths
            .paths
            .values()
            .map(|p| p.as_item().unwrap().iter().count())
            .sum::<usize>(),
        62
    );
    let problems = codegen::validate::problems(&loaded.spec, &loaded.tree);
    assert!(problems.is_empty(), "{problems:#?}");
    let code = codegen::generate("all.yaml", &yaml, &codegen::Settings::default()).unwrap();
    assert_eq!(code.matches("operation_id: \"").count(), 62);
}

#[test]
fn import_is_deterministic_and_names_do_not_depend_on_page_order() {
    let pages = all_pages();
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let first = codegen::pages::import(&refs).unwrap();
    let again = codegen::pages::import(&refs).unwrap();
    assert_eq!(
        codegen::pages::to_yaml(&first.document),
        codegen::pages::to_yaml(&again.document)
    );

    let reversed: Vec<(&str, &str)> = refs.iter().rev().copied().collect();
    let other = codegen::pages::import(&reversed).unwrap();
    let names = |doc: &Value| {
        let mut names: Vec<String> = doc["components"]["schemas"]
            .as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&first.document), names(&other.document));
    // A clash is resolved the same way: both definers of `Results` are qualified.
    let all = names(&first.document);
    assert!(
        all.contains(&"BatchRestartOrDeleteInstancesResults".to_owned()),
        "{all:?}"
    );
    assert!(!all.contains(&"Results".to_owned()));
    // The body keeps its conventional name; the nested table of the same name is qualified.
    assert!(all.contains(&"ShowInstanceResp".to_owned()));
    assert!(all.contains(&"ListInstancesShowInstanceResp".to_owned()));
}

#[test]
fn contradictions_follow_the_table_and_are_warned_with_page_and_line() {
    let pages = all_pages();
    let find = |suffix: &str| pages.iter().find(|(n, _)| n.ends_with(suffix)).unwrap();
    let (name, text) = find("enabling_smart_connect_pay-per-use_instance.rst");
    let op = codegen::pages::import_page(name, text).unwrap();
    let req = &op
        .schemas
        .iter()
        .find(|(n, _)| n == "CreateConnectorReq")
        .unwrap()
        .1;
    assert_eq!(
        req["properties"]["node_cnt"]["type"],
        Value::String("string".into())
    );
    let warnings: Vec<String> = op.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with(&format!("{name}:69:"))
                && w.contains("`node_cnt` as the number 2, but the table types it String")),
        "{warnings:#?}"
    );
    let (name, text) = find("creating_a_topic_for_a_kafka_instance.rst");
    let op = codegen::pages::import_page(name, text).unwrap();
    let body = &op
        .schemas
        .iter()
        .find(|(n, _)| n == "CreateInstanceTopicReq")
        .unwrap()
        .1;
    assert_eq!(
        body["properties"]["sync_replication"]["type"],
        Value::String("boolean".into())
    );
    assert!(
        op.warnings.iter().any(|w| w.message.contains(
            "`sync_replication` as the string \"false\", but the table types it Boolean"
        )),
        "{:#?}",
        op.warnings
    );
}
