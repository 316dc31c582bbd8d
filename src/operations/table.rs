//! The operation table as JSON text, for the JavaScript side: the client's methods, retry policy
//! and reply reading, the worker's routes, the emulator's dispatch and the TypeScript types are
//! all built from it. Written by hand (no serde): it is a few hundred bytes of names.

use super::fields::{FieldSpec, FieldType};
use super::{Operation, ReplyField, ReplyType, ServerCode, OPERATIONS};

/// `[{ name, summary, idempotent, qps, params: [{ name, type, required, group, rule, (a list's)
/// members, max }], reply: [{ name, type, (an object's) fields, (a list's) items }],
/// codes: [{ code, status }] }, …]`, in the table's order.
pub fn table_json() -> String {
    let mut out = String::with_capacity(4096);
    out.push('[');
    for (index, action) in OPERATIONS.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        operation(&mut out, action);
    }
    out.push(']');
    out
}

fn operation(out: &mut String, op: &Operation) {
    out.push_str("{\"name\":");
    string(out, op.name);
    out.push_str(",\"summary\":");
    string(out, op.summary);
    out.push_str(",\"idempotent\":");
    out.push_str(if op.idempotent { "true" } else { "false" });
    out.push_str(",\"qps\":");
    out.push_str(&op.qps.to_string());
    out.push_str(",\"params\":");
    list(out, op.params, param);
    out.push_str(",\"reply\":");
    list(out, op.reply, reply_field);
    out.push_str(",\"codes\":");
    list(out, op.codes, server_code);
    out.push('}');
}

fn param(out: &mut String, spec: &FieldSpec) {
    out.push_str("{\"name\":");
    string(out, spec.name);
    out.push_str(",\"type\":");
    string(out, spec.ty.as_str());
    out.push_str(",\"required\":");
    out.push_str(if spec.required { "true" } else { "false" });
    out.push_str(",\"group\":");
    match spec.group {
        Some(group) => string(out, group),
        None => out.push_str("null"),
    }
    out.push_str(",\"rule\":");
    string(out, spec.rule);
    if let FieldType::List { members, max } = spec.ty {
        out.push_str(",\"members\":");
        list(out, members, |out, member| string(out, member));
        out.push_str(",\"max\":");
        out.push_str(&max.to_string());
    }
    out.push('}');
}

fn reply_field(out: &mut String, field: &ReplyField) {
    out.push_str("{\"name\":");
    string(out, field.name);
    out.push(',');
    reply_type(out, &field.ty);
    out.push('}');
}

/// `"type":…` and, for an object, its `fields`; for a list, its `items` (a type of their own).
fn reply_type(out: &mut String, ty: &ReplyType) {
    out.push_str("\"type\":");
    string(out, ty.as_str());
    match ty {
        ReplyType::Object(fields) => {
            out.push_str(",\"fields\":");
            list(out, fields, reply_field);
        }
        ReplyType::List(items) => {
            out.push_str(",\"items\":{");
            reply_type(out, items);
            out.push('}');
        }
        ReplyType::String | ReplyType::Integer => {}
    }
}

fn server_code(out: &mut String, code: &ServerCode) {
    out.push_str("{\"code\":");
    string(out, code.code);
    out.push_str(",\"status\":");
    out.push_str(&code.status.to_string());
    out.push('}');
}

