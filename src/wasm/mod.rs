//! The wasm-bindgen boundary: converts JS values, calls the core, and turns every failure into a
//! `CasterError`. Nothing here may panic: a trap would poison the instance for every later call.

mod convert;
mod js;
#[cfg(feature = "server")]
mod json;
mod packed;
#[cfg(feature = "server")]
mod server;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::config;
use crate::error::{code, Error, ErrorKind};
use crate::limits::{shown, MAX_OPTION_BYTES};
use crate::nonce::Nonce;
use crate::operations::{validate, Action};
use crate::signing::operation::with_signed_operation;
use crate::time::Timestamp;

use convert::{check_keys, item_text, params_item, raw_params, request_entries, string_units, value_text, Item};

/// Building the result object threw: only a sabotaged global (`Object.fromEntries` replaced, say)
/// can do that.
fn assembly_failed() -> Error {
    Error::internal("the result object could not be built; has a global such as Object.fromEntries been replaced?")
}

pub(crate) fn to_js(error: &Error) -> JsValue {
    js::make_caster_error(error.code, error.kind.as_str(), &error.message, error.field.clone())
}

const REQUEST_KEYS: [&str; 11] = [
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
    "signatureAlgorithm",
];

fn action_of(value: Option<&Item>) -> Result<Action, Error> {
    let Some(value) = value else {
        return Err(Error::validation(code::MISSING_PARAMETER, "action", ["action is required: ", &operation_names()].concat()));
    };
    match value {
        Item::Oversized(_) => Err(action_too_long()),
        Item::Text(text) if text.len() > MAX_OPTION_BYTES => Err(action_too_long()),
        _ => Action::from_name(&item_text(value, "action", ErrorKind::Validation)?),
    }
}

/// "one of …": every operation of the table, by wire name.
fn operation_names() -> String {
    let names: Vec<&str> = Action::ALL.iter().map(|action| action.name()).collect();
    ["one of ", &names.join(", ")].concat()
}

/// An action name longer than any option may be: certainly not one this package implements.
fn action_too_long() -> Error {
    Error::validation(
        code::INVALID_ACTION,
        "action",
        ["action is longer than ", shown::MAX_OPTION_BYTES, " bytes, the limit for an option; it must be ", &operation_names()].concat(),
    )
}

/// `validateParams`' action: its length is looked at before it is copied into the instance.
fn action_named(value: &JsValue) -> Result<Action, Error> {
    if string_units(value).is_some_and(|units| units > MAX_OPTION_BYTES) {
        return Err(action_too_long());
    }
    value_text(value, "action").and_then(|name| Action::from_name(&name))
}

fn timestamp_of(item: Option<&Item>) -> Result<Timestamp, Error> {
    match item {
        None => Timestamp::from_unix_millis(js_sys::Date::now(), "timestamp"),
        Some(Item::Date(millis)) => Timestamp::from_unix_millis(*millis, "timestamp"),
        Some(Item::Other(_) | Item::Params(_)) => {
            Err(Error::validation(code::INVALID_PARAMETER, "timestamp", "timestamp must be a string or a Date"))
        }
        Some(item) => Timestamp::parse(&item_text(item, "timestamp", ErrorKind::Validation)?, "timestamp"),
    }
}

/// Random bytes drawn a kilobyte at a time: one `crypto.getRandomValues` call (a microsecond or
/// more in Node) serves 64 nonces. A nonce is sent in the clear, so holding its bytes in advance
/// gives nothing away.
struct RandomPool {
    bytes: [u8; 1024],
    next: usize,
}

thread_local! {
    static RANDOM_POOL: RefCell<RandomPool> = const { RefCell::new(RandomPool { bytes: [0; 1024], next: 1024 }) };
}

