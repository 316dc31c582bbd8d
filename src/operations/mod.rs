//! The two production-studio operations: their parameters and the rules of contract section 3.
//! Validation reports every problem it finds, each with the server's code and the field.

mod add_caster_video_resource;
mod checks;
pub mod fields;
pub mod input;
mod start_caster_scene;
#[cfg(feature = "table")]
mod table;

use crate::error::{code, Error};

pub use checks::is_region_id;
#[cfg(feature = "table")]
pub use table::table_json;
use fields::{FieldSpec, Slot};
use input::RawParams;

/// The API version both operations belong to.
pub const API_VERSION: &str = "2016-11-01";

/// Every operation this package implements: one line each. Everything else (the JS client's
/// methods, retry policy and reply reading, the worker's routes, the emulator's dispatch and
/// rate limits, the name tables of the wasm boundary) reads this table.
pub const OPERATIONS: &[Action] = &[
    Action(&start_caster_scene::OPERATION),
    Action(&add_caster_video_resource::OPERATION),
];

/// One operation of the API, declared as data in its own file.
pub struct Operation {
    /// The wire name (`Action` of a v1 request, `x-acs-action` of a V3 one).
    pub name: &'static str,
    /// What it does, in a few words (the console page and the docs show it). This and every
    /// field but `name`, `params` and `check` describe the operation to JS: they exist with the
    /// `table` feature (native builds and tests), and neither .wasm carries them.
    #[cfg(feature = "table")]
    pub summary: &'static str,
    /// Whether sending it twice does what sending it once does: only then may a client retry it
    /// after a timeout or a dropped connection.
    #[cfg(feature = "table")]
    pub idempotent: bool,
    /// The vendor's documented limit of requests a second per user ("QPS limits").
    #[cfg(feature = "table")]
    pub qps: u32,
    /// Its parameters in the order of the API's table.
    pub params: &'static [FieldSpec],
    /// The fields of a successful reply besides `RequestId`, which every reply has.
    #[cfg(feature = "table")]
    pub reply: &'static [ReplyField],
    /// The error codes the vendor documents for it, with their HTTP status.
    #[cfg(feature = "table")]
    pub codes: &'static [ServerCode],
    /// The rules of contract section 3 beyond each field's type, given one slot per parameter in
    /// the order of `params`.
    pub(crate) check: fn(&[Slot<'_>], &mut Vec<Error>),
}

/// A field of a successful reply.
#[cfg(feature = "table")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyField {
    pub name: &'static str,
    pub ty: ReplyType,
}

/// What a reply field holds.
#[cfg(feature = "table")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyType {
    /// A non-empty string.
    String,
}

#[cfg(feature = "table")]
impl ReplyType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
        }
    }
}

/// An error code the server documents for an operation.
#[cfg(feature = "table")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerCode {
    pub code: &'static str,
    pub status: u16,
}

/// A typed handle on one entry of [`OPERATIONS`]; it reads as the [`Operation`] it names.
#[derive(Clone, Copy)]
pub struct Action(&'static Operation);

impl std::ops::Deref for Action {
    type Target = Operation;

    fn deref(&self) -> &Operation {
        self.0
    }
}

impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Action {}

impl std::hash::Hash for Action {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

#[allow(non_upper_case_globals)] // named as the API names them, as the variants they replace were
impl Action {
    /// Every operation: [`OPERATIONS`].
    pub const ALL: &'static [Action] = OPERATIONS;
    /// Handles for Rust callers; an operation needs none to be in the table.
    pub const StartCasterScene: Action = Action(&start_caster_scene::OPERATION);
    pub const AddCasterVideoResource: Action = Action(&add_caster_video_resource::OPERATION);

    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The action of that exact name.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        Self::ALL.iter().copied().find(|action| action.name() == name).ok_or_else(|| {
            let mut message = crate::error::quote_name(name);
            message.push_str(" is not an operation of this package; its operations are");
            for (index, action) in Self::ALL.iter().enumerate() {
                message.push_str(if index == 0 { " " } else { ", " });
                message.push_str(action.name());
            }
            if let Some(near) = crate::text::nearest(name, Self::ALL.iter().map(|a| a.name())) {
                message.push_str(&format!("; did you mean \"{near}\"?"));
            }
            Error::validation(code::INVALID_ACTION, "action", message)
        })
    }

    /// The operation's parameters in the order of the API's table.
    pub fn fields(self) -> &'static [FieldSpec] {
        self.0.params
    }
}


