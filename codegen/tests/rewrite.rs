//! The generator settings for project-scoped calls (path defaults), the operation table,
//! string-format conversions and the httpmock helpers, on a small inline spec.

use codegen::{Conversion, PathDefault, Settings};

const SPEC: &str = r#"
openapi: 3.0.3
info: { title: t, version: v1 }
paths:
  /v1/{project_id}/things/{thing_id}:
    put:
      operationId: UpdateThing
      parameters:
        - { name: project_id, in: path, required: true, schema: { $ref: '#/components/schemas/PathSegment' } }
        - { name: thing_id, in: path, required: true, schema: { $ref: '#/components/schemas/PathSegment' } }
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                name: { type: string }
                password: { type: string, format: password, description: A secret. }
      responses:
        '204': { description: done }
  /v1/status:
    get:
      operationId: GetStatus
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Status' }
components:
  schemas:
    PathSegment: { type: string }
    Status: { type: object, properties: { up: { type: boolean } } }
"#;

fn settings() -> Settings {
    Settings {
        conversions: vec![Conversion {
            format: "password".into(),
            rust_type: "crate::Secret".into(),
        }],
        path_defaults: vec![PathDefault {
            param: "project_id".into(),
            expr: "crate::default_project(&self.inner)".into(),
        }],
        operation_table: true,
        ..Settings::default()
    }
}

/// The text of the generated `Client::<name>()` method, up to the next method.
fn method<'a>(code: &'a str, name: &str) -> &'a str {
    let start = code
        .find(&format!("pub fn {name}(&self)"))
        .unwrap_or_else(|| panic!("no method {name}"));
    let rest = &code[start..];
    &rest[..rest[1..].find("\n    }").map_or(rest.len(), |i| i + 1)]
}

#[test]
fn a_path_default_prefills_every_method_whose_path_has_the_parameter() {
    let code = codegen::generate("t.yaml", SPEC, &settings()).unwrap();
    let update = method(&code, "update_thing");
    assert!(
        update.contains("let b = builder::UpdateThing::new(self);")
            && update.contains("match crate::default_project(&self.inner)")
            && update.contains("Some(v) => b.project_id(v)"),
        "{update}"
    );
    assert!(
        code.contains("`project_id` starts as the value of `crate::default_project(&self.inner)`")
    );
    let status = method(&code, "get_status");
    assert!(status.contains("builder::GetStatus::new(self)"), "{status}");
    assert!(!status.contains("default_project"), "{status}");
    // The setter is still there to override the default.
    assert!(code.contains("pub fn project_id<V>(mut self, value: V) -> Self"));
}

#[test]
fn without_the_settings_progenitors_methods_are_unchanged() {
    let code = codegen::generate("t.yaml", SPEC, &Settings::default()).unwrap();
    assert!(!code.contains("let b = "));
    assert!(!code.contains("OPERATIONS"));
    assert!(code.contains("pub password: ::std::option::Option<::std::string::String>"));
}

#[test]
fn the_operation_table_lists_every_operation_as_the_hooks_see_it() {
    let code = codegen::generate("t.yaml", SPEC, &settings()).unwrap();
    let table = &code[code.find("pub const OPERATIONS").expect("a table")..];
    let get = table.find("id: \"get_status\"").expect("get_status");
    let update = table.find("id: \"update_thing\"").expect("update_thing");
    assert!(get < update, "sorted by id: {table}");
    assert!(
        table.contains("method: \"GET\",\n        path: \"/v1/status\""),
        "{table}"
    );
    assert!(
        table.contains("method: \"PUT\",\n        path: \"/v1/{project_id}/things/{thing_id}\""),
        "{table}"
    );
    assert!(code.contains("pub fn api_operation(id: &str) -> Option<&'static ApiOperation>"));
}

#[test]
fn a_string_format_conversion_replaces_the_type_wherever_it_appears() {
    let code = codegen::generate("t.yaml", SPEC, &settings()).unwrap();
    assert!(
        code.contains("pub password: ::std::option::Option<crate::Secret>"),
        "{code}"
    );
    assert!(code.contains("pub name: ::std::option::Option<::std::string::String>"));
}

/// Generating with `settings` fails with a settings error (a bad path or expression in them).
fn assert_refused(settings: &Settings) {
    let error = codegen::generate("t.yaml", SPEC, settings).unwrap_err();
    assert!(matches!(error, codegen::Error::Settings(..)), "{error}");
}

#[test]
fn bad_settings_are_settings_errors() {
    for (param, expr) in [("not an ident", "x"), ("project_id", "let x =")] {
        let settings = Settings {
            path_defaults: vec![PathDefault {
                param: param.into(),
                expr: expr.into(),
            }],
            ..Settings::default()
        };
        assert_refused(&settings);
    }
    let settings = Settings {
        conversions: vec![Conversion {
            format: "password".into(),
            rust_type: "not a path!".into(),
        }],
        ..Settings::default()
    };
    assert_refused(&settings);
}

