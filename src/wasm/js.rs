//! Imports from `js/boundary.js`. Everything that can run caller code is imported with `catch`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/boundary.js")]
extern "C" {
    // Cannot throw: it only constructs a CasterError from strings.
    #[wasm_bindgen(js_name = makeCasterError)]
    pub fn make_caster_error(code: &str, kind: &str, message: &str, field: Option<String>) -> JsValue;

    #[wasm_bindgen(catch, js_name = typeTag)]
    pub fn type_tag(value: &JsValue) -> Result<String, JsValue>;

    #[wasm_bindgen(catch, js_name = readEntries)]
    pub fn read_entries(value: &JsValue, max: usize) -> Result<JsValue, JsValue>;

    /// The key of `{ threw: key }`. Cannot throw: optional chaining on our own object.
    #[wasm_bindgen(js_name = threwKey)]
    pub fn threw_key(value: &JsValue) -> Option<String>;

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

    #[wasm_bindgen(catch, js_name = dateValue)]
    pub fn date_value(value: &JsValue) -> Result<f64, JsValue>;
}
