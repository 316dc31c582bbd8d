#![cfg(target_arch = "wasm32")]
//! The wasm boundary as JavaScript sees it (contract sections 3 and 4): `signRequest` and
//! `validateParams` called with real JS values built through js-sys, including hostile ones
//! (throwing getters, proxies with throwing traps, lone surrogates, BigInt, Symbol, huge strings).
//!
//! The suite names no environment, so it runs unchanged in Node (the default) and in a headless
//! browser (`WASM_BINDGEN_USE_BROWSER=1`).
//!
//! Every expected canonical query and string to sign below was written out from the rules of
//! contract section 1 (and cross-checked with Python's `urllib.parse.quote(s, safe='-_.~')`), and
//! every expected signature was computed once, at authoring time, with openssl; the command is next
//! to each constant. Nothing expected here comes from the crate.

use aliyun_caster::wasm::{sign_request, validate_params};
use js_sys::{Array, BigInt, Date, Function, JsString, Map, Object, Reflect, Symbol, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

// ---------------------------------------------------------------------------------------------
// Known answers.
// ---------------------------------------------------------------------------------------------

const START_ACCESS_KEY_ID: &str = "testid";
const START_SECRET: &str = "secret";
const START_CASTER_ID: &str = "LIVEPRODUCER_POST-cn-0pp1czt****";
const START_SCENE_ID: &str = "242b4e2c-c30f-4442-85ba-2e3e4e3d****";
const START_TIMESTAMP: &str = "2024-05-06T07:08:09Z";
const START_NONCE: &str = "e0c3b8b4-1d55-4b4e-9b8e-5f1f0a7c2d11";

/// POST (the default), region cn-shanghai (the default). Sorted by key; `*` → %2A, `:` → %3A.
const START_CANONICAL: &str = "AccessKeyId=testid&Action=StartCasterScene\
&CasterId=LIVEPRODUCER_POST-cn-0pp1czt%2A%2A%2A%2A&Format=JSON&RegionId=cn-shanghai\
&SceneId=242b4e2c-c30f-4442-85ba-2e3e4e3d%2A%2A%2A%2A&SignatureMethod=HMAC-SHA1\
&SignatureNonce=e0c3b8b4-1d55-4b4e-9b8e-5f1f0a7c2d11&SignatureVersion=1.0\
&Timestamp=2024-05-06T07%3A08%3A09Z&Version=2016-11-01";

/// `POST&%2F&` + the canonical query encoded again.
const START_STRING_TO_SIGN: &str = "POST&%2F&AccessKeyId%3Dtestid%26Action%3DStartCasterScene\
%26CasterId%3DLIVEPRODUCER_POST-cn-0pp1czt%252A%252A%252A%252A%26Format%3DJSON%26RegionId%3Dcn-shanghai\
%26SceneId%3D242b4e2c-c30f-4442-85ba-2e3e4e3d%252A%252A%252A%252A%26SignatureMethod%3DHMAC-SHA1\
%26SignatureNonce%3De0c3b8b4-1d55-4b4e-9b8e-5f1f0a7c2d11%26SignatureVersion%3D1.0\
%26Timestamp%3D2024-05-06T07%253A08%253A09Z%26Version%3D2016-11-01";

/// `printf %s "$START_STRING_TO_SIGN" | openssl dgst -sha1 -hmac 'secret&' -binary | base64`
const START_SIGNATURE: &str = "pMsxxyTufcN+itdfG/eRpHBqpdA=";
/// `+` → %2B, `/` → %2F, `=` → %3D.
const START_SIGNATURE_ENCODED: &str = "pMsxxyTufcN%2BitdfG%2FeRpHBqpdA%3D";

const ADD_ACCESS_KEY_ID: &str = "LTAI5tExample";
const ADD_SECRET: &str = "kX9/+q=";
const ADD_TOKEN: &str = "STS.tok3n/+=";
const ADD_RESOURCE_NAME: &str = "测试 源~*";
const ADD_VOD_URL: &str =
    "https://learn.aliyundoc.com/App/video.MP4?auth_key=1608953344-0-0-ac8c6280&lang=zh";
const ADD_TIMESTAMP: &str = "2025-01-02T03:04:05Z";
const ADD_NONCE: &str = "add-nonce-0001";

/// GET to http://127.0.0.1:8080, regionId cn-beijing, an STS token, camelCase keys, integers given
/// as JS numbers and as a numeric string. 测 = E6 B5 8B, 试 = E8 AF 95, 源 = E6 BA 90, space → %20,
/// `~` stays, `*` → %2A.
const ADD_CANONICAL: &str = "AccessKeyId=LTAI5tExample&Action=AddCasterVideoResource&BeginOffset=1000\
&CasterId=LIVEPRODUCER_POST-cn-0pp1czt%2A%2A%2A%2A&EndOffset=-500&FixedDelayDuration=0&Format=JSON\
&LocationId=RV07&PtsCallbackInterval=2000&RegionId=cn-beijing&RepeatNum=-1\
&ResourceName=%E6%B5%8B%E8%AF%95%20%E6%BA%90~%2A&SecurityToken=STS.tok3n%2F%2B%3D\
&SignatureMethod=HMAC-SHA1&SignatureNonce=add-nonce-0001&SignatureVersion=1.0\
&Timestamp=2025-01-02T03%3A04%3A05Z&Version=2016-11-01\
&VodUrl=https%3A%2F%2Flearn.aliyundoc.com%2FApp%2Fvideo.MP4%3Fauth_key%3D1608953344-0-0-ac8c6280%26lang%3Dzh";

const ADD_STRING_TO_SIGN: &str = "GET&%2F&AccessKeyId%3DLTAI5tExample%26Action%3DAddCasterVideoResource\
%26BeginOffset%3D1000%26CasterId%3DLIVEPRODUCER_POST-cn-0pp1czt%252A%252A%252A%252A%26EndOffset%3D-500\
%26FixedDelayDuration%3D0%26Format%3DJSON%26LocationId%3DRV07%26PtsCallbackInterval%3D2000\
%26RegionId%3Dcn-beijing%26RepeatNum%3D-1%26ResourceName%3D%25E6%25B5%258B%25E8%25AF%2595%2520%25E6%25BA%2590~%252A\
%26SecurityToken%3DSTS.tok3n%252F%252B%253D%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dadd-nonce-0001\
%26SignatureVersion%3D1.0%26Timestamp%3D2025-01-02T03%253A04%253A05Z%26Version%3D2016-11-01\
%26VodUrl%3Dhttps%253A%252F%252Flearn.aliyundoc.com%252FApp%252Fvideo.MP4%253Fauth_key%253D1608953344-0-0-ac8c6280%2526lang%253Dzh";

/// `printf %s "$ADD_STRING_TO_SIGN" | openssl dgst -sha1 -hmac 'kX9/+q=&' -binary | base64`
const ADD_SIGNATURE: &str = "em8TwE7UYWvS7hGQKOnzWeoe2XU=";
const ADD_SIGNATURE_ENCODED: &str = "em8TwE7UYWvS7hGQKOnzWeoe2XU%3D";

/// The secret of every request that must fail; it must never show up in what is thrown.
const MARK_SECRET: &str = "MARKsecretQz7";

const FORM: &str = "application/x-www-form-urlencoded";
const SOURCES: [&str; 5] = [
    "LiveStreamUrl",
    "MaterialId",
    "VodUrl",
    "ImageId",
    "ImageUrl",
];

// Codes of contract section 3 (and the server's code for an unknown action).
const MISSING: &str = "MissingParameter";
const MALFORMED: &str = "InvalidParameter.Malformed";
const BAD_CASTER: &str = "InvalidCasterId.Malformed";
const BAD_SCENE: &str = "InvalidSceneId.Malformed";
const BAD_MATERIAL: &str = "InvalidMaterialId.Malformed";
const BAD_LOCATION: &str = "UnexpectedLocationID";
const BAD_ACTION: &str = "InvalidAction.NotFound";

// ---------------------------------------------------------------------------------------------
// JS helpers.
// ---------------------------------------------------------------------------------------------

/// Evaluates a JS expression in the global scope.
fn js(expression: &str) -> JsValue {
    js_sys::eval(&format!("({expression})"))
        .unwrap_or_else(|e| panic!("eval of {expression} threw {e:?}"))
}

/// Calls `(v) => body` on `value`.
fn js_call(body: &str, value: &JsValue) -> JsValue {
    Function::new_with_args("v", body)
        .call1(&JsValue::NULL, value)
        .unwrap_or_else(|e| panic!("helper {body} threw {e:?}"))
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn num(value: f64) -> JsValue {
    JsValue::from_f64(value)
}

/// A JS string from UTF-16 code units (lone surrogates included).
fn utf16(units: &[u16]) -> JsValue {
    JsString::from_char_code(units).into()
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (key, value) in pairs {
        Reflect::set(&out, &text(key), value).expect("Reflect.set");
    }
    out.into()
}

/// A shallow copy of `base` with `key` set to `value`.
fn with(base: &JsValue, key: &str, value: JsValue) -> JsValue {
    let copy = Object::assign(&Object::new(), base.unchecked_ref::<Object>());
    Reflect::set(&copy, &text(key), &value).expect("Reflect.set");
    copy.into()
}

/// A shallow copy of `base` without `key`.
fn without(base: &JsValue, key: &str) -> JsValue {
    let copy = Object::assign(&Object::new(), base.unchecked_ref::<Object>());
    Reflect::delete_property(&copy, &text(key)).expect("Reflect.deleteProperty");
    copy.into()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &text(key)).unwrap_or_else(|e| panic!("reading {key} threw {e:?}"))
}

fn get_text(target: &JsValue, key: &str) -> String {
    let value = get(target, key);
    value
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string: {value:?}"))
}

fn sorted_keys(target: &JsValue) -> Vec<String> {
    let mut keys: Vec<String> = Object::keys(target.unchecked_ref::<Object>())
        .iter()
        .map(|k| k.as_string().expect("key"))
        .collect();
    keys.sort();
    keys
}

fn is_plain_object(value: &JsValue) -> bool {
    js_call("return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype", value)
        .is_truthy()
}

fn stringify(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

fn megabyte(fill: &str) -> String {
    fill.repeat((1 << 20) / fill.len())
}

// ---------------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------------

fn start_params() -> JsValue {
    object(&[
        ("CasterId", text(START_CASTER_ID)),
        ("SceneId", text(START_SCENE_ID)),
    ])
}

fn start_request() -> JsValue {
    object(&[
        ("action", text("StartCasterScene")),
        ("params", start_params()),
        ("accessKeyId", text(START_ACCESS_KEY_ID)),
        ("accessKeySecret", text(START_SECRET)),
        ("timestamp", text(START_TIMESTAMP)),
        ("nonce", text(START_NONCE)),
    ])
}

fn add_params() -> JsValue {
    JSON::parse(&format!(
        r#"{{"casterId":"{START_CASTER_ID}","ResourceName":"{ADD_RESOURCE_NAME}","locationId":"RV07",
            "VodUrl":"{ADD_VOD_URL}","BeginOffset":1000,"EndOffset":"-500","RepeatNum":-1,
            "PtsCallbackInterval":2000,"FixedDelayDuration":0}}"#
    ))
    .expect("JSON.parse")
}