/// Parameters that passed validation: API names and their wire values, in the table's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidParams {
    pub action: Action,
    pub values: Vec<(&'static str, String)>,
}

impl ValidParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(key, _)| *key == name).map(|(_, value)| value.as_str())
    }
}

/// Checks `params` against every rule of the action. `Err` holds every problem found, never empty.
pub fn validate(action: Action, params: &RawParams) -> Result<ValidParams, Vec<Error>> {
    let mut errors = Vec::new();
    let Some(slots) = fields::collect(action, params, &mut errors) else {
        return Err(errors);
    };
    (action.check)(&slots, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let values = action
        .params
        .iter()
        .zip(slots.iter())
        .filter_map(|(spec, slot)| match slot {
            Slot::Text(text) => Some((spec.name, (*text).to_owned())),
            Slot::Integer(n) => Some((spec.name, n.to_string())),
            Slot::Absent | Slot::Invalid => None,
        })
        .collect();
    Ok(ValidParams { action, values })
}

/// Read access to the typed fields by API name. Each operation's check builds it over its own
/// constant parameter list, so that a look-up by name folds to an index.
pub(crate) struct Fields<'a> {
    pub(crate) specs: &'static [FieldSpec],
    pub(crate) slots: &'a [Slot<'a>],
}

impl Fields<'_> {
    pub(crate) fn slot(&self, name: &str) -> &Slot<'_> {
        self.specs
            .iter()
            .zip(self.slots.iter())
            .find(|(spec, _)| spec.name == name)
            .map_or(&Slot::Absent, |(_, slot)| slot)
    }

    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        match self.slot(name) {
            Slot::Text(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn integer(&self, name: &str) -> Option<i32> {
        match self.slot(name) {
            Slot::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

#[cfg(all(test, feature = "table"))]
mod tests {
    use super::fields::FieldType;
    use super::input::Value;
    use super::*;
    use crate::error::code;

    /// A valid call of each operation: the one place beside its file that a new operation adds.
    fn example(action: Action) -> RawParams {
        match action.name() {
            "StartCasterScene" => RawParams::new().with("CasterId", "c").with("SceneId", "s"),
            "AddCasterVideoResource" => RawParams::new()
                .with("CasterId", "c")
                .with("ResourceName", "n")
                .with("LocationId", "RV01")
                .with("VodUrl", "https://e.example/a.mp4"),
            other => panic!("no example call of {other}: add one here"),
        }
    }

    fn plain_name(name: &str) -> bool {
        name.starts_with(|c: char| c.is_ascii_uppercase()) && name.bytes().all(|b| b.is_ascii_alphanumeric())
    }

    #[test]
    fn names_are_unique_api_names() {
        let mut names: Vec<&str> = OPERATIONS.iter().map(|a| a.name()).collect();
        assert!(names.iter().all(|name| plain_name(name)), "{names:?}");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len(), "an operation is listed twice");
        for action in OPERATIONS {
            assert_eq!(Action::from_name(action.name()), Ok(*action));
        }
        assert!(OPERATIONS.contains(&Action::StartCasterScene) && OPERATIONS.contains(&Action::AddCasterVideoResource));
    }

    #[test]
    fn each_declaration_is_complete() {
        for action in OPERATIONS {
            let name = action.name();
            assert!(action.qps > 0 && action.qps <= 1000, "{name}: qps");
            assert!(!action.params.is_empty(), "{name}: params");
            assert!(!action.reply.is_empty(), "{name}: reply");
            for (i, spec) in action.params.iter().enumerate() {
                assert!(plain_name(spec.name), "{name}.{}", spec.name);
                assert!(action.params[..i].iter().all(|other| !other.matches(spec.name) && !spec.matches(other.name)), "{name}.{} twice", spec.name);
                assert!(!(spec.required && spec.group.is_some()), "{name}.{}: required and an alternative", spec.name);
            }
            for group in action.params.iter().filter_map(|spec| spec.group) {
                assert!(action.params.iter().filter(|spec| spec.group == Some(group)).count() >= 2, "{name}: group {group} of one");
            }
            for (i, field) in action.reply.iter().enumerate() {
                assert!(plain_name(field.name) && field.name != "RequestId", "{name}: reply {}", field.name);
                assert!(action.reply[..i].iter().all(|other| other.name != field.name), "{name}: reply {} twice", field.name);
            }
        }
    }

    #[test]
    fn declared_required_fields_are_the_ones_validation_requires() {
        for &action in OPERATIONS {
            let valid = example(action);
            assert!(validate(action, &valid).is_ok(), "{action:?}: the example is valid");
            for (key, _) in &valid.entries {
                let spec = action.params.iter().find(|spec| spec.name == key).expect("a declared field");
                let without = RawParams { entries: valid.entries.iter().filter(|(k, _)| k != key).cloned().collect() };
                let result = validate(action, &without);
                if spec.required {
                    let errors = result.expect_err(key);
                    assert!(errors.iter().any(|e| e.code == code::MISSING_PARAMETER && e.field.as_deref() == Some(key.as_str())), "{key}: {errors:?}");
                } else if spec.group.is_some() {
                    // The last alternative removed: MissingParameter naming every alternative.
                    let errors = result.expect_err(key);
                    let group: Vec<&str> = action.params.iter().filter(|s| s.group == spec.group).map(|s| s.name).collect();
                    assert!(errors.iter().any(|e| e.code == code::MISSING_PARAMETER && e.field.as_deref() == Some(group.join("|").as_str())), "{key}: {errors:?}");
                } else {
                    assert!(result.is_ok(), "{key} is declared optional");
                }
            }
            for spec in action.params.iter().filter(|spec| spec.required) {
                assert!(valid.entries.iter().any(|(k, _)| k == spec.name), "{action:?}: the example lacks {}", spec.name);
            }
        }
    }

    /// A problem with the value's type, as `fields::collect` words it.
    fn type_problem(error: &Error, name: &str) -> bool {
        error.field.as_deref() == Some(name) && (error.message.contains("must be a string") || error.message.contains("must be an integer"))
    }

    #[test]
    fn declared_types_are_the_ones_validation_reads() {
        for &action in OPERATIONS {
            for spec in action.params {
                let (wrong, right) = match spec.ty {
                    FieldType::Text => (Value::Number(1.0), Value::Text("x".into())),
                    FieldType::Integer => (Value::Text("x".into()), Value::Number(1.0)),
                };
                let wrong_errors = validate(action, &RawParams::new().with(spec.name, wrong)).expect_err(spec.name);
                assert!(wrong_errors.iter().any(|e| type_problem(e, spec.name)), "{}", spec.name);
                let right_errors = validate(action, &RawParams::new().with(spec.name, right)).err().unwrap_or_default();
                assert!(!right_errors.iter().any(|e| type_problem(e, spec.name)), "{}: {right_errors:?}", spec.name);
            }
        }
    }

    #[test]
    fn the_source_group_is_the_five_sources() {
        let add = Action::AddCasterVideoResource;
        let group: Vec<&str> = add.params.iter().filter(|s| s.group == Some("source")).map(|s| s.name).collect();
        assert_eq!(group, add_caster_video_resource::SOURCES);
    }

    #[test]
    fn unknown_action_names_every_operation() {
        let error = Action::from_name("StartCasterScen").expect_err("unknown");
        assert_eq!(error.code, code::INVALID_ACTION);
        assert!(error.message.contains("its operations are StartCasterScene, AddCasterVideoResource; did you mean \"StartCasterScene\"?"), "{}", error.message);
    }
}
