//! Generating a large spec in parts, so that progenitor's token tree (most of the memory of a
//! generation) never holds more than one part's operations.
//!
//! progenitor's builder-style output is: imports; `mod types` (typify's types, one group of
//! items per type sorted by type name, then its `builder`, `defaults` and `error` modules);
//! the `Client` and its fixed impls; one `impl Client` with a method per operation; `mod
//! builder` (imports, then each operation's items in operation order); `mod prelude`.
//!
//! The operations are cut into parts in progenitor's order. Each part is generated from the
//! spec cut down to its operations and the components they reach, parsed, and kept as text:
//! type groups by name, the operation methods and builder items in order, everything else
//! once. The file is then printed in the whole generation's order. When a part does not have
//! that shape (a type of one name printed differently by two parts, an unexpected item, a
//! shared item that differs), the answer is `None` and the caller generates the spec whole.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::panic;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use openapiv3::OpenAPI;
use progenitor::Generator;
use serde_json::{Map, Value};

use super::streamed::{bare, module_lines, unparse_all_in, unparse_in};
use crate::{Error, Settings};

/// Operations per progenitor run when [`Settings::operations_per_part`] is not set.
pub(super) const DEFAULT_OPERATIONS_PER_PART: usize = 25;

/// The HTTP methods of a path item, in the order progenitor visits them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The number of operations progenitor generates for `spec`.
pub(super) fn operation_count(spec: &OpenAPI) -> usize {
    spec.paths
        .iter()
        .filter_map(|(_, item)| item.as_item())
        .map(|item| item.iter().count())
        .sum()
}

/// The formatted code of the prepared spec `tree` generated `per_part` operations at a
/// time (on as many threads as the machine has cores), or `None` when the parts do not fit
/// together (then the spec is generated whole).
#[cfg(test)]
pub(super) fn generate(
    name: &str,
    tree: &Value,
    settings: &Settings,
    per_part: usize,
) -> Result<Option<String>, Error> {
    let mut out = String::new();
    let fits = generate_into(name, tree, settings, per_part, &mut out)?;
    Ok(fits.then_some(out))
}