fn add_request() -> JsValue {
    object(&[
        ("action", text("AddCasterVideoResource")),
        ("params", add_params()),
        ("accessKeyId", text(ADD_ACCESS_KEY_ID)),
        ("accessKeySecret", text(ADD_SECRET)),
        ("securityToken", text(ADD_TOKEN)),
        ("regionId", text("cn-beijing")),
        ("endpoint", text("http://127.0.0.1:8080")),
        ("method", text("GET")),
        ("timestamp", text(ADD_TIMESTAMP)),
        ("nonce", text(ADD_NONCE)),
    ])
}

/// A request for `action` with `params`, signed with the marker secret.
fn request(action: &str, params: JsValue) -> JsValue {
    object(&[
        ("action", text(action)),
        ("params", params),
        ("accessKeyId", text("LTAIhostile")),
        ("accessKeySecret", text(MARK_SECRET)),
        ("timestamp", text(START_TIMESTAMP)),
        ("nonce", text(START_NONCE)),
    ])
}

fn start(params: JsValue) -> JsValue {
    request("StartCasterScene", params)
}

fn add(params: JsValue) -> JsValue {
    request("AddCasterVideoResource", params)
}

/// Valid AddCasterVideoResource parameters with a file source, for the integer rules.
fn file_params() -> JsValue {
    object(&[
        ("CasterId", text("caster-1")),
        ("ResourceName", text("clip")),
        ("LocationId", text("RV01")),
        ("VodUrl", text("http://example.com/a.mp4")),
    ])
}

fn live_params() -> JsValue {
    object(&[
        ("CasterId", text("caster-1")),
        ("ResourceName", text("live")),
        ("LocationId", text("RV02")),
        ("LiveStreamUrl", text("rtmp://example.com/app/stream")),
    ])
}

fn sign(request: &JsValue) -> Result<JsValue, JsValue> {
    sign_request(request.clone())
}

