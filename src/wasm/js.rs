//! Imports from `js/boundary.js`. Everything that can run caller code is imported with `catch`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/boundary.js")]
extern "C" {
    // Cannot throw: it only constructs a CasterError from strings.
    #[wasm_bindgen(js_name = makeCasterError)]
    pub fn make_caster_error(code: &str, kind: &str, message: &str, field: Option<String>) -> JsValue;

    #[wasm_bindgen(catch, js_name = typeTag)]
    pub fn type_tag(value: &JsValue) -> Result<String, JsValue>;

    /// Never throws (it catches what the caller's object throws), but is imported with `catch`
    /// all the same: a trap must not be possible here.
    #[wasm_bindgen(catch, js_name = readPacked)]
    pub fn read_packed(value: &JsValue, max: usize, numbers: &mut [f64], request: bool) -> Result<String, JsValue>;

    // Cannot throw: it splits a string of ours.
    #[wasm_bindgen(js_name = setNames)]
    pub fn set_names(names: &str);

    #[wasm_bindgen(catch, js_name = assembleSigned)]
    pub fn assemble_signed(text: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = assembleProblems)]
    pub fn assemble_problems(text: &str) -> Result<JsValue, JsValue>;

    // Cannot throw: called only with strings.
    #[wasm_bindgen(js_name = isWellFormed)]
    pub fn is_well_formed(text: &JsValue) -> bool;
}