/// Appends the formatted code of the prepared spec `tree`, generated `per_part` operations at
/// a time (on as many threads as the machine has cores), to `out`; `false` (and `out` as it
/// was) when the parts do not fit together (then the spec is generated whole).
pub(super) fn generate_into(
    name: &str,
    tree: &Value,
    settings: &Settings,
    per_part: usize,
    out: &mut String,
) -> Result<bool, Error> {
    let Some(operations) = operations(tree) else {
        return Ok(false);
    };
    let parts: Vec<&[(String, &'static str)]> = operations.chunks(per_part.max(1)).collect();
    let workers = thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(parts.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let work = || {
        let mut done = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(operations) = parts.get(index) else {
                break;
            };
            let result = generate_part(name, tree, settings, operations);
            if !matches!(result, Ok(Some(_))) {
                stop.store(true, Ordering::Relaxed);
            }
            done.push((index, result));
        }
        done
    };
    let mut results: Vec<(usize, Result<Option<PartCode>, Error>)> =
        crate::quiet::with_quiet_hook(|| {
            thread::scope(|scope| {
                let workers: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
                workers
                    .into_iter()
                    .flat_map(|worker| worker.join().unwrap_or_else(|p| panic::resume_unwind(p)))
                    .collect()
            })
        });
    results.sort_by_key(|(index, _)| *index);

    let mut first: Option<Part> = None;
    let mut table = Vec::new();
    let mut merged = Merged::default();
    for (_, result) in results {
        let Some(code) = result? else {
            return Ok(false);
        };
        match &first {
            None => first = Some(code.part),
            Some(first) if *first == code.part => {}
            Some(_) => return Ok(false),
        }
        if merged.absorb(code.pieces).is_none() {
            return Ok(false);
        }
        table.extend(code.operations);
    }
    let Some(first) = first else {
        return Ok(false);
    };
    // The operation table is printed beside the rest.
    let rows = table.len();
    thread::scope(|scope| {
        let table = settings
            .operation_table
            .then(|| scope.spawn(|| unparse_all_in(crate::rewrite::table_of(table), &[])));
        // Room for the table too (its rows take about 150 bytes each).
        out.reserve(merged.text_len() + 256 * rows);
        merged.print(&first, out);
        if let Some(table) = table {
            out.push_str(&table.join().unwrap_or_else(|p| panic::resume_unwind(p)));
        }
    });
    Ok(true)
}

/// One part's code, as text.
struct PartCode {
    /// What every part prints the same.
    part: Part,
    /// Its pieces of the merged items.
    pieces: Merged,
    /// Its operations, for the operation table.
    operations: Vec<crate::rewrite::Operation>,
}

/// Generates, parses, rewrites and prints one part.
fn generate_part(
    name: &str,
    tree: &Value,
    settings: &Settings,
    operations: &[(String, &'static str)],
) -> Result<Option<PartCode>, Error> {
    let Some(part_tree) = part_spec(tree, operations) else {
        return Ok(None);
    };
    let Ok(part_spec) = serde_json::from_value::<OpenAPI>(part_tree) else {
        return Ok(None);
    };
    let progenitor_settings = settings.progenitor()?;
    let tokens = super::tokens_or_error(
        name,
        crate::quiet::catch(|| Generator::new(&progenitor_settings).generate_tokens(&part_spec)),
    )?;
    drop(part_spec);
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Unparseable {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    let rewrites = crate::rewrite::parse(settings)?;
    let operations = if rewrites.is_empty() {
        Vec::new()
    } else {
        crate::rewrite::rewrite(&mut file, &rewrites)
    };
    let mut pieces = Merged::default();
    Ok(pieces.take(file).map(|part| PartCode {
        part,
        pieces,
        operations,
    }))
}

/// `(path, method)` of every operation of the spec `tree`, in progenitor's order; `None`
/// for a path item that is a reference (progenitor reports those).
fn operations(tree: &Value) -> Option<Vec<(String, &'static str)>> {
    let mut operations = Vec::new();
    for (path, item) in tree.get("paths")?.as_object()? {
        let item = item.as_object()?;
        if item.contains_key("$ref") {
            return None;
        }
        for method in METHODS {
            if item.contains_key(method) {
                operations.push((path.clone(), method));
            }
        }
    }
    Some(operations)
}

/// The spec (as a tree) with only `operations` and the components they reach.
fn part_spec(tree: &Value, operations: &[(String, &'static str)]) -> Option<Value> {
    let root = tree.as_object()?;
    let all_paths = root.get("paths")?.as_object()?;
    let mut paths = Map::new();
    for (path, method) in operations {
        let item = all_paths.get(path)?.as_object()?;
        if item.contains_key("$ref") {
            return None;
        }
        let entry = paths.entry(path.clone()).or_insert_with(|| {
            Value::Object(
                item.iter()
                    .filter(|(key, _)| !METHODS.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            )
        });
        entry
            .as_object_mut()?
            .insert((*method).to_owned(), item.get(*method)?.clone());
    }
    let mut paths = Value::Object(paths);

    let components = root.get("components").and_then(Value::as_object);
    let reached = reached_components(&paths, components)?;
    let mut part = Map::new();
    for (key, value) in root {
        match key.as_str() {
            "paths" => {
                part.insert(key.clone(), paths.take());
            }
            "components" => {
                let mut kept = Map::new();
                for (kind, entries) in value.as_object()? {
                    let entries = match entries {
                        Value::Object(entries) if kind != "securitySchemes" => Value::Object(
                            entries
                                .iter()
                                .filter(|(name, _)| {
                                    reached.get(kind).is_some_and(|names| names.contains(*name))
                                })
                                .map(|(name, value)| (name.clone(), value.clone()))
                                .collect(),
                        ),
                        other => other.clone(),
                    };
                    kept.insert(kind.clone(), entries);
                }
                part.insert(key.clone(), Value::Object(kept));
            }
            _ => {
                part.insert(key.clone(), value.clone());
            }
        }
    }
    Some(Value::Object(part))
}

/// The names of every component that `start` reaches through `$ref`s, directly or through
/// other components, by kind; `None` when a reference names no component.
fn reached_components(
    start: &Value,
    components: Option<&Map<String, Value>>,
) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![start];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref")
                    && let Some(rest) = reference.strip_prefix("#/components/")
                {
                    let (kind, name) = rest.split_once('/')?;
                    let name = name.replace("~1", "/").replace("~0", "~");
                    let target = components?.get(kind)?.get(&name)?;
                    if reached.entry(kind.to_owned()).or_default().insert(name) {
                        stack.push(target);
                    }
                }
                stack.extend(object.values());
            }
            Value::Array(values) => stack.extend(values),
            _ => {}
        }
    }
    Some(reached)
}

/// What every part must print the same: the top-level items outside the merged ones and the
/// lines around the merged pieces.
#[derive(Debug, PartialEq, Eq)]
struct Part {
    top: Vec<Top>,
    types_lines: (String, String),
    methods_lines: (String, String),
    builder_lines: (String, String),
    builder_uses: String,
}

/// A top-level item: printed as is, or one of the three merged ones.
#[derive(Debug, PartialEq, Eq)]
enum Top {
    Text(String),
    Types,
    Methods,
    Builder,
}

/// The typify modules inside `types`, in the order typify prints them.
const TYPE_MODULES: [&str; 3] = ["builder", "defaults", "error"];

/// The pieces gathered from all parts.
#[derive(Default)]
struct Merged {
    /// typify's items of each type, by type name.
    type_groups: BTreeMap<String, String>,
    /// For each module of [`TYPE_MODULES`] seen: its lines, and its content (grouped by type
    /// name for `builder`, whole for the others).
    type_modules: BTreeMap<usize, TypeModule>,
    /// The operation methods of `impl Client`, in order.
    methods: String,
    /// The operation items of `mod builder`, in order.
    builder_items: String,
}

struct TypeModule {
    lines: (String, String),
    groups: BTreeMap<String, String>,
    whole: Option<String>,
}

impl Merged {
    /// Takes the pieces of one part's file; returns what must be the same in every part, or
    /// `None` when the file is not shaped as expected.
    fn take(&mut self, file: syn::File) -> Option<Part> {
        if !file.attrs.is_empty() {
            return None;
        }
        let mut top = Vec::new();
        let mut types_lines = None;
        let mut methods_lines = None;
        let mut builder = None;
        for item in file.items {
            match item {
                syn::Item::Mod(module) if module.ident == "types" && types_lines.is_none() => {
                    types_lines = Some(self.take_types(module)?);
                    top.push(Top::Types);
                }
                syn::Item::Mod(module) if module.ident == "builder" && builder.is_none() => {
                    builder = Some(self.take_builder(module)?);
                    top.push(Top::Builder);
                }
                syn::Item::Impl(block) if methods_lines.is_none() && is_operations_impl(&block) => {
                    methods_lines = Some(self.take_methods(block)?);
                    top.push(Top::Methods);
                }
                item => top.push(Top::Text(unparse_in(item, &[]))),
            }
        }
        let (builder_lines, builder_uses) = builder?;
        Some(Part {
            top,
            types_lines: types_lines?,
            methods_lines: methods_lines?,
            builder_lines,
            builder_uses,
        })
    }

    fn take_types(&mut self, mut module: syn::ItemMod) -> Option<(String, String)> {
        let (_, items) = module.content.take()?;
        let lines = module_lines(&module, &[]);
        let outer = [bare(module)];
        let mut groups = Vec::new();
        let mut modules_started = false;
        for item in items {
            match item {
                syn::Item::Mod(sub) => {
                    modules_started = true;
                    self.take_type_module(sub, &outer)?;
                }
                // typify prints its modules after all the types.
                _ if modules_started => return None,
                item => groups.push(item),
            }
        }
        for (name, text) in grouped(groups, &outer)? {
            add_group(&mut self.type_groups, name, text)?;
        }
        Some(lines)
    }

    fn take_type_module(&mut self, mut sub: syn::ItemMod, outer: &[syn::ItemMod]) -> Option<()> {
        let index = TYPE_MODULES.iter().position(|m| sub.ident == m)?;
        let (_, items) = sub.content.take()?;
        let lines = module_lines(&sub, outer);
        let mut inside = outer.to_vec();
        inside.push(bare(sub));
        let module = self
            .type_modules
            .entry(index)
            .or_insert_with(|| TypeModule {
                lines: lines.clone(),
                groups: BTreeMap::new(),
                whole: None,
            });
        if module.lines != lines {
            return None;
        }
        if index == 0 {
            for (name, text) in grouped(items, &inside)? {
                add_group(&mut module.groups, name, text)?;
            }
        } else {
            let text = unparse_all_in(items, &inside);
            match &module.whole {
                None => module.whole = Some(text),
                Some(whole) if *whole == text => {}
                Some(_) => return None,
            }
        }
        Some(())
    }

    fn take_methods(&mut self, block: syn::ItemImpl) -> Option<(String, String)> {
        let text = unparse_in(syn::Item::Impl(block), &[]);
        let open_end = text.find("impl Client {\n")? + "impl Client {\n".len();
        let close_start = text.len().checked_sub("}\n".len())?;
        if open_end > close_start || !text.ends_with("}\n") {
            return None;
        }
        self.methods.push_str(&text[open_end..close_start]);
        Some((text[..open_end].to_owned(), text[close_start..].to_owned()))
    }

    fn take_builder(&mut self, mut module: syn::ItemMod) -> Option<((String, String), String)> {
        let (_, items) = module.content.take()?;
        let lines = module_lines(&module, &[]);
        let outer = [bare(module)];
        let uses_end = items
            .iter()
            .position(|item| !matches!(item, syn::Item::Use(_)))
            .unwrap_or(items.len());
        let mut items = items;
        let operations = items.split_off(uses_end);
        if operations
            .iter()
            .any(|item| matches!(item, syn::Item::Use(_)))
        {
            return None;
        }
        self.builder_items
            .push_str(&unparse_all_in(operations, &outer));
        Some((lines, unparse_all_in(items, &outer)))
    }

    /// Adds the pieces of the next part; `None` when a type printed differently there.
    fn absorb(&mut self, part: Merged) -> Option<()> {
        for (name, text) in part.type_groups {
            add_group(&mut self.type_groups, name, text)?;
        }
        for (index, module) in part.type_modules {
            let Some(mine) = self.type_modules.get_mut(&index) else {
                self.type_modules.insert(index, module);
                continue;
            };
            if mine.lines != module.lines {
                return None;
            }
            for (name, text) in module.groups {
                add_group(&mut mine.groups, name, text)?;
            }
            match (&mine.whole, module.whole) {
                (_, None) => {}
                (None, whole) => mine.whole = whole,
                (Some(mine), Some(theirs)) if *mine == theirs => {}
                (Some(_), Some(_)) => return None,
            }
        }
        self.methods.push_str(&part.methods);
        self.builder_items.push_str(&part.builder_items);
        Some(())
    }

    /// About the length of the printed file (the merged pieces and room for the rest).
    fn text_len(&self) -> usize {
        self.methods.len()
            + self.builder_items.len()
            + self.type_groups.values().map(String::len).sum::<usize>()
            + self
                .type_modules
                .values()
                .flat_map(|m| m.groups.values().chain(&m.whole))
                .map(String::len)
                .sum::<usize>()
            + 64 * 1024
    }

    /// Appends the whole file, in the order of the first part's items.
    fn print(self, first: &Part, out: &mut String) {
        for top in &first.top {
            match top {
                Top::Text(text) => out.push_str(text),
                Top::Types => {
                    out.push_str(&first.types_lines.0);
                    for text in self.type_groups.values() {
                        out.push_str(text);
                    }
                    for module in self.type_modules.values() {
                        out.push_str(&module.lines.0);
                        for text in module.groups.values() {
                            out.push_str(text);
                        }
                        if let Some(whole) = &module.whole {
                            out.push_str(whole);
                        }
                        out.push_str(&module.lines.1);
                    }
                    out.push_str(&first.types_lines.1);
                }
                Top::Methods => {
                    out.push_str(&first.methods_lines.0);
                    out.push_str(&self.methods);
                    out.push_str(&first.methods_lines.1);
                }
                Top::Builder => {
                    out.push_str(&first.builder_lines.0);
                    out.push_str(&first.builder_uses);
                    out.push_str(&self.builder_items);
                    out.push_str(&first.builder_lines.1);
                }
            }
        }
    }
}

/// `impl Client { .. }` with the operation methods (not the one with `new`).
fn is_operations_impl(block: &syn::ItemImpl) -> bool {
    block.trait_.is_none()
        && crate::rewrite::is_client(&block.self_ty)
        && !block
            .items
            .iter()
            .any(|item| matches!(item, syn::ImplItem::Fn(f) if f.sig.ident == "new"))
}

/// typify's items split into groups, each starting with the definition of the type it is
/// named after, formatted inside `outer`; `None` when an item comes before any definition.
fn grouped(items: Vec<syn::Item>, outer: &[syn::ItemMod]) -> Option<Vec<(String, String)>> {
    let mut groups: Vec<(String, Vec<syn::Item>)> = Vec::new();
    for item in items {
        let defines = match &item {
            syn::Item::Struct(s) => Some(&s.ident),
            syn::Item::Enum(e) => Some(&e.ident),
            syn::Item::Type(t) => Some(&t.ident),
            syn::Item::Union(u) => Some(&u.ident),
            _ => None,
        };
        if let Some(ident) = defines {
            groups.push((ident.to_string(), Vec::new()));
        }
        groups.last_mut()?.1.push(item);
    }
    Some(
        groups
            .into_iter()
            .map(|(name, items)| (name, unparse_all_in(items, outer)))
            .collect(),
    )
}

/// Adds a type's group; the same type from another part must print the same.
fn add_group(groups: &mut BTreeMap<String, String>, name: String, text: String) -> Option<()> {
    match groups.entry(name) {
        std::collections::btree_map::Entry::Vacant(entry) => {
            entry.insert(text);
        }
        std::collections::btree_map::Entry::Occupied(entry) => {
            if *entry.get() != text {
                return None;
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use crate::synthetic;
    use crate::{Conversion, Replacement, Settings};

    /// Settings like the client's, without the rewrites (which need one run).
    fn client_like() -> Settings {
        Settings {
            inner_type: Some("crate::transport::HookState".into()),
            hooks_required: true,
            replacements: ["NodeCount", "PathSegment"]
                .map(|schema| Replacement {
                    schema: schema.into(),
                    rust_type: format!("crate::{schema}"),
                })
                .to_vec(),
            conversions: vec![Conversion {
                format: "password".into(),
                rust_type: "crate::Secret".into(),
            }],
            ..Settings::default()
        }
    }

    /// Generated in parts of `per_part` operations (asserting that the parts fit together)
    /// and in one run, the code is the same.
    fn assert_parts_match_one_run(name: &str, text: &str, settings: &Settings, per_part: usize) {
        let loaded = crate::load(name, text).expect("the spec loads");
        assert!(
            super::operation_count(&loaded.spec) > per_part,
            "{name}: more than one part"
        );
        let prepared = crate::prepare::prepared_tree(&loaded.spec).expect("the spec converts");
        let in_parts = super::generate(name, &prepared, settings, per_part)
            .expect("generates")
            .unwrap_or_else(|| panic!("{name}: the parts of {per_part} fit together"));
        let one_run = crate::generate(
            name,
            text,
            &Settings {
                operations_per_part: Some(usize::MAX),
                ..settings.clone()
            },
        )
        .expect("generates");
        let (_header, one_run) = one_run.split_once("\n\n").expect("a header");
        assert!(in_parts == one_run, "{name}: parts of {per_part} differ");
        // And `generate` takes the parts path for it with the same result.
        let via_generate = crate::generate(
            name,
            text,
            &Settings {
                operations_per_part: Some(per_part),
                ..settings.clone()
            },
        )
        .expect("generates");
        assert!(via_generate.ends_with(&in_parts));
    }

    #[test]
    fn the_synthetic_spec_in_parts_is_the_same_code() {
        let text = synthetic::spec(23);
        for settings in [
            Settings::default(),
            client_like(),
            with_rewrites(client_like()),
        ] {
            for per_part in [1, 5, 22] {
                assert_parts_match_one_run("synthetic.yaml", &text, &settings, per_part);
            }
        }
    }

    /// With the client's rewrites: the project pre-fill, the operation table, the URL built in
    /// one string and no `api-version` header.
    fn with_rewrites(settings: Settings) -> Settings {
        Settings {
            path_defaults: vec![crate::PathDefault {
                param: "project_id".into(),
                expr: "crate::transport::default_project_id(&self.inner)".into(),
            }],
            operation_table: true,
            path_encoder: Some("crate::transport::push_path_segment".into()),
            request_start: Some("crate::transport::start_request".into()),
            drop_api_version_header: true,
            ..settings
        }
    }

    #[test]
    fn the_client_spec_in_parts_is_the_same_code() {
        let text = include_str!("../../../spec/dms-kafka-smart-connect.yaml");
        assert_parts_match_one_run("spec.yaml", text, &client_like(), 4);
        assert_parts_match_one_run("spec.yaml", text, &with_rewrites(client_like()), 4);
    }

    #[test]
    fn the_spec_of_all_pages_in_parts_is_the_same_code() {
        let text = include_str!("../../../pages-check/spec.yaml");
        let mut settings = client_like();
        settings.replacements.clear();
        for per_part in [7, 30] {
            assert_parts_match_one_run("all-pages.yaml", text, &settings, per_part);
        }
        assert_parts_match_one_run("all-pages.yaml", text, &with_rewrites(settings), 9);
    }
}