/// The instance still signs the known answer: nothing before poisoned it.
fn assert_still_works() {
    let signed = sign(&start_request()).unwrap_or_else(|e| {
        panic!(
            "valid request failed after hostile calls: {}",
            stringify(&e)
        )
    });
    assert_eq!(get_text(&signed, "signature"), START_SIGNATURE);
    let problems =
        validate_params(text("StartCasterScene"), start_params()).expect("validateParams threw");
    assert_eq!(Array::from(&problems).length(), 0);
}

// ---------------------------------------------------------------------------------------------
// What is thrown.
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Thrown {
    code: String,
    kind: String,
    field: Option<String>,
    message: String,
}

/// Checks that `result` is a thrown CasterError (contract section 4) that leaks no secret.
fn caster_error(label: &str, result: Result<JsValue, JsValue>) -> Result<Thrown, String> {
    let error = match result {
        Ok(value) => {
            return Err(format!(
                "{label}: returned {} instead of throwing",
                stringify(&value)
            ))
        }
        Err(error) => error,
    };
    let shown = js_call(
        "try { return String(v) + ' ' + JSON.stringify(v) } catch (e) { return 'unprintable' }",
        &error,
    )
    .as_string()
    .unwrap_or_default();
    let fail = |why: &str| Err(format!("{label}: {why}; thrown: {shown}"));
    if !js_call("return v instanceof Error", &error).is_truthy() {
        return fail("not instanceof Error");
    }
    if get(&error, "name").as_string().as_deref() != Some("CasterError") {
        return fail("name is not \"CasterError\"");
    }
    let Some(code) = get(&error, "code").as_string().filter(|c| !c.is_empty()) else {
        return fail("code is not a non-empty string");
    };
    let Some(kind) = get(&error, "kind").as_string() else {
        return fail("kind is not a string");
    };
    if !["validation", "config", "api", "network", "timeout"].contains(&kind.as_str()) {
        return fail("kind is not one of the five kinds");
    }
    let field = get(&error, "field");
    let field = if field.is_undefined() {
        None
    } else if let Some(field) = field.as_string() {
        Some(field)
    } else {
        return fail("field is neither undefined nor a string");
    };
    let Some(message) = get(&error, "message").as_string().filter(|m| !m.is_empty()) else {
        return fail("message is not a non-empty string");
    };
    if get(&error, "retryable").as_bool() != Some(false) {
        return fail("retryable is not false");
    }
    let stack = get(&error, "stack").as_string().unwrap_or_default();
    if [&message, &code, &shown, &stack]
        .iter()
        .any(|s| s.contains(MARK_SECRET))
        || field.as_deref().is_some_and(|f| f.contains(MARK_SECRET))
    {
        return fail("the secret appears in the error");
    }
    Ok(Thrown {
        code,
        kind,
        field,
        message,
    })
}

