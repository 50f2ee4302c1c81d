//! A synthetic OpenAPI spec of any size, shaped like the real one: `operations` POST
//! operations, each with two path parameters, its own request, response and error schemas,
//! a 200 reply and 4XX/5XX error replies. Used by `benches/generate.rs` (time and memory at
//! 100 and 1,000 operations).

use std::fmt::Write as _;

/// The YAML text of a spec with `operations` operations.
pub fn spec(operations: usize) -> String {
    let mut out = String::with_capacity(2_000 + operations * 3_000);
    out.push_str(
        "openapi: 3.0.3
info:
  title: Synthetic DMS-like API
  version: v2
  description: Generated for the generation benchmark; every operation stands alone.
servers:
  - url: https://dms.example.test
paths:
",
    );
    for i in 0..operations {
        let _ = write!(
            out,
            "  /v2/{{project_id}}/instances/{{instance_id}}/things{i}:
    post:
      operationId: CreateThing{i}
      summary: Create thing {i}
      description: Creates thing number {i} on the instance.
      parameters:
        - name: project_id
          in: path
          required: true
          description: Project ID.
          schema:
            $ref: '#/components/schemas/PathSegment'
        - name: instance_id
          in: path
          required: true
          description: Instance ID.
          schema:
            $ref: '#/components/schemas/PathSegment'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateThing{i}Req'
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/CreateThing{i}Resp'
        4XX:
          description: Client error.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing{i}Error'
        5XX:
          description: Server error.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing{i}Error'
"
        );
    }
    out.push_str(
        "components:
  schemas:
    PathSegment:
      type: string
      description: One path segment.
",
    );
    for i in 0..operations {
        let _ = write!(
            out,
            "    CreateThing{i}Req:
      type: object
      description: Request body of CreateThing{i}.
      required: [name]
      properties:
        name:
          type: string
          description: Name of thing {i}.
          maxLength: 64
        size:
          type: integer
          format: int32
          minimum: 1
          description: Size of thing {i}.
        enabled:
          type: boolean
          description: Whether thing {i} starts enabled.
        tags:
          type: array
          description: Tags of thing {i}.
          items:
            type: string
        mode:
          type: string
          description: Mode of thing {i}.
          enum: [fast, safe, balanced]
    CreateThing{i}Resp:
      type: object
      description: Response body of CreateThing{i}.
      properties:
        job_id:
          type: string
          description: Task ID.
        thing_id:
          type: string
          description: ID of the new thing {i}.
    Thing{i}Error:
      type: object
      description: Error body of CreateThing{i}.
      properties:
        error_code:
          type: string
          description: Error code.
        error_msg:
          type: string
          description: Error message.
"
        );
    }
    out
}
