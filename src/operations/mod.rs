//! The two production-studio operations: their parameters and the rules of contract section 3.
//! Validation reports every problem it finds, each with the server's code and the field.

mod add_caster_video_resource;
mod checks;
pub mod fields;
pub mod input;
mod start_caster_scene;

use crate::error::{code, Error};

pub use checks::is_region_id;
use fields::{FieldSpec, Slot};
use input::RawParams;

/// The API version both operations belong to.
pub const API_VERSION: &str = "2016-11-01";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    StartCasterScene,
    AddCasterVideoResource,
}

impl Action {
    pub const ALL: [Action; 2] = [Action::StartCasterScene, Action::AddCasterVideoResource];

    pub fn name(self) -> &'static str {
        match self {
            Self::StartCasterScene => "StartCasterScene",
            Self::AddCasterVideoResource => "AddCasterVideoResource",
        }
    }

    /// The action of that exact name.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        Self::ALL.into_iter().find(|action| action.name() == name).ok_or_else(|| {
            let mut message = format!(
                "{} is not an operation of this package; it implements StartCasterScene and AddCasterVideoResource",
                crate::error::quote_name(name)
            );
            if let Some(near) = crate::text::nearest(name, Self::ALL.iter().map(|a| a.name())) {
                message.push_str(&format!("; did you mean \"{near}\"?"));
            }
            Error::validation(code::INVALID_ACTION, "action", message)
        })
    }

    /// The operation's parameters in the order of the API's table.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Self::StartCasterScene => start_caster_scene::FIELDS,
            Self::AddCasterVideoResource => add_caster_video_resource::FIELDS,
        }
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
    let view = Fields { specs: action.fields(), slots: &slots };
    match action {
        Action::StartCasterScene => start_caster_scene::check(&view, &mut errors),
        Action::AddCasterVideoResource => add_caster_video_resource::check(&view, &mut errors),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let values = view
        .specs
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

/// Read access to the typed fields by API name.
pub(crate) struct Fields<'a> {
    specs: &'static [FieldSpec],
    slots: &'a [Slot<'a>],
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