/// Expects a CasterError with `code` and, when given, `kind` and `field`; records any mismatch.
fn expect_error(
    failures: &mut Vec<String>,
    label: &str,
    result: Result<JsValue, JsValue>,
    code: &str,
    kind: Option<&str>,
    field: Option<&str>,
) -> Option<Thrown> {
    match caster_error(label, result) {
        Err(why) => {
            failures.push(why);
            None
        }
        Ok(thrown) => {
            let mut ok = thrown.code == code;
            ok &= kind.is_none_or(|kind| thrown.kind == kind);
            ok &= field.is_none_or(|field| thrown.field.as_deref() == Some(field));
            if !ok {
                failures.push(format!(
                    "{label}: want code {code}, kind {kind:?}, field {field:?}; got {} / {} / {:?} ({})",
                    thrown.code, thrown.kind, thrown.field, thrown.message
                ));
            }
            Some(thrown)
        }
    }
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Signing: known answers.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn start_caster_scene_post_known_answer() {
    let signed = sign(&start_request()).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    assert!(is_plain_object(&signed), "result is not a plain object");
    assert_eq!(get_text(&signed, "method"), "POST");
    assert_eq!(get_text(&signed, "url"), "https://live.aliyuncs.com/");
    assert_eq!(get_text(&signed, "canonicalQuery"), START_CANONICAL);
    assert_eq!(get_text(&signed, "stringToSign"), START_STRING_TO_SIGN);
    assert_eq!(get_text(&signed, "signature"), START_SIGNATURE);
    assert_eq!(
        get_text(&signed, "body"),
        format!("{START_CANONICAL}&Signature={START_SIGNATURE_ENCODED}")
    );

    // One header, the form content type: a CORS simple request.
    let headers = get(&signed, "headers");
    assert!(is_plain_object(&headers), "headers is not a plain object");
    let names = sorted_keys(&headers);
    assert_eq!(names.len(), 1, "headers: {names:?}");
    assert!(
        names[0].eq_ignore_ascii_case("content-type"),
        "headers: {names:?}"
    );
    assert!(get_text(&headers, &names[0]).starts_with(FORM));

    let params = get(&signed, "params");
    assert!(is_plain_object(&params), "params is not a plain object");
    let expected = [
        ("AccessKeyId", START_ACCESS_KEY_ID),
        ("Action", "StartCasterScene"),
        ("CasterId", START_CASTER_ID),
        ("Format", "JSON"),
        ("RegionId", "cn-shanghai"),
        ("SceneId", START_SCENE_ID),
        ("Signature", START_SIGNATURE),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", START_NONCE),
        ("SignatureVersion", "1.0"),
        ("Timestamp", START_TIMESTAMP),
        ("Version", "2016-11-01"),
    ];
    assert_params(&params, &expected);
}

/// `params` holds exactly these keys with these values.
fn assert_params(params: &JsValue, expected: &[(&str, &str)]) {
    assert_eq!(sorted_keys(params), expected.iter().map(|(k, _)| (*k).to_owned()).collect::<Vec<_>>());
    for (key, value) in expected {
        assert_eq!(get_text(params, key), *value, "params.{key}");
    }
}

#[wasm_bindgen_test]
fn add_caster_video_resource_get_known_answer() {
    let signed = sign(&add_request()).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    assert!(is_plain_object(&signed), "result is not a plain object");
    assert_eq!(get_text(&signed, "method"), "GET");
    assert_eq!(get_text(&signed, "canonicalQuery"), ADD_CANONICAL);
    assert_eq!(get_text(&signed, "stringToSign"), ADD_STRING_TO_SIGN);
    assert_eq!(get_text(&signed, "signature"), ADD_SIGNATURE);
    assert_eq!(
        get_text(&signed, "url"),
        format!("http://127.0.0.1:8080/?{ADD_CANONICAL}&Signature={ADD_SIGNATURE_ENCODED}")
    );
    assert!(get(&signed, "body").is_undefined(), "a GET has no body");
    let headers = get(&signed, "headers");
    assert!(is_plain_object(&headers), "headers is not a plain object");
    assert_eq!(sorted_keys(&headers), Vec::<String>::new());

    let params = get(&signed, "params");
    let expected = [
        ("AccessKeyId", ADD_ACCESS_KEY_ID),
        ("Action", "AddCasterVideoResource"),
        ("BeginOffset", "1000"),
        ("CasterId", START_CASTER_ID),
        ("EndOffset", "-500"),
        ("FixedDelayDuration", "0"),
        ("Format", "JSON"),
        ("LocationId", "RV07"),
        ("PtsCallbackInterval", "2000"),
        ("RegionId", "cn-beijing"),
        ("RepeatNum", "-1"),
        ("ResourceName", ADD_RESOURCE_NAME),
        ("SecurityToken", ADD_TOKEN),
        ("Signature", ADD_SIGNATURE),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", ADD_NONCE),
        ("SignatureVersion", "1.0"),
        ("Timestamp", ADD_TIMESTAMP),
        ("Version", "2016-11-01"),
        ("VodUrl", ADD_VOD_URL),
    ];
    assert_params(&params, &expected);
    // Secrets never appear in a returned string (the signature aside).
    assert!(!stringify(&signed).contains(ADD_SECRET));
}

#[wasm_bindgen_test]
fn timestamp_as_date() {
    // 2024-05-06T07:08:09.750Z: the milliseconds are dropped, so it signs like the string.
    let date = Date::new(&num(
        Date::utc(2024.0, 4.0) + ((5.0 * 24.0 + 7.0) * 3600.0 + 8.0 * 60.0 + 9.75) * 1000.0
    ));
    assert_eq!(
        date.to_iso_string().as_string().as_deref(),
        Some("2024-05-06T07:08:09.750Z")
    );
    let signed = sign(&with(&start_request(), "timestamp", date.into()))
        .unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    assert_eq!(
        get_text(&get(&signed, "params"), "Timestamp"),
        START_TIMESTAMP
    );
    assert_eq!(get_text(&signed, "signature"), START_SIGNATURE);

    let mut failures = Vec::new();
    let invalid = Date::new(&num(f64::NAN));
    let cases: [(&str, JsValue); 5] = [
        ("invalid Date", invalid.into()),
        ("Date before 1970", Date::new(&num(-1000.0)).into()),
        ("string without Z", text("2024-05-06T07:08:09")),
        ("string with a space", text("2024-05-06 07:08:09Z")),
        ("number", num(1_714_979_289_000.0)),
    ];
    for (label, value) in cases {
        let result = sign(&with(&start(start_params()), "timestamp", value));
        expect_error(
            &mut failures,
            &format!("timestamp: {label}"),
            result,
            MALFORMED,
            None,
            Some("timestamp"),
        );
    }
    report(failures);
    assert_still_works();
}

#[wasm_bindgen_test]
fn default_nonce_is_a_fresh_uuid() {
    let request = without(&start_request(), "nonce");
    let first = sign(&request).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    let second = sign(&request).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    let uuid = js_sys::RegExp::new(
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        "",
    );
    let one = get_text(&get(&first, "params"), "SignatureNonce");
    let two = get_text(&get(&second, "params"), "SignatureNonce");
    assert!(uuid.test(&one), "not a UUID: {one}");
    assert!(uuid.test(&two), "not a UUID: {two}");
    assert_ne!(one, two);
    assert_ne!(
        get_text(&first, "signature"),
        get_text(&second, "signature")
    );

    // Without a timestamp: now, in the wire form.
    let signed =
        sign(&without(&request, "timestamp")).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    let stamp = get_text(&get(&signed, "params"), "Timestamp");
    let form = js_sys::RegExp::new("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", "");
    assert!(form.test(&stamp), "Timestamp form: {stamp}");
    let skew = (Date::parse(&stamp) - Date::now()).abs();
    assert!(skew < 60_000.0, "Timestamp {stamp} is {skew} ms from now");
}

#[wasm_bindgen_test]
fn u_fffd_and_surrogate_pairs_are_signed() {
    // A literal U+FFFD is a real character and is signed as its UTF-8 bytes.
    let scene = utf16(&[0x61, 0x62, 0xFFFD, 0x63, 0x64]);
    let signed = sign(&start_request_with("SceneId", scene.clone()))
        .unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    assert!(get_text(&signed, "canonicalQuery").contains("&SceneId=ab%EF%BF%BDcd&"));
    assert_eq!(get(&get(&signed, "params"), "SceneId"), scene);

    // A well-formed pair (U+1F600) is one character, four UTF-8 bytes.
    let name = utf16(&[0x63, 0x61, 0x6D, 0xD83D, 0xDE00]);
    let params = with(&live_params(), "ResourceName", name.clone());
    let signed = sign(&add(params)).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    assert!(get_text(&signed, "canonicalQuery").contains("&ResourceName=cam%F0%9F%98%80&"));
    assert_eq!(get(&get(&signed, "params"), "ResourceName"), name);
}

/// The START request with one parameter replaced.
fn start_request_with(key: &str, value: JsValue) -> JsValue {
    with(
        &start_request(),
        "params",
        with(&start_params(), key, value),
    )
}

// ---------------------------------------------------------------------------------------------
// Every failure is a CasterError.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn non_object_arguments() {
    let mut failures = Vec::new();
    let map = Map::new();
    map.set(&text("action"), &text("StartCasterScene"));
    let pairs = Array::of2(&text("action"), &text("StartCasterScene"));
    let values: Vec<(&str, JsValue)> = vec![
        ("undefined", JsValue::UNDEFINED),
        ("null", JsValue::NULL),
        ("number", num(42.0)),
        ("NaN", num(f64::NAN)),
        ("string", text("StartCasterScene")),
        ("boolean", JsValue::TRUE),
        ("array", Array::of1(&start_request()).into()),
        ("array of pairs", pairs.into()),
        ("Map", map.into()),
        ("function", Function::new_no_args("return 1").into()),
        (
            "arrow function",
            js("() => ({ action: 'StartCasterScene' })"),
        ),
        ("BigInt", BigInt::from(10).into()),
        ("Symbol", Symbol::for_("aliyun-caster").into()),
        ("Date", Date::new_0().into()),
        ("boxed String", js("new String('StartCasterScene')")),
        ("Promise", js("Promise.resolve({})")),
    ];
    for (label, value) in &values {
        expect_error(
            &mut failures,
            &format!("request = {label}"),
            sign(value),
            MALFORMED,
            Some("validation"),
            None,
        );
    }
    // The same values as params (undefined and null excepted: they count as absent).
    for (label, value) in values.iter().skip(2) {
        let result = sign(&start(value.clone()));
        expect_error(
            &mut failures,
            &format!("params = {label}"),
            result,
            MALFORMED,
            Some("validation"),
            None,
        );
    }
    for (label, value) in [("undefined", JsValue::UNDEFINED), ("null", JsValue::NULL)] {
        expect_error(
            &mut failures,
            &format!("params = {label}"),
            sign(&start(value)),
            MISSING,
            Some("validation"),
            None,
        );
    }
    report(failures);
    assert_still_works();
}