fn list<T>(out: &mut String, items: &[T], each: fn(&mut String, &T)) {
    out.push('[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

/// A JSON string of table text: printable ASCII, with `"` and `\` escaped (the table's own tests
/// hold it to printable ASCII; anything else would be a declaration to fix, shown as `?`).
fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_is_complete() {
        for action in OPERATIONS {
            let name = action.name();
            assert!(!action.summary.is_empty(), "{name}: summary");
            assert!(!action.codes.is_empty(), "{name}: codes");
            assert!(action.params.iter().all(|spec| !spec.rule.is_empty()), "{name}: a parameter without its rule");
            for (i, documented) in action.codes.iter().enumerate() {
                assert!((400..600).contains(&documented.status), "{name}: {}", documented.code);
                assert!(action.codes[..i].iter().all(|other| other.code != documented.code), "{name}: {} twice", documented.code);
            }
        }
    }

    #[test]
    fn the_table_as_json_lists_every_declaration() {
        let json = table_json();
        assert!(json.starts_with("[{\"name\":\"") && json.ends_with("}]"), "{json}");
        assert!(json.bytes().all(|b| (b' '..=b'~').contains(&b)) && !json.contains('?'), "{json}");
        for action in OPERATIONS {
            assert!(json.contains(&format!("{{\"name\":\"{}\",\"summary\":", action.name())));
            assert!(json.contains(&format!("\"idempotent\":{},\"qps\":{},", action.idempotent, action.qps)));
            for field in action.reply {
                assert!(json.contains(&format!("{{\"name\":\"{}\",\"type\":\"{}\"", field.name, field.ty.as_str())));
            }
            for documented in action.codes {
                assert!(json.contains(&format!("{{\"code\":\"{}\",\"status\":{}}}", documented.code, documented.status)));
            }
        }
        assert_eq!(json.matches("\"summary\":").count(), OPERATIONS.len());
    }

    /// What a reply type should read as in the JSON, from the declaration.
    fn expected_reply_type(ty: &ReplyType) -> serde_json::Value {
        match ty {
            ReplyType::String | ReplyType::Integer => serde_json::json!({ "type": ty.as_str() }),
            ReplyType::Object(fields) => serde_json::json!({ "type": "object", "fields": fields.iter().map(expected_reply_field).collect::<Vec<_>>() }),
            ReplyType::List(items) => serde_json::json!({ "type": "list", "items": expected_reply_type(items) }),
        }
    }

    fn expected_reply_field(field: &ReplyField) -> serde_json::Value {
        let mut value = expected_reply_type(&field.ty);
        if let Some(object) = value.as_object_mut() {
            object.insert("name".into(), field.name.into());
        }
        value
    }

    #[test]
    fn the_table_as_json_is_every_declaration_in_the_order_js_reads() {
        let json = table_json();
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let expected: Vec<serde_json::Value> = OPERATIONS
            .iter()
            .map(|op| {
                let params: Vec<serde_json::Value> = op
                    .params
                    .iter()
                    .map(|spec| {
                        let mut param = serde_json::json!({ "name": spec.name, "type": spec.ty.as_str(), "required": spec.required, "group": spec.group, "rule": spec.rule });
                        if let (FieldType::List { members, max }, Some(object)) = (spec.ty, param.as_object_mut()) {
                            object.insert("members".into(), members.into());
                            object.insert("max".into(), max.into());
                        }
                        param
                    })
                    .collect();
                let codes: Vec<serde_json::Value> = op.codes.iter().map(|c| serde_json::json!({ "code": c.code, "status": c.status })).collect();
                serde_json::json!({ "name": op.name, "summary": op.summary, "idempotent": op.idempotent, "qps": op.qps, "params": params,
                    "reply": op.reply.iter().map(expected_reply_field).collect::<Vec<_>>(), "codes": codes })
            })
            .collect();
        assert_eq!(parsed, serde_json::Value::Array(expected));
        // Key order, which a parsed value does not keep: each object's keys as JS has always read them.
        for op in OPERATIONS {
            assert!(json.contains(&format!("{{\"name\":{},\"summary\":{},\"idempotent\":{},\"qps\":{},\"params\":[",
                serde_json::json!(op.name), serde_json::json!(op.summary), op.idempotent, op.qps)), "{}", op.name);
            for spec in op.params {
                let list = match spec.ty {
                    FieldType::List { members, max } => format!(",\"members\":{},\"max\":{max}", serde_json::json!(members)),
                    _ => String::new(),
                };
                let param = format!("{{\"name\":\"{}\",\"type\":\"{}\",\"required\":{},\"group\":{},\"rule\":{}{list}}}",
                    spec.name, spec.ty.as_str(), spec.required, serde_json::json!(spec.group), serde_json::json!(spec.rule));
                assert!(json.contains(&param), "{param}");
            }
        }
        assert!(json.contains("{\"name\":\"CasterList\",\"type\":\"object\",\"fields\":[{\"name\":\"Caster\",\"type\":\"list\",\"items\":{\"type\":\"object\",\"fields\":[{\"name\":"), "{json}");
    }
}