fn random_16() -> Result<[u8; 16], getrandom::Error> {
    RANDOM_POOL.with(|cell| {
        let Ok(mut pool) = cell.try_borrow_mut() else {
            // Not reachable (nothing here re-enters), but drawing directly is always correct.
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes)?;
            return Ok(bytes);
        };
        if pool.next + 16 > pool.bytes.len() {
            getrandom::fill(&mut pool.bytes)?;
            pool.next = 0;
        }
        let mut bytes = [0u8; 16];
        let start = pool.next;
        if let Some(drawn) = pool.bytes.get_mut(start..start + 16) {
            bytes.copy_from_slice(drawn);
            // Each byte is handed out once.
            drawn.fill(0);
        }
        pool.next += 16;
        Ok(bytes)
    })
}

fn nonce_of(item: Option<&Item>) -> Result<Nonce, Error> {
    match item {
        Some(item) => Nonce::parse(item_text(item, "nonce", ErrorKind::Validation)?, "nonce"),
        None => {
            let bytes = random_16().map_err(|_| Error {
                kind: ErrorKind::Config,
                code: code::RANDOM_UNAVAILABLE,
                field: Some("nonce".into()),
                message: "this runtime offers no crypto.getRandomValues to draw a nonce from; pass nonce yourself".into(),
            })?;
            Ok(Nonce::from_random_bytes(bytes))
        }
    }
}

/// A request's entries, zeroed when dropped: they hold the secret.
struct Scrubbed(Vec<(String, Item)>);

impl Drop for Scrubbed {
    fn drop(&mut self) {
        for (key, item) in &mut self.0 {
            key.zeroize();
            if let Item::Text(text) = item {
                text.zeroize();
            }
        }
    }
}

/// The configuration among a request's entries, checked; the credentials only when `credentials`.
fn config_of(given: &[(String, Item)], credentials: bool) -> Result<crate::RequestConfig, Error> {
    let mut text = |key: &'static str| given.iter().find(|(k, _)| k == key).map(|(_, v)| item_text(v, key, ErrorKind::Config)).transpose();
    config::check_config(&mut text, credentials)
}

fn sign(request: &JsValue) -> Result<String, Error> {
    let mut given = Scrubbed(request_entries(request)?);
    check_keys(&given.0, &REQUEST_KEYS, "signRequest")?;
    let params = given.0.iter().position(|(key, _)| key == "params").map(|index| given.0.swap_remove(index).1);
    let get = |key: &str| given.0.iter().find(|(k, _)| k == key).map(|(_, v)| v);

    let config = config_of(&given.0, true)?;

    let action = action_of(get("action"))?;
    let params = match params {
        Some(params) => params_item(params)?,
        None => Default::default(),
    };
    let valid = validate(action, &params).map_err(|mut errors| errors.swap_remove(0))?;
    let timestamp = timestamp_of(get("timestamp"))?;
    let nonce = nonce_of(get("nonce"))?;
    with_signed_operation(&valid, &config, timestamp, &nonce, |signed, all| packed::signed(&config.endpoint, signed, all))
}

/// Checks a configuration (signRequest's options but action, params, timestamp and nonce) as
/// signing would; the credentials only when one of them is given. Returns nothing; throws the
/// CasterError signing would throw for it. CasterClient and the console page check with it.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(options: JsValue) -> Result<(), JsValue> {
    let run = || -> Result<(), Error> {
        let given = Scrubbed(request_entries(&options)?);
        check_keys(&given.0, &config::CONFIG_KEYS, "checkConfig")?;
        let credentials = given.0.iter().any(|(key, _)| key.starts_with("access") || key == "securityToken");
        config_of(&given.0, credentials).map(|_| ())
    };
    run().map_err(|e| to_js(&e))
}

/// Validates and signs one request; sends nothing.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(request: JsValue) -> Result<JsValue, JsValue> {
    let text = sign(&request).map_err(|e| to_js(&e))?;
    let result = js::assemble_signed(&text);
    if result.is_null() {
        return Err(to_js(&assembly_failed()));
    }
    Ok(result)
}

fn problems(action: &JsValue, params: &JsValue) -> Vec<Error> {
    let action = match action_named(action) {
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
    let text = packed::problems(&problems(&action, &params)).map_err(|e| to_js(&e))?;
    let result = js::assemble_problems(&text);
    if result.is_null() {
        return Err(to_js(&assembly_failed()));
    }
    Ok(result)
}