#[wasm_bindgen_test]
fn throwing_getters_and_proxies() {
    let mut failures = Vec::new();
    let getter = js("{ get CasterId() { throw new Error('getter boom') }, SceneId: 's-1' }");
    expect_error(
        &mut failures,
        "params getter throws",
        sign(&start(getter)),
        MALFORMED,
        Some("validation"),
        Some("CasterId"),
    );
    let getter = js("{ CasterId: 'c-1', get SceneId() { throw 42 } }");
    expect_error(
        &mut failures,
        "params getter throws 42",
        sign(&start(getter)),
        MALFORMED,
        Some("validation"),
        Some("SceneId"),
    );

    let define_throwing = |key: &str| {
        js_call(
            &format!(
                "Object.defineProperty(v, '{key}', {{ get() {{ throw new TypeError('request getter boom') }}, \
                 enumerable: true, configurable: true }}); return v"
            ),
            &start(start_params()),
        )
    };
    for key in ["action", "params", "accessKeySecret", "timestamp", "nonce"] {
        let result = sign(&define_throwing(key));
        expect_error(
            &mut failures,
            &format!("request getter {key} throws"),
            result,
            MALFORMED,
            None,
            Some(key),
        );
    }

    let proxies = [
        ("ownKeys trap throws", "new Proxy({ CasterId: 'c-1', SceneId: 's-1' }, { ownKeys() { throw new Error('ownKeys boom') } })"),
        ("get trap throws", "new Proxy({ CasterId: 'c-1', SceneId: 's-1' }, { get() { throw new Error('get boom') } })"),
        (
            "getOwnPropertyDescriptor trap throws",
            "new Proxy({ CasterId: 'c-1', SceneId: 's-1' }, { getOwnPropertyDescriptor() { throw new Error('gopd boom') } })",
        ),
        ("getPrototypeOf trap throws", "new Proxy({ CasterId: 'c-1', SceneId: 's-1' }, { getPrototypeOf() { throw new Error('proto boom') } })"),
        ("revoked", "(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy })()"),
    ];
    for (label, source) in proxies {
        let proxy = js(source);
        // A proxy that throws on every read fails; one that only throws on getPrototypeOf may pass.
        let as_params = sign(&start(proxy.clone()));
        if label.starts_with("getPrototypeOf") && as_params.is_ok() {
            continue;
        }
        expect_error(
            &mut failures,
            &format!("params: proxy {label}"),
            as_params,
            MALFORMED,
            Some("validation"),
            None,
        );
        expect_error(
            &mut failures,
            &format!("request: proxy {label}"),
            sign(&proxy),
            MALFORMED,
            None,
            None,
        );
    }
    // The request itself a proxy whose ownKeys trap throws.
    let request = js_call(
        "return new Proxy(v, { ownKeys() { throw new Error('ownKeys boom') } })",
        &start_request(),
    );
    expect_error(
        &mut failures,
        "request: proxy ownKeys over a valid request",
        sign(&request),
        MALFORMED,
        None,
        None,
    );

    // Values that run code when coerced are never coerced.
    let coercing = js("{ valueOf() { throw new Error('valueOf boom') }, toString() { throw new Error('toString boom') } }");
    let result = sign(&add(with(&file_params(), "BeginOffset", coercing.clone())));
    expect_error(
        &mut failures,
        "integer field with a throwing valueOf",
        result,
        MALFORMED,
        Some("validation"),
        Some("BeginOffset"),
    );
    let result = sign(&start(with(&start_params(), "SceneId", coercing)));
    expect_error(
        &mut failures,
        "text field with a throwing toString",
        result,
        MALFORMED,
        Some("validation"),
        Some("SceneId"),
    );

    report(failures);
    assert_still_works();
}

#[wasm_bindgen_test]
fn lone_surrogates() {
    let mut failures = Vec::new();
    let lone: [(&str, &[u16]); 4] = [
        ("high in the middle", &[0x61, 0xD800, 0x62]),
        ("low alone", &[0xDC00]),
        ("reversed pair", &[0x61, 0xDC00, 0xD800, 0x62]),
        ("high at the end", &[0x61, 0x62, 0xDBFF]),
    ];
    for (label, units) in lone {
        let result = sign(&start(with(&start_params(), "SceneId", utf16(units))));
        expect_error(
            &mut failures,
            &format!("SceneId {label}"),
            result,
            MALFORMED,
            Some("validation"),
            Some("SceneId"),
        );
        let result = sign(&add(with(&live_params(), "ResourceName", utf16(units))));
        expect_error(
            &mut failures,
            &format!("ResourceName {label}"),
            result,
            MALFORMED,
            Some("validation"),
            Some("ResourceName"),
        );
        let result = sign(&add(with(
            &live_params(),
            "LiveStreamUrl",
            utf16(
                &[
                    &[0x72, 0x74, 0x6D, 0x70, 0x3A, 0x2F, 0x2F, 0x68, 0x2F][..],
                    units,
                ]
                .concat(),
            ),
        )));
        expect_error(
            &mut failures,
            &format!("LiveStreamUrl {label}"),
            result,
            MALFORMED,
            Some("validation"),
            Some("LiveStreamUrl"),
        );
    }
    let lone_secret = utf16(&[0x73, 0xD800]);
    let result = sign(&with(
        &start(start_params()),
        "accessKeySecret",
        lone_secret,
    ));
    expect_error(
        &mut failures,
        "accessKeySecret with a lone surrogate",
        result,
        MALFORMED,
        Some("config"),
        Some("accessKeySecret"),
    );
    let result = sign(&with(
        &start(start_params()),
        "nonce",
        utf16(&[0x6E, 0xDFFF]),
    ));
    expect_error(
        &mut failures,
        "nonce with a lone surrogate",
        result,
        MALFORMED,
        None,
        Some("nonce"),
    );
    // A lone surrogate in a key: not a parameter name.
    let params = start_params();
    Reflect::set(&params, &utf16(&[0x43, 0xD800]), &text("x")).expect("set");
    expect_error(
        &mut failures,
        "key with a lone surrogate",
        sign(&start(params)),
        MALFORMED,
        Some("validation"),
        None,
    );
    report(failures);

    // validateParams reports it the same way.
    let problems = validate_params(
        text("StartCasterScene"),
        with(&start_params(), "SceneId", utf16(&[0xD800])),
    )
    .expect("validateParams threw");
    assert_eq!(
        problem_list(&problems),
        vec![(MALFORMED.to_owned(), "SceneId".to_owned())]
    );
    assert_still_works();
}

