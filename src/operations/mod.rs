//! The two production-studio operations: their parameters and the rules of contract section 3.
//! Validation reports every problem it finds, each with the server's code and the field.

mod add_caster_video_resource;
mod checks;
mod delete_caster_video_resource;
mod describe_caster_scenes;
mod describe_caster_video_resources;
mod describe_casters;
pub mod fields;
pub mod input;
mod modify_caster_video_resource;
mod start_caster_scene;
mod stop_caster_scene;
#[cfg(feature = "table")]
mod table;

use std::borrow::Cow;

use crate::error::{code, Error};

pub use checks::is_region_id;
#[cfg(feature = "table")]
pub use table::table_json;
use fields::{FieldSpec, FieldType, Slot};
use input::RawParams;

/// The API version both operations belong to.
pub const API_VERSION: &str = "2016-11-01";

/// Every operation this package implements: one line each. Everything else (the JS client's
/// methods, retry policy and reply reading, the worker's routes, the emulator's dispatch and
/// rate limits, the name tables of the wasm boundary) reads this table.
pub const OPERATIONS: &[Action] = &[
    Action(&start_caster_scene::OPERATION),
    Action(&add_caster_video_resource::OPERATION),
    Action(&describe_casters::OPERATION),
    Action(&describe_caster_scenes::OPERATION),
    Action(&describe_caster_video_resources::OPERATION),
    Action(&modify_caster_video_resource::OPERATION),
    Action(&delete_caster_video_resource::OPERATION),
    Action(&stop_caster_scene::OPERATION),
];

/// One operation of the API, declared as data in its own file.
pub struct Operation {
    /// The wire name (`Action` of a v1 request, `x-acs-action` of a V3 one).
    pub name: &'static str,
    /// Its parameters in the order of the API's table, each with its own rules.
    pub params: &'static [FieldSpec],
    /// The rules that join fields (one source of five, EndOffset after BeginOffset, …), given one
    /// slot per parameter in the order of `params`; a field's own rules are its `required` and
    /// `form`, which `validate` checks first. [`no_joint_rules`] when there are none.
    pub(crate) check: fn(&[Slot<'_>], &mut Vec<Error>),
    /// What the operation is to JS: with the `table` feature (native builds and tests); neither
    /// .wasm carries it.
    #[cfg(feature = "table")]
    pub about: About,
}

/// An operation as JS reads it from the table: the client's retry policy, pacing and reply
/// reading, the page's wording, the emulator's limits.
#[cfg(feature = "table")]
pub struct About {
    /// What it does, in a few words (the console page and the docs show it).
    pub summary: &'static str,
    /// Whether sending it twice does what sending it once does: only then may a client retry it
    /// after a timeout or a dropped connection.
    pub idempotent: bool,
    /// The vendor's documented limit of requests a second per user ("QPS limits").
    pub qps: u32,
    /// The fields of a successful reply besides `RequestId`, which every reply has.
    pub reply: &'static [ReplyField],
    /// The error codes the vendor documents for it, with their HTTP status.
    pub codes: &'static [ServerCode],
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
    /// A whole number.
    Integer,
    /// An object of these fields, each of which may be absent.
    Object(&'static [ReplyField]),
    /// An array of items of this type.
    List(&'static ReplyType),
}

#[cfg(feature = "table")]
impl ReplyType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Object(_) => "object",
            Self::List(_) => "list",
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
        // A plain loop: an iterator chain over the table was unrolled into 4 KB of wasm.
        let mut index = 0;
        while let Some(action) = Self::ALL.get(index) {
            if action.name() == name {
                return Ok(*action);
            }
            index += 1;
        }
        Err(unknown_action(name))
    }

    /// The operation's parameters in the order of the API's table.
    pub fn fields(self) -> &'static [FieldSpec] {
        self.0.params
    }
}


/// The `check` of an operation whose every rule is a field's own (`required`, `form`).
pub(crate) fn no_joint_rules(_slots: &[Slot<'_>], _errors: &mut Vec<Error>) {}

/// `InvalidAction.NotFound` for `name`, listing the operations and the nearest one.
#[cold]
#[inline(never)]
fn unknown_action(name: &str) -> Error {
    let mut message = crate::error::quote_name(name);
    message.push_str(" is not an operation of this package; its operations are");
    for (index, action) in Action::ALL.iter().enumerate() {
        message.push_str(if index == 0 { " " } else { ", " });
        message.push_str(action.name());
    }
    if let Some(near) = crate::text::nearest(name, Action::ALL.iter().map(|a| a.name())) {
        message.push_str("; did you mean \"");
        message.push_str(near);
        message.push_str("\"?");
    }
    Error::validation(code::INVALID_ACTION, "action", message)
}

/// Parameters that passed validation: API names and their wire values, in the table's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidParams {
    pub action: Action,
    /// Wire names (a repeat list's members flattened: `Tag.1.Key`) and values.
    pub values: Vec<(Cow<'static, str>, String)>,
}

impl ValidParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(key, _)| key.as_ref() == name).map(|(_, value)| value.as_str())
    }
}

