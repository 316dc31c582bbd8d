//! The operation table as JSON text, for the JavaScript side: the client's methods, retry policy
//! and reply reading, the worker's routes, the emulator's dispatch and the TypeScript types are
//! all built from it. serde's derive writes it (the `table` feature's dependencies: native builds
//! only, as neither .wasm carries the table), through the views below, which fix its shape and
//! each object's key order, and leave out what is not JSON (an operation's `check`).

use serde::Serialize;

use super::fields::{FieldSpec, FieldType};
use super::{Operation, ReplyField, ReplyType, ServerCode, OPERATIONS};

/// `[{ name, summary, idempotent, qps, params: [{ name, type, required, group, rule, (a list's)
/// members, max }], reply: [{ name, type, (an object's) fields, (a list's) items }],
/// codes: [{ code, status }] }, …]`, in the table's order.
pub fn table_json() -> Result<String, serde_json::Error> {
    let table: Vec<OperationView> = OPERATIONS.iter().map(|action| OperationView::of(action)).collect();
    serde_json::to_string(&table)
}

#[derive(Serialize)]
struct OperationView {
    name: &'static str,
    summary: &'static str,
    idempotent: bool,
    qps: u32,
    params: Vec<ParamView>,
    reply: Vec<ReplyFieldView>,
    codes: Vec<CodeView>,
}

impl OperationView {
    fn of(op: &Operation) -> Self {
        Self {
            name: op.name,
            summary: op.about.summary,
            idempotent: op.about.idempotent,
            qps: op.about.qps,
            params: op.params.iter().map(ParamView::of).collect(),
            reply: op.about.reply.iter().map(ReplyFieldView::of).collect(),
            codes: op.about.codes.iter().map(CodeView::of).collect(),
        }
    }
}

#[derive(Serialize)]
struct ParamView {
    name: &'static str,
    #[serde(rename = "type")]
    ty: &'static str,
    required: bool,
    group: Option<&'static str>,
    rule: &'static str,
    /// A repeat list's `members` and `max`, after the rest; nothing for the other types.
    #[serde(flatten)]
    list: Option<ListView>,
}

#[derive(Serialize)]
struct ListView {
    members: &'static [&'static str],
    max: u16,
}

impl ParamView {
    fn of(spec: &FieldSpec) -> Self {
        Self {
            name: spec.name,
            ty: spec.ty.as_str(),
            required: spec.required,
            group: spec.group,
            rule: spec.rule,
            list: match spec.ty {
                FieldType::List { members, max } => Some(ListView { members, max }),
                FieldType::Text | FieldType::Integer | FieldType::Long => None,
            },
        }
    }
}

#[derive(Serialize)]
struct ReplyFieldView {
    name: &'static str,
    #[serde(flatten)]
    ty: ReplyTypeView,
}

impl ReplyFieldView {
    fn of(field: &ReplyField) -> Self {
        Self { name: field.name, ty: ReplyTypeView::of(&field.ty) }
    }
}

/// `"type":…` and, for an object, its `fields`; for a list, its `items` (a type of their own).
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ReplyTypeView {
    String,
    Integer,
    Object { fields: Vec<ReplyFieldView> },
    List { items: Box<ReplyTypeView> },
}

impl ReplyTypeView {
    fn of(ty: &ReplyType) -> Self {
        match ty {
            ReplyType::String => Self::String,
            ReplyType::Integer => Self::Integer,
            ReplyType::Object(fields) => Self::Object { fields: fields.iter().map(ReplyFieldView::of).collect() },
            ReplyType::List(items) => Self::List { items: Box::new(Self::of(items)) },
        }
    }
}

#[derive(Serialize)]
struct CodeView {
    code: &'static str,
    status: u16,
}

impl CodeView {
    fn of(code: &ServerCode) -> Self {
        Self { code: code.code, status: code.status }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_is_complete() {
        for action in OPERATIONS {
            let name = action.name();
            assert!(!action.about.summary.is_empty(), "{name}: summary");
            assert!(!action.about.codes.is_empty(), "{name}: codes");
            assert!(action.params.iter().all(|spec| !spec.rule.is_empty()), "{name}: a parameter without its rule");
            for (i, documented) in action.about.codes.iter().enumerate() {
                assert!((400..600).contains(&documented.status), "{name}: {}", documented.code);
                assert!(action.about.codes[..i].iter().all(|other| other.code != documented.code), "{name}: {} twice", documented.code);
            }
        }
    }

    #[test]
    fn the_table_as_json_lists_every_declaration() {
        let json = table_json().expect("the table serialises");
        assert!(json.starts_with("[{\"name\":\"") && json.ends_with("}]"), "{json}");
        assert!(json.bytes().all(|b| (b' '..=b'~').contains(&b)) && !json.contains('?'), "{json}");
        for action in OPERATIONS {
            assert!(json.contains(&format!("{{\"name\":\"{}\",\"summary\":", action.name())));
            assert!(json.contains(&format!("\"idempotent\":{},\"qps\":{},", action.about.idempotent, action.about.qps)));
            for field in action.about.reply {
                assert!(json.contains(&format!("{{\"name\":\"{}\",\"type\":\"{}\"", field.name, field.ty.as_str())));
            }
            for documented in action.about.codes {
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
        let json = table_json().expect("the table serialises");
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
                let codes: Vec<serde_json::Value> = op.about.codes.iter().map(|c| serde_json::json!({ "code": c.code, "status": c.status })).collect();
                serde_json::json!({ "name": op.name, "summary": op.about.summary, "idempotent": op.about.idempotent, "qps": op.about.qps, "params": params,
                    "reply": op.about.reply.iter().map(expected_reply_field).collect::<Vec<_>>(), "codes": codes })
            })
            .collect();
        assert_eq!(parsed, serde_json::Value::Array(expected));
        // Key order, which a parsed value does not keep: each object's keys as JS has always read them.
        for op in OPERATIONS {
            assert!(json.contains(&format!("{{\"name\":{},\"summary\":{},\"idempotent\":{},\"qps\":{},\"params\":[",
                serde_json::json!(op.name), serde_json::json!(op.about.summary), op.about.idempotent, op.about.qps)), "{}", op.name);
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