#[wasm_bindgen_test]
fn missing_fields() {
    let mut failures = Vec::new();
    expect_error(
        &mut failures,
        "no SceneId",
        sign(&start(without(&start_params(), "SceneId"))),
        MISSING,
        Some("validation"),
        Some("SceneId"),
    );
    expect_error(
        &mut failures,
        "SceneId null",
        sign(&start(with(&start_params(), "SceneId", JsValue::NULL))),
        MISSING,
        Some("validation"),
        Some("SceneId"),
    );
    expect_error(
        &mut failures,
        "SceneId undefined",
        sign(&start(with(&start_params(), "SceneId", JsValue::UNDEFINED))),
        MISSING,
        Some("validation"),
        Some("SceneId"),
    );
    expect_error(
        &mut failures,
        "no CasterId",
        sign(&start(without(&start_params(), "CasterId"))),
        MISSING,
        Some("validation"),
        Some("CasterId"),
    );
    expect_error(
        &mut failures,
        "no LocationId",
        sign(&add(without(&live_params(), "LocationId"))),
        MISSING,
        Some("validation"),
        Some("LocationId"),
    );
    expect_error(
        &mut failures,
        "no ResourceName",
        sign(&add(without(&live_params(), "ResourceName"))),
        MISSING,
        Some("validation"),
        Some("ResourceName"),
    );

    // A missing source names all five.
    if let Some(thrown) = expect_error(
        &mut failures,
        "no source",
        sign(&add(without(&live_params(), "LiveStreamUrl"))),
        MISSING,
        Some("validation"),
        None,
    ) {
        if !SOURCES.iter().all(|s| thrown.message.contains(s)) {
            failures.push(format!(
                "no source: the message does not name all five sources: {}",
                thrown.message
            ));
        }
    }
    let two = with(&live_params(), "VodUrl", text("http://example.com/a.mp4"));
    expect_error(
        &mut failures,
        "two sources",
        sign(&add(two)),
        MALFORMED,
        Some("validation"),
        None,
    );

    // Credentials are configuration.
    let base = start(start_params());
    expect_error(
        &mut failures,
        "no accessKeySecret",
        sign(&without(&base, "accessKeySecret")),
        MISSING,
        Some("config"),
        Some("accessKeySecret"),
    );
    expect_error(
        &mut failures,
        "accessKeySecret null",
        sign(&with(&base, "accessKeySecret", JsValue::NULL)),
        MISSING,
        Some("config"),
        Some("accessKeySecret"),
    );
    expect_error(
        &mut failures,
        "no accessKeyId",
        sign(&without(&base, "accessKeyId")),
        MISSING,
        Some("config"),
        Some("accessKeyId"),
    );
    expect_error(
        &mut failures,
        "accessKeySecret a number",
        sign(&with(&base, "accessKeySecret", num(7.0))),
        MALFORMED,
        Some("config"),
        Some("accessKeySecret"),
    );
    if let Err(why) = caster_error("no action", sign(&without(&base, "action"))) {
        failures.push(why);
    }
    report(failures);
    assert_still_works();
}

#[wasm_bindgen_test]
fn megabyte_values() {
    let huge = text(&megabyte("a"));
    let material = with(&without(&file_params(), "VodUrl"), "MaterialId", huge.clone());
    let big_key = start_params();
    Reflect::set(&big_key, &text(&megabyte("K")), &text("x")).expect("set");
    let many = js("(() => { const o = { CasterId: 'c-1', SceneId: 's-1' }; for (let i = 0; i < 100000; i++) o['k' + i] = 'v'; return o })()");
    // (label, request, code, kind, field)
    type Case<'a> = (&'a str, JsValue, &'a str, Option<&'a str>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("1 MB CasterId", start(with(&start_params(), "CasterId", huge.clone())), BAD_CASTER, Some("validation"), Some("CasterId")),
        ("1 MB SceneId", start(with(&start_params(), "SceneId", huge.clone())), BAD_SCENE, Some("validation"), Some("SceneId")),
        ("1 MB MaterialId", add(material), BAD_MATERIAL, Some("validation"), Some("MaterialId")),
        ("1 MB BeginOffset", add(with(&file_params(), "BeginOffset", text(&megabyte("9")))), MALFORMED, Some("validation"), Some("BeginOffset")),
        ("1 MB nonce", with(&start(start_params()), "nonce", huge.clone()), MALFORMED, None, Some("nonce")),
        ("1 MB accessKeySecret", with(&start(start_params()), "accessKeySecret", text(&megabyte(MARK_SECRET))), MALFORMED, Some("config"), Some("accessKeySecret")),
        ("1 MB key", start(big_key), MALFORMED, Some("validation"), None),
        ("100 000 keys", start(many), MALFORMED, Some("validation"), None),
    ];
    let mut failures = Vec::new();
    for (label, request, code, kind, field) in cases {
        let thrown = expect_error(&mut failures, label, sign(&request), code, kind, field);
        // The error must not echo the megabyte back.
        if let Some(thrown) = thrown {
            if thrown.message.len() > 4096 || thrown.field.as_ref().is_some_and(|f| f.len() > 4096) {
                failures.push(format!("{label}: the error echoes the megabyte ({} bytes)", thrown.message.len()));
            }
        }
    }
    report(failures);
    assert_still_works();
}

