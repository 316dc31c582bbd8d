//! Imports from `js/boundary.js`. Everything that can run caller code is imported with `catch`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/boundary.js")]
extern "C" {
    // Cannot throw: it only constructs a CasterError from strings.
    #[wasm_bindgen(js_name = makeCasterError)]
    pub fn make_caster_error(code: &str, kind: &str, message: &str, field: Option<String>) -> JsValue;

    #[wasm_bindgen(catch, js_name = typeTag)]
    pub fn type_tag(value: &JsValue) -> Result<String, JsValue>;

    /// Cannot throw: everything it does runs inside its own `try` (it answers `*` when reading
    /// threw). Imported without `catch`, which would cost a closure per call. The limits are the
    /// crate's (`crate::limits`): a string over its limit is never copied into the reading. Its
    /// numbers wait in a buffer `max_numbers` long (the core's `MAX_NUMBERS`).
    #[wasm_bindgen(js_name = readPacked)]
    pub fn read_packed(
        value: &JsValue,
        max_numbers: usize,
        max_keys: usize,
        option_limit: usize,
        value_limit: usize,
        total_limit: usize,
        request: bool,
    ) -> String;

    /// Number `index` of the latest `readPacked`. Cannot throw.
    #[wasm_bindgen(js_name = takeNumber)]
    pub fn take_number(index: usize) -> f64;

    // Cannot throw: it splits a string of ours.
    #[wasm_bindgen(js_name = setNames)]
    pub fn set_names(params: &str, headers: &str);

    /// Cannot throw: `null` when building the result failed (only a sabotaged global can do that).
    #[wasm_bindgen(js_name = assembleSigned)]
    pub fn assemble_signed(text: &str) -> JsValue;

    /// Cannot throw: `null` when building the result failed.
    #[wasm_bindgen(js_name = assembleProblems)]
    pub fn assemble_problems(text: &str) -> JsValue;

    // Cannot throw: called only with strings.
    #[wasm_bindgen(js_name = isWellFormed)]
    pub fn is_well_formed(text: &JsValue) -> bool;
}

#[wasm_bindgen]
extern "C" {
    /// The bytes of `Uint8Array.from(value)`, copied into wasm by the glue: all of it inside the
    /// `catch`, where a proxy's trap or a getter may throw.
    #[wasm_bindgen(catch, js_namespace = Uint8Array, js_name = from)]
    pub fn uint8_array_from(value: &JsValue) -> Result<Vec<u8>, JsValue>;
}