#[test]
fn the_httpmock_helpers_cover_every_operation_and_are_deterministic() {
    let first = codegen::generate_mock("t.yaml", SPEC, &settings(), "crate").unwrap();
    let second = codegen::generate_mock("t.yaml", SPEC, &settings(), "crate").unwrap();
    assert_eq!(first, second);
    assert!(
        first.starts_with("// @generated by `cargo xtask regen` from t.yaml. DO NOT EDIT BY HAND:")
    );
    assert!(first.contains("pub trait MockServerExt"));
    for op in [
        "fn update_thing<F>",
        "fn get_status<F>",
        "pub struct UpdateThingWhen",
        "pub struct GetStatusThen",
    ] {
        assert!(first.contains(op), "{op}");
    }
    assert!(first.contains("use crate::*;"));
    let error = codegen::generate_mock("t.yaml", SPEC, &settings(), "not a path!").unwrap_err();
    assert!(matches!(error, codegen::Error::Settings(..)), "{error}");
}

/// The text of builder `name`'s `send`, up to the end of the method.
fn send_of<'a>(code: &'a str, name: &str) -> &'a str {
    let builder = code
        .find(&format!("impl<'a> {name}<'a>"))
        .unwrap_or_else(|| panic!("no builder {name}"));
    let rest = &code[builder..];
    let send = rest.find("pub async fn send(").expect("a send");
    let rest = &rest[send..];
    &rest[..rest.find("\n        }\n").map_or(rest.len(), |i| i + 1)]
}

#[test]
fn with_a_path_encoder_urls_are_built_in_one_string() {
    let encoded = Settings {
        path_encoder: Some("crate::push_segment".into()),
        ..settings()
    };
    let code = codegen::generate("t.yaml", SPEC, &encoded).unwrap();
    let update = send_of(&code, "UpdateThing");
    for line in [
        "let mut url = ::std::string::String::with_capacity(",
        "client.baseurl.len() + 92usize,",
        "url.push_str(&client.baseurl);",
        "url.push_str(\"/v1/\");",
        "crate::push_segment(&mut url, &project_id);",
        "url.push_str(\"/things/\");",
        "crate::push_segment(&mut url, &thing_id);",
    ] {
        assert!(update.contains(line), "{line} in {update}");
    }
    assert!(!update.contains("format!"), "{update}");
    assert!(!update.contains("encode_path"), "{update}");
    // Without parameters, only the constant is appended.
    let status = send_of(&code, "GetStatus");
    assert!(status.contains("url.push_str(\"/v1/status\");"), "{status}");
    // Without the setting, progenitor's `format!` stays.
    let plain = codegen::generate("t.yaml", SPEC, &settings()).unwrap();
    let plain = send_of(&plain, "UpdateThing");
    assert!(
        plain.contains("format!(") && plain.contains("encode_path"),
        "{plain}"
    );
    assert_refused(&Settings {
        path_encoder: Some("not a path!".into()),
        ..settings()
    });
}

#[test]
fn the_api_version_header_can_be_left_out() {
    let dropped = Settings {
        drop_api_version_header: true,
        ..settings()
    };
    let code = codegen::generate("t.yaml", SPEC, &dropped).unwrap();
    for name in ["UpdateThing", "GetStatus"] {
        let send = send_of(&code, name);
        assert!(!send.contains("api-version"), "{send}");
        // It was the only header: no header map is built at all.
        assert!(!send.contains("header_map"), "{send}");
        assert!(send.contains(".build()?;"), "{send}");
    }
    let plain = codegen::generate("t.yaml", SPEC, &Settings::default()).unwrap();
    assert!(send_of(&plain, "UpdateThing").contains("from_static(\"api-version\")"));
    assert!(send_of(&plain, "UpdateThing").contains(".headers(header_map)"));
}

#[test]
fn requests_can_be_started_by_a_function_of_the_client() {
    let started = Settings {
        request_start: Some("crate::start".into()),
        ..settings()
    };
    let code = codegen::generate("t.yaml", SPEC, &started).unwrap();
    for (name, verb) in [("UpdateThing", "PUT"), ("GetStatus", "GET")] {
        let send = send_of(&code, name);
        assert!(
            send.contains(&format!(
                "crate::start(client, ::reqwest::Method::{verb}, url)"
            )),
            "{send}"
        );
        assert!(!send.contains("client.client."), "{send}");
    }
    let plain = codegen::generate("t.yaml", SPEC, &settings()).unwrap();
    assert!(send_of(&plain, "GetStatus").contains(".get(url)"));
    assert_refused(&Settings {
        request_start: Some("not a path!".into()),
        ..settings()
    });
}