#[wasm_bindgen_test]
fn integer_fields() {
    let mut failures = Vec::new();
    let bad: Vec<(&str, &str, JsValue)> = vec![
        ("BeginOffset", "NaN", num(f64::NAN)),
        ("BeginOffset", "1.5", num(1.5)),
        ("BeginOffset", "2**31", num(2_147_483_648.0)),
        ("EndOffset", "-(2**31)-1", num(-2_147_483_649.0)),
        ("RepeatNum", "Infinity", num(f64::INFINITY)),
        ("PtsCallbackInterval", "-Infinity", num(f64::NEG_INFINITY)),
        ("FixedDelayDuration", "1e21", num(1e21)),
        ("BeginOffset", "\"1.5\"", text("1.5")),
        ("BeginOffset", "\"1e3\"", text("1e3")),
        ("BeginOffset", "\"abc\"", text("abc")),
        ("BeginOffset", "\"\"", text("")),
        ("BeginOffset", "\"2147483648\"", text("2147483648")),
        ("BeginOffset", "BigInt 10n", BigInt::from(10).into()),
        ("BeginOffset", "Symbol", Symbol::for_("n").into()),
        ("BeginOffset", "true", JsValue::TRUE),
        ("BeginOffset", "{}", Object::new().into()),
        ("BeginOffset", "[1]", Array::of1(&num(1.0)).into()),
        ("BeginOffset", "Date", Date::new(&num(0.0)).into()),
        // Out of range.
        ("BeginOffset", "-1", num(-1.0)),
        ("RepeatNum", "-2", num(-2.0)),
        ("FixedDelayDuration", "5001", num(5001.0)),
        ("FixedDelayDuration", "-1", num(-1.0)),
        ("PtsCallbackInterval", "-1", num(-1.0)),
    ];
    for (field, label, value) in bad {
        let result = sign(&add(with(&file_params(), field, value)));
        expect_error(
            &mut failures,
            &format!("{field} = {label}"),
            result,
            MALFORMED,
            Some("validation"),
            Some(field),
        );
    }
    // A positive EndOffset must come after BeginOffset.
    let params = with(
        &with(&file_params(), "BeginOffset", num(1000.0)),
        "EndOffset",
        num(500.0),
    );
    expect_error(
        &mut failures,
        "EndOffset before BeginOffset",
        sign(&add(params)),
        MALFORMED,
        Some("validation"),
        Some("EndOffset"),
    );
    // File-only parameters with a live source.
    for field in ["BeginOffset", "EndOffset", "RepeatNum"] {
        let result = sign(&add(with(&live_params(), field, num(1.0))));
        expect_error(
            &mut failures,
            &format!("{field} with a live source"),
            result,
            MALFORMED,
            Some("validation"),
            Some(field),
        );
    }
    // A text field given another JS type.
    let wrong: [(&str, JsValue); 5] = [
        ("number", num(123.0)),
        ("boolean", JsValue::FALSE),
        ("array", Array::of1(&text("c")).into()),
        ("object", object(&[("id", text("c"))])),
        ("BigInt", BigInt::from(1).into()),
    ];
    for (label, value) in wrong {
        let result = sign(&start(with(&start_params(), "CasterId", value.clone())));
        expect_error(
            &mut failures,
            &format!("CasterId a {label}"),
            result,
            MALFORMED,
            Some("validation"),
            Some("CasterId"),
        );
        let result = sign(&add(with(&live_params(), "ResourceName", value)));
        expect_error(
            &mut failures,
            &format!("ResourceName a {label}"),
            result,
            MALFORMED,
            Some("validation"),
            Some("ResourceName"),
        );
    }
    report(failures);

    // The edges that are valid.
    let params = with(
        &with(&file_params(), "BeginOffset", num(2_147_483_647.0)),
        "FixedDelayDuration",
        num(5000.0),
    );
    let params = with(
        &with(&params, "EndOffset", num(-2_147_483_648.0)),
        "RepeatNum",
        text("42"),
    );
    let signed = sign(&add(params)).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    let params = get(&signed, "params");
    assert_eq!(get_text(&params, "BeginOffset"), "2147483647");
    assert_eq!(get_text(&params, "EndOffset"), "-2147483648");
    assert_eq!(get_text(&params, "FixedDelayDuration"), "5000");
    assert_eq!(get_text(&params, "RepeatNum"), "42");
    assert_still_works();
}

#[wasm_bindgen_test]
fn unknown_names_and_actions() {
    let mut failures = Vec::new();
    let t = expect_error(
        &mut failures,
        "CasterID",
        sign(&start(with(
            &without(&start_params(), "CasterId"),
            "CasterID",
            text("c-1"),
        ))),
        MALFORMED,
        Some("validation"),
        Some("CasterID"),
    );
    if let Some(t) = t.filter(|t| !t.message.contains("CasterId")) {
        failures.push(format!(
            "CasterID: no suggestion of CasterId in {:?}",
            t.message
        ));
    }
    let t = expect_error(
        &mut failures,
        "SceneID",
        sign(&start(with(&start_params(), "SceneID", text("s-2")))),
        MALFORMED,
        Some("validation"),
        Some("SceneID"),
    );
    if let Some(t) = t.filter(|t| !t.message.contains("SceneId")) {
        failures.push(format!(
            "SceneID: no suggestion of SceneId in {:?}",
            t.message
        ));
    }
    expect_error(
        &mut failures,
        "Bogus",
        sign(&start(with(&start_params(), "Bogus", text("x")))),
        MALFORMED,
        Some("validation"),
        Some("Bogus"),
    );
    expect_error(
        &mut failures,
        "LocationId in StartCasterScene",
        sign(&start(with(&start_params(), "LocationId", text("RV01")))),
        MALFORMED,
        Some("validation"),
        Some("LocationId"),
    );
    expect_error(
        &mut failures,
        "unknown request option",
        sign(&with(
            &start(start_params()),
            "accesKeySecret",
            text(MARK_SECRET),
        )),
        MALFORMED,
        None,
        None,
    );
    expect_error(
        &mut failures,
        "__proto__-like key",
        sign(&start(with(&start_params(), "constructor", text("x")))),
        MALFORMED,
        Some("validation"),
        Some("constructor"),
    );

    for action in ["StopCaster", "DescribeRegions", "startCasterScene"] {
        let result = sign(&request(action, start_params()));
        expect_error(
            &mut failures,
            &format!("action {action}"),
            result,
            BAD_ACTION,
            Some("validation"),
            Some("action"),
        );
    }
    for (label, value) in [
        ("number", num(1.0)),
        ("object", Object::new().into()),
        ("Symbol", Symbol::for_("a").into()),
    ] {
        let result = sign(&with(&start(start_params()), "action", value));
        expect_error(
            &mut failures,
            &format!("action a {label}"),
            result,
            MALFORMED,
            None,
            Some("action"),
        );
    }
    report(failures);
    assert_still_works();
}

// ---------------------------------------------------------------------------------------------
// validateParams.
// ---------------------------------------------------------------------------------------------

/// Checks that `problems` is an array of plain `{field, code, message}` objects; returns the
/// (code, field) pairs, sorted.
fn problem_list(problems: &JsValue) -> Vec<(String, String)> {
    assert!(
        Array::is_array(problems),
        "validateParams did not return an array: {}",
        stringify(problems)
    );
    let mut out = Vec::new();
    for item in Array::from(problems).iter() {
        assert!(
            is_plain_object(&item),
            "not a plain object: {}",
            stringify(&item)
        );
        assert!(
            !js_call("return v instanceof Error", &item).is_truthy(),
            "a problem is an Error"
        );
        assert_eq!(
            sorted_keys(&item),
            ["code", "field", "message"],
            "{}",
            stringify(&item)
        );
        let message = get_text(&item, "message");
        assert!(!message.is_empty());
        out.push((get_text(&item, "code"), get_text(&item, "field")));
    }
    out.sort();
    out
}

