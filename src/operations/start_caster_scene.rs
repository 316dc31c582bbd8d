//! StartCasterScene: starts a preview (PVW) scene.

use crate::error::{code, Error};

use super::checks;
use super::fields::FieldSpec;
use super::Fields;

pub const FIELDS: &[FieldSpec] =
    &[FieldSpec::text("CasterId"), FieldSpec::text("SceneId"), FieldSpec::text("RegionId")];

pub fn check(fields: &Fields<'_>, errors: &mut Vec<Error>) {
    checks::required(fields, "CasterId", errors);
    checks::id(fields, "CasterId", code::INVALID_CASTER_ID, errors);
    checks::required(fields, "SceneId", errors);
    checks::id(fields, "SceneId", code::INVALID_SCENE_ID, errors);
    checks::region(fields, errors);
}