/// Checks `params` against every rule of the action. `Err` holds every problem found, never empty.
pub fn validate(action: Action, params: &RawParams) -> Result<ValidParams, Vec<Error>> {
    let mut errors = Vec::new();
    let Some(collected) = fields::collect(action, params, &mut errors) else {
        return Err(errors);
    };
    for (spec, slot) in action.params.iter().zip(collected.slots.iter()) {
        checks::declared(spec, slot, &mut errors);
    }
    (action.check)(&collected.slots, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut values: Vec<(Cow<'static, str>, String)> = Vec::with_capacity(collected.slots.len());
    for (index, (spec, slot)) in action.params.iter().zip(collected.slots.iter()).enumerate() {
        match slot {
            Slot::Text(text) => values.push((Cow::Borrowed(spec.name), (*text).to_owned())),
            Slot::Integer(n) => values.push((Cow::Borrowed(spec.name), n.to_string())),
            Slot::Long(n) => values.push((Cow::Borrowed(spec.name), n.to_string())),
            Slot::List(_) => {
                // `Name.N.Member`, by item number and then in the members' order: a walk over the
                // few possible numbers, not a sort (which would add ~10 KB to the .wasm).
                let FieldType::List { members, max } = spec.ty else { continue };
                for n in 1..=max {
                    for (member_index, member) in members.iter().enumerate() {
                        let given = collected.items.iter().find(|item| item.field == index && item.n == n && item.member == member_index);
                        if let Some(item) = given {
                            let key = [spec.name, ".", &decimal(n), ".", member].concat();
                            values.push((Cow::Owned(key), item.value.to_owned()));
                        }
                    }
                }
            }
            Slot::Absent | Slot::Invalid => {}
        }
    }
    Ok(ValidParams { action, values })
}

/// `n` in decimal, without the formatting machinery.
fn decimal(mut n: u16) -> String {
    let mut digits = [0u8; 5];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(digit) = digits.get_mut(at) {
            *digit = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    digits.get(at..).map(|d| d.iter().map(|&b| char::from(b)).collect()).unwrap_or_default()
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
            "DescribeCasters" => RawParams::new(),
            "DescribeCasterScenes" | "DescribeCasterVideoResources" => RawParams::new().with("CasterId", "c"),
            "ModifyCasterVideoResource" | "DeleteCasterVideoResource" => RawParams::new().with("CasterId", "c").with("ResourceId", "r"),
            "StopCasterScene" => RawParams::new().with("CasterId", "c").with("SceneId", "s"),
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
            assert!(action.about.qps > 0 && action.about.qps <= 1000, "{name}: qps");
            assert!(!action.params.is_empty(), "{name}: params");
            for (i, spec) in action.params.iter().enumerate() {
                assert!(plain_name(spec.name), "{name}.{}", spec.name);
                assert!(action.params[..i].iter().all(|other| !other.matches(spec.name) && !spec.matches(other.name)), "{name}.{} twice", spec.name);
                assert!(!(spec.required && spec.group.is_some()), "{name}.{}: required and an alternative", spec.name);
            }
            for group in action.params.iter().filter_map(|spec| spec.group) {
                assert!(action.params.iter().filter(|spec| spec.group == Some(group)).count() >= 2, "{name}: group {group} of one");
            }
            for (i, field) in action.about.reply.iter().enumerate() {
                assert!(plain_name(field.name) && field.name != "RequestId", "{name}: reply {}", field.name);
                assert!(action.about.reply[..i].iter().all(|other| other.name != field.name), "{name}: reply {} twice", field.name);
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
                    FieldType::Integer | FieldType::Long => (Value::Text("x".into()), Value::Number(1.0)),
                    // A list's right form is its flattened members, tested on their own.
                    FieldType::List { .. } => continue,
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

    fn problems(action: Action, params: RawParams) -> Vec<(Option<String>, String)> {
        validate(action, &params).err().unwrap_or_default().into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn a_repeat_list_is_flattened_as_the_vendor_sdks_do() {
        let describe = Action::from_name("DescribeCasters").expect("in the table");
        let params = RawParams::new()
            .with("Tag.2.Value", "b")
            .with("tag.1.key", "k1")
            .with("Tag.1.Value", "v1")
            .with("Tag.2.Key", "k2")
            .with("PageSize", 20);
        let valid = validate(describe, &params).expect("valid");
        let wire: Vec<(&str, &str)> = valid.values.iter().map(|(k, v)| (k.as_ref(), v.as_str())).collect();
        assert_eq!(wire, [("PageSize", "20"), ("Tag.1.Key", "k1"), ("Tag.1.Value", "v1"), ("Tag.2.Key", "k2"), ("Tag.2.Value", "b")]);
        assert_eq!(validate(describe, &RawParams::new().with("Tag.20.Key", "k")).map(|v| v.values.len()), Ok(1));
    }

    #[test]
    fn a_repeat_list_refuses_what_is_not_one_of_its_members() {
        let describe = Action::from_name("DescribeCasters").expect("in the table");
        for key in ["Tag.0.Key", "Tag.21.Key", "Tag.01.Key", "Tag.+1.Key", "Tag.1.Colour", "Tag.1", "Tag.x.Key", "Tag.1.Key.2"] {
            let found = problems(describe, RawParams::new().with(key, "v"));
            assert!(found.iter().any(|(field, message)| field.as_deref() == Some("Tag") && message.contains("Tag.N.Key, Tag.N.Value, N from 1 to 20")), "{key}: {found:?}");
        }
        let twice = problems(describe, RawParams::new().with("Tag.1.Key", "a").with("tag.1.key", "b"));
        assert!(twice.iter().any(|(_, message)| message.contains("given twice")), "{twice:?}");
        let number = problems(describe, RawParams::new().with("Tag.1.Key", 5));
        assert!(number.iter().any(|(_, message)| message.contains("must be a string")), "{number:?}");
        let whole = problems(describe, RawParams::new().with("Tag", "env=prod"));
        assert!(whole.iter().any(|(field, message)| field.as_deref() == Some("Tag") && message.contains("must be an array of objects")), "{whole:?}");
    }

    #[test]
    fn a_long_takes_64_bits_from_text_and_only_safe_integers_from_numbers() {
        let stop = Action::from_name("StopCasterScene").expect("in the table");
        let base = || RawParams::new().with("CasterId", "c").with("SceneId", "s");
        for good in [RawParams::new().with("OwnerId", "9223372036854775807"), RawParams::new().with("OwnerId", 9_007_199_254_740_991.0)] {
            let mut params = base();
            params.entries.extend(good.entries);
            assert!(validate(stop, &params).is_ok(), "{params:?}");
        }
        for bad in [Value::Number(9_007_199_254_740_992.0), Value::Text("9223372036854775808".into()), Value::Number(1.5), Value::Text("1e3".into())] {
            let params = base().with("OwnerId", bad.clone());
            assert!(!problems(stop, params).is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn every_declared_form_is_checked_with_its_code() {
        use super::fields::Form;
        let mut checked = 0;
        for &action in OPERATIONS {
            for spec in action.params {
                let (bad, expected_code) = match spec.form {
                    Form::Any => continue,
                    Form::Id(error_code) => (Value::from("has a space"), error_code),
                    Form::Plain => (Value::from(""), code::INVALID_PARAMETER),
                    Form::Region => (Value::from("CN SHANGHAI"), code::INVALID_PARAMETER),
                    Form::UtcTime => (Value::from("2026-01-01 00:00:00"), code::INVALID_PARAMETER),
                    Form::Range(min, _) => (Value::Number(f64::from(min) - 1.0), code::INVALID_PARAMETER),
                    Form::OneOf(allowed) => (Value::Number(f64::from(allowed.iter().max().copied().unwrap_or(0)) + 1.0), code::INVALID_PARAMETER),
                    Form::OneOfText(_) => (Value::from("not one of them"), code::INVALID_PARAMETER),
                };
                let mut params = RawParams { entries: example(action).entries.into_iter().filter(|(key, _)| key != spec.name).collect() };
                params.push(spec.name.to_owned(), bad);
                let errors = validate(action, &params).expect_err(spec.name);
                assert!(
                    errors.iter().any(|e| e.field.as_deref() == Some(spec.name) && e.code == expected_code),
                    "{action:?}.{}: {errors:?}",
                    spec.name
                );
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked} forms checked");
    }

    #[test]
    fn unknown_action_names_every_operation() {
        let error = Action::from_name("StartCasterScen").expect_err("unknown");
        assert_eq!(error.code, code::INVALID_ACTION);
        assert!(error.message.contains("its operations are StartCasterScene, AddCasterVideoResource, DescribeCasters, DescribeCasterScenes, DescribeCasterVideoResources, ModifyCasterVideoResource, DeleteCasterVideoResource, StopCasterScene; did you mean \"StartCasterScene\"?"), "{}", error.message);
    }
}