#[wasm_bindgen_test]
fn validate_params_valid_input_is_an_empty_array() {
    for (action, params) in [
        ("StartCasterScene", start_params()),
        (
            "StartCasterScene",
            object(&[
                ("casterId", text("c-1")),
                ("sceneId", text("s-1")),
                ("regionId", text("cn-shanghai")),
            ]),
        ),
        ("AddCasterVideoResource", add_params()),
        ("AddCasterVideoResource", live_params()),
    ] {
        let problems = validate_params(text(action), params.clone())
            .unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
        assert!(Array::is_array(&problems));
        assert_eq!(
            Array::from(&problems).length(),
            0,
            "{action} {}: {}",
            stringify(&params),
            stringify(&problems)
        );
    }
}

#[wasm_bindgen_test]
fn validate_params_reports_every_problem_at_once() {
    let params =
        JSON::parse(r#"{"CasterId":"","LocationId":"RV00","FixedDelayDuration":6000,"Bogus":1}"#)
            .expect("JSON.parse");
    let problems = validate_params(text("AddCasterVideoResource"), params)
        .unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
    let list = problem_list(&problems);
    // The missing source is named by all five; its field's spelling is not the contract's business.
    let names_sources =
        |(code, field): &(String, String)| code == MISSING && field != "ResourceName";
    let (sources, rest): (Vec<_>, Vec<_>) = list.into_iter().partition(names_sources);
    assert_eq!(
        sources.len(),
        1,
        "missing source not reported once: {}",
        stringify(&problems)
    );
    let mut want = vec![
        (BAD_CASTER.to_owned(), "CasterId".to_owned()),
        (MALFORMED.to_owned(), "Bogus".to_owned()),
        (MALFORMED.to_owned(), "FixedDelayDuration".to_owned()),
        (MISSING.to_owned(), "ResourceName".to_owned()),
        (BAD_LOCATION.to_owned(), "LocationId".to_owned()),
    ];
    want.sort();
    assert_eq!(rest, want, "{}", stringify(&problems));
    let message = Array::from(&problems)
        .iter()
        .find(|p| get_text(p, "code") == MISSING && get_text(p, "field") != "ResourceName")
        .map(|p| get_text(&p, "message"))
        .unwrap_or_default();
    assert!(
        SOURCES.iter().all(|s| message.contains(s)),
        "the missing-source message names all five: {message}"
    );

    // Two problems in StartCasterScene.
    let params = object(&[("CasterId", text("has space")), ("SceneId", num(5.0))]);
    let problems = validate_params(text("StartCasterScene"), params).expect("validateParams threw");
    assert_eq!(
        problem_list(&problems),
        vec![
            (BAD_CASTER.to_owned(), "CasterId".to_owned()),
            (MALFORMED.to_owned(), "SceneId".to_owned())
        ]
    );
}

#[wasm_bindgen_test]
fn validate_params_with_hostile_input() {
    // Whatever validateParams is handed, it reports a problem or throws a CasterError; it never
    // lets a foreign exception through and never returns an empty list for bad input.
    let inputs: Vec<(&str, JsValue, JsValue)> = vec![
        (
            "params undefined",
            text("StartCasterScene"),
            JsValue::UNDEFINED,
        ),
        ("params a number", text("StartCasterScene"), num(1.0)),
        ("params a Map", text("StartCasterScene"), Map::new().into()),
        (
            "params a Symbol",
            text("StartCasterScene"),
            Symbol::for_("p").into(),
        ),
        (
            "params a BigInt",
            text("StartCasterScene"),
            BigInt::from(3).into(),
        ),
        (
            "throwing getter",
            text("StartCasterScene"),
            js("{ get CasterId() { throw new Error('boom') }, SceneId: 's' }"),
        ),
        (
            "ownKeys proxy",
            text("StartCasterScene"),
            js("new Proxy({}, { ownKeys() { throw new Error('boom') } })"),
        ),
        (
            "lone surrogate",
            text("StartCasterScene"),
            object(&[("CasterId", utf16(&[0xD800])), ("SceneId", text("s"))]),
        ),
        ("unknown action", text("StopCaster"), start_params()),
        ("action undefined", JsValue::UNDEFINED, start_params()),
        ("action a Symbol", Symbol::for_("a").into(), start_params()),
    ];
    let mut failures = Vec::new();
    for (label, action, params) in inputs {
        match validate_params(action, params) {
            Ok(problems) => {
                if !Array::is_array(&problems) || Array::from(&problems).length() == 0 {
                    failures.push(format!(
                        "{label}: no problem reported: {}",
                        stringify(&problems)
                    ));
                } else {
                    problem_list(&problems);
                }
            }
            Err(error) => {
                if let Err(why) = caster_error(label, Err(error)) {
                    failures.push(why);
                }
            }
        }
    }
    let problems = validate_params(text("StopCaster"), start_params());
    if let Ok(problems) = problems {
        assert_eq!(
            problem_list(&problems),
            vec![(BAD_ACTION.to_owned(), "action".to_owned())]
        );
    }
    report(failures);
    assert_still_works();
}

// ---------------------------------------------------------------------------------------------
// The instance survives everything.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn hostile_sequence_does_not_poison_the_instance() {
    let hostile: Vec<JsValue> = vec![
        JsValue::UNDEFINED,
        Symbol::for_("x").into(),
        BigInt::from(1).into(),
        js("new Proxy({}, { ownKeys() { throw new Error('boom') } })"),
        js("(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy })()"),
        start(js("{ get CasterId() { throw new Error('boom') } }")),
        start(object(&[
            ("CasterId", utf16(&[0xDFFF])),
            ("SceneId", text(&megabyte("s"))),
        ])),
        add(with(&file_params(), "BeginOffset", num(f64::NAN))),
        with(
            &start(start_params()),
            "timestamp",
            Date::new(&num(f64::NAN)).into(),
        ),
    ];
    for _ in 0..3 {
        for value in &hostile {
            if let Err(why) = caster_error("hostile", sign(value)) {
                panic!("{why}");
            }
            let _ = validate_params(text("AddCasterVideoResource"), value.clone());
        }
        assert_still_works();
        let signed = sign(&add_request()).unwrap_or_else(|e| panic!("threw {}", stringify(&e)));
        assert_eq!(get_text(&signed, "signature"), ADD_SIGNATURE);
    }
}
