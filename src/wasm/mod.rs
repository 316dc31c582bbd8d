//! The wasm-bindgen boundary: converts JS values, calls the core, and turns every failure into a
//! `CasterError`. Nothing here may panic: a trap would poison the instance for every later call.

mod convert;
mod js;
mod json;

use wasm_bindgen::prelude::*;

use crate::config::{self, Endpoint, Method};
use crate::credentials::Credentials;
use crate::error::{code, Error, ErrorKind};
use crate::nonce::Nonce;
use crate::operations::{validate, Action};
use crate::request::{sign_operation, RequestConfig};
use crate::time::Timestamp;

use convert::{check_keys, date_millis, entries, option_text, raw_params};

fn to_js(error: &Error) -> JsValue {
    js::make_caster_error(error.code, error.kind.as_str(), &error.message, error.field.clone())
}

fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|_| to_js(&Error::internal("a result could not be read back as JSON")))
}

const REQUEST_KEYS: [&str; 10] = [
    "action",
    "params",
    "accessKeyId",
    "accessKeySecret",
    "securityToken",
    "regionId",
    "endpoint",
    "method",
    "timestamp",
    "nonce",
];

fn action_of(value: Option<&JsValue>) -> Result<Action, Error> {
    let Some(value) = value else {
        return Err(Error::validation(
            code::MISSING_PARAMETER,
            "action",
            "action is required: \"StartCasterScene\" or \"AddCasterVideoResource\"",
        ));
    };
    let name = option_text(value, "action", ErrorKind::Validation)?;
    Action::from_name(&name)
}

fn timestamp_of(value: Option<&JsValue>) -> Result<Timestamp, Error> {
    match value {
        None => Timestamp::from_unix_millis(js_sys::Date::now(), "timestamp"),
        Some(value) => match date_millis(value) {
            Some(millis) => Timestamp::from_unix_millis(millis, "timestamp"),
            None => Timestamp::parse(&option_text(value, "timestamp", ErrorKind::Validation)?, "timestamp"),
        },
    }
}

fn nonce_of(value: Option<&JsValue>) -> Result<Nonce, Error> {
    match value {
        Some(value) => Nonce::parse(option_text(value, "nonce", ErrorKind::Validation)?, "nonce"),
        None => {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(|_| Error {
                kind: ErrorKind::Config,
                code: code::RANDOM_UNAVAILABLE,
                field: Some("nonce".into()),
                message: "this runtime offers no crypto.getRandomValues to draw a nonce from; pass nonce yourself".into(),
            })?;
            Ok(Nonce::from_random_bytes(bytes))
        }
    }
}

fn sign(request: &JsValue) -> Result<String, Error> {
    let given = entries(request, "request", ErrorKind::Validation)?;
    check_keys(&given, &REQUEST_KEYS, "signRequest")?;
    let get = |key: &str| given.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let config_text = |key: &str| get(key).map(|v| option_text(v, key, ErrorKind::Config)).transpose();

    let credentials = Credentials::new(
        config_text("accessKeyId")?.unwrap_or_default(),
        config_text("accessKeySecret")?.unwrap_or_default(),
        config_text("securityToken")?,
    )?;
    let mut config = RequestConfig::new(credentials);
    if let Some(region) = config_text("regionId")? {
        config.region_id = config::region_id(&region)?;
    }
    if let Some(endpoint) = config_text("endpoint")? {
        config.endpoint = Endpoint::parse(&endpoint)?;
    }
    if let Some(method) = config_text("method")? {
        config.method = Method::parse(&method)?;
    }

    let action = action_of(get("action"))?;
    let params = match get("params") {
        Some(params) => raw_params(params)?,
        None => Default::default(),
    };
    let valid = validate(action, &params).map_err(|mut errors| errors.swap_remove(0))?;
    let timestamp = timestamp_of(get("timestamp"))?;
    let nonce = nonce_of(get("nonce"))?;
    let signed = sign_operation(&valid, &config, timestamp, &nonce)?;
    Ok(json::signed_request(&signed))
}

/// Validates and signs one request; sends nothing.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(request: JsValue) -> Result<JsValue, JsValue> {
    let text = sign(&request).map_err(|e| to_js(&e))?;
    parse_json(&text)
}

fn problems(action: &JsValue, params: &JsValue) -> Vec<Error> {
    let action = match option_text(action, "action", ErrorKind::Validation).and_then(|name| Action::from_name(&name)) {
        Ok(action) => action,
        Err(error) => return vec![error],
    };
    let params = match raw_params(params) {
        Ok(params) => params,
        Err(error) => return vec![error],
    };
    validate(action, &params).err().unwrap_or_default()
}

/// Every problem with the parameters of `action`; an empty array when they are valid.
#[wasm_bindgen(js_name = validateParams)]
pub fn validate_params(action: JsValue, params: JsValue) -> Result<JsValue, JsValue> {
    parse_json(&json::problems(&problems(&action, &params)))
}
