//! `sign`: arbitrary parameter maps and request settings through validation and signing, the way
//! the wasm boundary's `signRequest` takes them apart.
//!
//! Properties:
//! - nothing panics;
//! - every error has a code, a message and a field (empty only for the caller's own empty key);
//!   no error message repeats a parameter's value;
//! - validation keeps exactly the caller's values under the API's names, with the required ones;
//! - a signed request (v1 or V3) parses back (`verify::parse_params`) to exactly the parameters
//!   given plus the common ones; its canonical query, string to sign and signature (and V3's
//!   canonical request and headers) agree with an independent reference; a v1 request is accepted
//!   by `verify::verify_v1` with the secret and refused with any other;
//! - the secret never shows: nothing but the signature changes when only the secret does, and a
//!   marked secret leaves its mark in no error, no `Debug` output and no part of the request.

use aliyun_caster::config::{self, Endpoint, Method};
use aliyun_caster::error::Error;
use aliyun_caster::limits::{MAX_PARAMS_BYTES, MAX_VALUE_BYTES};
use aliyun_caster::operations::fields::FieldType;
use aliyun_caster::signing::v1::FORM_CONTENT_TYPE;
use aliyun_caster::verify::{parse_params, verify_v1};
use aliyun_caster::{
    sign_operation, validate, Action, Credentials, Nonce, RawParams, RequestConfig, SignatureAlgorithm, SignedRequest,
    Timestamp, ValidParams, Value,
};

use super::bytes::Bytes;
use super::reference::{ref_canonical, ref_enc, ref_signature, ref_string_to_sign, ref_v3, RefV3};

/// Put into secrets so that any trace of them can be looked for.
const SECRET_MARK: char = '\u{1F511}';
/// What `SECRET_MARK` becomes in the secret that is compared against.
const OTHER_MARK: char = '\u{1F512}';
/// Put into parameter values: messages must never repeat a value.
const VALUE_MARK: char = '\u{1F3AF}';

const COMMON_NAMES: [&str; 14] = [
    "Action", "Signature", "AccessKeyId", "SignatureNonce", "Timestamp", "Version", "Format", "SecurityToken",
    "SignatureMethod", "casterid", "CASTERID", "caster_id", "Casterid", "regionId",
];

const TEXT_VALUES: [&str; 26] = [
    "c-1", "scene-1", "RV01", "RV99", "RV00", "rtmp://example.com/app/stream?auth_key=1-0-0-k",
    "https://example.com/v.mp4", "http://example.com/i.png", "https://example.com/i.JPEG?x=.gif", "artc://h/s",
    "srt://h:9000", "http://h/v.ts#f", "cn-shanghai", "ap-southeast-1", "mat-1", "-1", "0", "5000", "5001",
    "2147483647", "2147483648", "", " ", "a b", "\u{540d}\u{524d}", "x\u{0}y",
];

const NUMBERS: [f64; 12] =
    [-1.0, 0.0, 1.0, 5000.0, 5001.0, 2_147_483_647.0, -2_147_483_648.0, 2_147_483_648.0, 1.5, -0.0, f64::NAN, f64::INFINITY];

const TYPE_NAMES: [&str; 6] = ["boolean", "object", "array", "bigint", "symbol", "function"];

/// Every field name of both operations, PascalCase.
fn field_names() -> Vec<&'static str> {
    Action::ALL.iter().flat_map(|a| a.fields().iter().map(|f| f.name)).collect()
}

fn camel(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `text` with `mark` inserted before its `at`-th character (counted modulo its length + 1).
fn insert_mark(text: &str, mark: char, at: usize) -> String {
    let count = text.chars().count();
    let at = at % (count + 1);
    let mut out: String = text.chars().take(at).collect();
    out.push(mark);
    out.extend(text.chars().skip(at));
    out
}

/// Another secret of the same byte length and the same characters classes (so the same validity):
/// letters and digits shift by one, the mark becomes another.
fn other_secret(secret: &str) -> String {
    secret
        .chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            SECRET_MARK => OTHER_MARK,
            c => c,
        })
        .collect()
}

fn read_key(input: &mut Bytes<'_>, names: &[&'static str]) -> String {
    match input.below(4) {
        0 => input.pick(names).to_owned(),
        1 => camel(input.pick(names)),
        2 => input.pick(&COMMON_NAMES).to_owned(),
        _ => input.text(24),
    }
}

/// A text of `bytes` UTF-8 bytes, or about: ASCII, or two-byte characters (fewer UTF-16 units
/// than bytes), or a URL (a valid source but for its length).
fn long_value(input: &mut Bytes<'_>, bytes: usize) -> String {
    match input.below(3) {
        0 => "x".repeat(bytes),
        1 => "\u{e9}".repeat(bytes / 2) + if bytes % 2 == 1 { "x" } else { "" },
        _ => format!("https://h/{}.mp4", "p".repeat(bytes.saturating_sub(14))),
    }
}

fn read_value(input: &mut Bytes<'_>) -> Value {
    match input.below(11) {
        // Around the limit of one value, and of all of them together.
        9 => {
            let bytes = MAX_VALUE_BYTES - 2 + input.below(5);
            Value::Text(long_value(input, bytes))
        }
        10 => {
            let bytes = MAX_VALUE_BYTES / 2 + input.below(MAX_VALUE_BYTES / 2);
            Value::Text(long_value(input, bytes))
        }
        0 => Value::Text(input.pick(&TEXT_VALUES).to_owned()),
        1 => {
            let base = input.pick(&TEXT_VALUES);
            let at = usize::from(input.byte());
            Value::Text(insert_mark(base, VALUE_MARK, at))
        }
        2 => Value::Text(input.text(160)),
        3 => Value::Number(f64::from(input.i32())),
        4 => Value::Number(input.f64()),
        5 => Value::Number(input.pick(&NUMBERS)),
        6 => Value::Text(input.i32().to_string()),
        7 => Value::WrongType(input.pick(&TYPE_NAMES)),
        _ => Value::IllFormedText,
    }
}

/// One call: the settings as text where a caller gives text, then the action and its parameters.
struct Case {
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    method: Option<String>,
    algorithm: Option<String>,
    timestamp: Result<Timestamp, Error>,
    timestamp_text: String,
    nonce: Result<Nonce, Error>,
    nonce_text: String,
    action_name: String,
    params: RawParams,
}

impl Case {
    fn read(input: &mut Bytes<'_>) -> Self {
        let access_key_id = match input.below(4) {
            0 => "LTAIfuzzid".to_owned(),
            1 => input.text(64),
            2 => String::new(),
            _ => "k".repeat(256 + input.below(2)),
        };
        let mut secret = match input.below(4) {
            0 => "testsecret".to_owned(),
            1 => input.text(64),
            2 => String::new(),
            _ => "s".repeat(1023 + input.below(3)),
        };
        if input.flag() {
            secret = insert_mark(&secret, SECRET_MARK, usize::from(input.byte()));
        }
        let token = match input.below(4) {
            0 => None,
            1 => Some(String::new()),
            2 => Some(input.text(64)),
            _ => Some("CAIS-token".to_owned()),
        };
        let region = match input.below(3) {
            0 => None,
            1 => Some("cn-beijing".to_owned()),
            _ => Some(input.text(24)),
        };
        let endpoint = match input.below(4) {
            0 => None,
            1 => Some("https://live.aliyuncs.com".to_owned()),
            2 => Some("http://127.0.0.1:8080/proxy/".to_owned()),
            _ => Some(input.text(48)),
        };
        let method = match input.below(4) {
            0 => None,
            1 => Some("GET".to_owned()),
            2 => Some("post".to_owned()),
            _ => Some(input.text(8)),
        };
        let algorithm = match input.below(4) {
            0 => None,
            1 => Some("v3".to_owned()),
            2 => Some("V1".to_owned()),
            _ => Some(input.text(4)),
        };
        let mut timestamp_text = String::new();
        let timestamp = match input.below(4) {
            0 => Timestamp::from_unix_millis(f64::from(input.i32()).abs() * 1000.0, "timestamp"),
            1 => Timestamp::from_unix_millis(input.f64(), "timestamp"),
            2 => {
                timestamp_text = input.text(32);
                Timestamp::parse(&timestamp_text, "timestamp")
            }
            _ => Timestamp::parse("2016-02-23T12:46:24.5Z", "timestamp"),
        };
        let mut nonce_text = String::new();
        let nonce = match input.below(3) {
            0 => Ok(Nonce::from_random_bytes(input.array())),
            1 => {
                nonce_text = input.text(140);
                Nonce::parse(nonce_text.clone(), "nonce")
            }
            _ => Nonce::parse("3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf".to_owned(), "nonce"),
        };
        let action_name = match input.below(4) {
            0 => "StartCasterScene".to_owned(),
            1 => "AddCasterVideoResource".to_owned(),
            2 => "startCasterScene".to_owned(),
            _ => input.text(32),
        };
        let names = field_names();
        let count = input.below(71);
        let mut params = RawParams::new();
        for _ in 0..count {
            let key = read_key(input, &names);
            params.push(key, read_value(input));
        }
        Self {
            access_key_id,
            secret,
            token,
            region,
            endpoint,
            method,
            algorithm,
            timestamp,
            timestamp_text,
            nonce,
            nonce_text,
            action_name,
            params,
        }
    }

    /// Every text the caller gave that is neither the secret nor a parameter's value.
    fn names(&self) -> Vec<&str> {
        let mut texts = vec![self.access_key_id.as_str(), &self.timestamp_text, &self.nonce_text, &self.action_name];
        texts.extend([&self.token, &self.region, &self.endpoint, &self.method, &self.algorithm].into_iter().flatten().map(String::as_str));
        texts.extend(self.params.entries.iter().map(|(key, _)| key.as_str()));
        texts
    }

    /// Every text the caller gave that is not the secret.
    fn public_texts(&self) -> Vec<&str> {
        let mut texts = self.names();
        texts.extend(self.params.entries.iter().filter_map(|(_, value)| match value {
            Value::Text(text) => Some(text.as_str()),
            _ => None,
        }));
        texts
    }
}

/// Whether `text` holds the secret's mark, raw or percent-encoded once or twice.
fn has_secret_mark(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.contains(SECRET_MARK) || upper.contains("F0%9F%94%91") || upper.contains("F0%259F%2594%2591")
}

/// What every output of one case is checked against.
struct Watch {
    /// The secret is marked and nothing public carries the mark: no output may.
    secret_marked: bool,
    /// Only values carry the value mark: no message may.
    values_marked: bool,
    /// The caller gave an empty key, so an error may name the field `""`.
    empty_key: bool,
}

impl Watch {
    fn error(&self, error: &Error, context: &str) {
        assert!(!error.code.is_empty(), "{context}: an error without a code: {error:?}");
        assert!(!error.message.is_empty(), "{context}: an error without a message: {error:?}");
        let Some(field) = error.field.as_deref() else { panic!("{context}: an error without a field: {error:?}") };
        assert!(
            !field.is_empty() || (self.empty_key && error.message.starts_with("\"\"")),
            "{context}: an empty field for something other than an empty key: {error:?}"
        );
        assert!(field.chars().count() <= 64 && !field.chars().any(char::is_control), "{context}: field {field:?}");
        if self.secret_marked {
            assert!(!has_secret_mark(&error.message) && !has_secret_mark(field), "{context}: the secret shows in an error");
        }
        if self.values_marked {
            assert!(!error.message.contains(VALUE_MARK), "{context}: a parameter's value shows in {error:?}");
        }
    }

    fn result<T>(&self, result: &Result<T, Error>, context: &str) {
        if let Err(error) = result {
            self.error(error, context);
        }
    }
}

pub fn check(data: &[u8]) {
    let case = Case::read(&mut Bytes::new(data));
    let public = case.public_texts();
    let watch = Watch {
        secret_marked: case.secret.contains(SECRET_MARK) && !public.iter().any(|text| has_secret_mark(text)),
        values_marked: !case.names().iter().any(|text| text.contains(VALUE_MARK)),
        empty_key: case.params.entries.iter().any(|(key, _)| key.is_empty()),
    };
    let other = other_secret(&case.secret);

    let credentials = Credentials::new(case.access_key_id.clone(), case.secret.clone(), case.token.clone());
    watch.result(&credentials, "credentials");
    let other_credentials = Credentials::new(case.access_key_id.clone(), other.clone(), case.token.clone());
    assert_eq!(
        credentials.as_ref().err(),
        other_credentials.as_ref().err(),
        "the credentials' error depends on the secret's content"
    );
    if let Ok(credentials) = &credentials {
        let shown = format!("{credentials:?}");
        assert!(!watch.secret_marked || !has_secret_mark(&shown), "Debug of the credentials shows the secret");
    }
    let region = case.region.as_deref().map(config::region_id).transpose();
    watch.result(&region, "regionId");
    let endpoint = case.endpoint.as_deref().map(Endpoint::parse).transpose();
    watch.result(&endpoint, "endpoint");
    if let Ok(Some(endpoint)) = &endpoint {
        let base = endpoint.as_str();
        assert!(base.starts_with(case.endpoint.as_deref().unwrap_or_default()), "the endpoint changed: {base}");
        assert!(!base.contains(['?', '#']), "an endpoint with a query or fragment: {base}");
    }
    let method = case.method.as_deref().map(Method::parse).transpose();
    watch.result(&method, "method");
    let algorithm = case.algorithm.as_deref().map(SignatureAlgorithm::parse).transpose();
    watch.result(&algorithm, "signatureAlgorithm");
    watch.result(&case.timestamp, "timestamp");
    if let Ok(timestamp) = case.timestamp {
        let text = timestamp.to_string();
        assert_eq!(Timestamp::parse(&text, "t").ok(), Some(timestamp), "{text} does not read back");
    }
    watch.result(&case.nonce, "nonce");
    let action = Action::from_name(&case.action_name);
    watch.result(&action, "action");

    let Ok(action) = action else { return };
    let valid = validate(action, &case.params);
    match &valid {
        Ok(valid) => check_valid(action, &case.params, valid),
        Err(errors) => {
            assert!(!errors.is_empty(), "validation failed without saying why");
            for error in errors {
                watch.error(error, "validate");
            }
            check_long_refused(action, &case.params, errors);
        }
    }

    let (Ok(valid), Ok(credentials), Ok(region), Ok(endpoint), Ok(method), Ok(algorithm), Ok(timestamp), Ok(nonce)) =
        (valid, credentials, region, endpoint, method, algorithm, case.timestamp, &case.nonce)
    else {
        return;
    };
    let mut config = RequestConfig::new(credentials);
    if let Some(region) = region {
        config.region_id = region;
    }
    if let Some(endpoint) = endpoint {
        config.endpoint = endpoint;
    }
    if let Some(method) = method {
        config.method = method;
    }
    if let Some(algorithm) = algorithm {
        config.algorithm = algorithm;
    }
    let signed = match sign_operation(&valid, &config, timestamp, nonce) {
        Ok(signed) => signed,
        Err(error) => panic!("a validated operation failed to sign: {error:?}"),
    };
    if watch.secret_marked {
        assert!(!has_secret_mark(&format!("{config:?}")), "Debug of the request settings shows the secret");
    }
    let signing = Signing { valid: &valid, config: &config, timestamp, nonce, secret: &case.secret, other: &other };
    check_signed(&signed, &signing, &watch);
}

/// Validation kept every value given, under the API's name, and the required fields are there.
/// The bytes of names and values that count towards `MAX_PARAMS_BYTES` (each within its own limit).
fn counted_bytes(params: &RawParams) -> usize {
    let within = |bytes: usize| if bytes > MAX_VALUE_BYTES { 0 } else { bytes };
    params
        .entries
        .iter()
        .map(|(key, value)| within(key.len()) + if let Value::Text(text) = value { within(text.len()) } else { 0 })
        .sum()
}

/// A refusal reports every value over `MAX_VALUE_BYTES` under a field of the action, or the
/// whole params when they are over `MAX_PARAMS_BYTES`; messages name the limit.
fn check_long_refused(action: Action, params: &RawParams, errors: &[Error]) {
    if counted_bytes(params) > MAX_PARAMS_BYTES {
        assert!(errors.iter().any(|e| e.field.as_deref() == Some("params") && e.message.contains("65,536")), "{errors:?}");
        return;
    }
    if params.entries.len() > aliyun_caster::operations::fields::MAX_KEYS {
        return;
    }
    for (index, (key, value)) in params.entries.iter().enumerate() {
        let Value::Text(text) = value else { continue };
        let Some(spec) = action.fields().iter().find(|spec| spec.matches(key)) else { continue };
        // A field's second spelling is refused as given twice, whatever its length.
        let first = params.entries.iter().position(|(k, _)| spec.matches(k)) == Some(index);
        if text.len() > MAX_VALUE_BYTES && first {
            assert!(
                errors.iter().any(|e| e.field.as_deref() == Some(spec.name) && e.message.contains("16,384")),
                "{} of {} bytes is not refused for its length: {errors:?}",
                spec.name,
                text.len()
            );
        }
    }
}

fn check_valid(action: Action, params: &RawParams, valid: &ValidParams) {
    assert_eq!(valid.action, action);
    assert!(counted_bytes(params) <= MAX_PARAMS_BYTES, "params over the limit for one request validated");
    assert!(valid.values.iter().all(|(_, value)| value.len() <= MAX_VALUE_BYTES), "a value over the limit validated");
    assert_eq!(valid.values.len(), params.entries.len(), "validation dropped or added a parameter");
    for (key, value) in &params.entries {
        let Some(spec) = action.fields().iter().find(|spec| spec.matches(key)) else {
            panic!("{key:?} is not a parameter of {} but validated", action.name())
        };
        let wire = match (spec.ty, value) {
            (FieldType::Text, Value::Text(text)) => text.clone(),
            (FieldType::Integer, Value::Number(n)) => {
                let whole = n.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(n);
                assert!(whole, "{} took {n}", spec.name);
                (*n as i64).to_string()
            }
            (FieldType::Integer, Value::Text(text)) => text.parse::<i32>().unwrap().to_string(),
            (ty, value) => panic!("{} ({ty:?}) took {value:?}", spec.name),
        };
        assert_eq!(valid.get(spec.name), Some(wire.as_str()), "{} was not kept as given", spec.name);
    }
    let required: &[&str] = match action.name() {
        "StartCasterScene" => &["CasterId", "SceneId"],
        "AddCasterVideoResource" => &["CasterId", "ResourceName", "LocationId"],
        other => panic!("no list of required fields for {other}"),
    };
    for name in required {
        assert!(valid.get(name).is_some(), "{name} is required but validation passed without it");
    }
    if action == Action::AddCasterVideoResource {
        let sources = ["LiveStreamUrl", "MaterialId", "VodUrl", "ImageId", "ImageUrl"];
        assert_eq!(sources.iter().filter(|name| valid.get(name).is_some()).count(), 1, "not exactly one source");
    }
}

fn sorted(mut params: Vec<(String, String)>) -> Vec<(String, String)> {
    params.sort();
    params
}

fn without_signature(params: &[(String, String)]) -> Vec<(String, String)> {
    params.iter().filter(|(key, _)| key != "Signature").cloned().collect()
}

/// One signed request and what it was signed from.
struct Signing<'a> {
    valid: &'a ValidParams,
    config: &'a RequestConfig,
    timestamp: Timestamp,
    nonce: &'a Nonce,
    secret: &'a str,
    /// A secret of the same form that differs from `secret` unless it has no letter, digit or mark.
    other: &'a str,
}

impl Signing<'_> {
    /// The parameters the request must carry besides `Signature`.
    fn expected_params(&self, timestamp_text: &str) -> Vec<(String, String)> {
        let credentials = &self.config.credentials;
        let valid = self.valid;
        let region = valid.get("RegionId").unwrap_or(&self.config.region_id);
        let mut expected: Vec<(&str, &str)> = Vec::new();
        if self.config.algorithm == SignatureAlgorithm::HmacSha1V1 {
            expected.extend([
                ("Action", valid.action.name()),
                ("Version", "2016-11-01"),
                ("Format", "JSON"),
                ("AccessKeyId", credentials.access_key_id()),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureVersion", "1.0"),
                ("SignatureNonce", self.nonce.as_str()),
                ("Timestamp", timestamp_text),
            ]);
            expected.extend(credentials.security_token().map(|token| ("SecurityToken", token)));
        }
        expected.push(("RegionId", region));
        expected.extend(valid.values.iter().filter(|(key, _)| key != "RegionId").map(|(key, value)| (key.as_ref(), value.as_str())));
        expected.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    }
}

fn check_signed(signed: &SignedRequest, signing: &Signing<'_>, watch: &Watch) {
    let config = signing.config;
    let method = config.method.as_str();
    assert_eq!(signed.method, config.method);
    let timestamp_text = signing.timestamp.to_string();
    let v1 = config.algorithm == SignatureAlgorithm::HmacSha1V1;

    // The request as a server reads it.
    let (query, body) = if v1 {
        let wire = format!("{}&Signature={}", signed.canonical_query, ref_enc(&signed.signature));
        match config.method {
            Method::Get => {
                assert_eq!(signed.url, format!("{}?{wire}", config.endpoint.as_str()), "the GET URL");
                assert!(signed.body.is_none() && signed.headers.is_empty(), "a GET with a body or headers");
                (wire, String::new())
            }
            Method::Post => {
                assert_eq!(signed.url, config.endpoint.as_str(), "the POST URL");
                assert_eq!(signed.body.as_deref(), Some(wire.as_str()), "the POST body");
                assert_eq!(signed.headers, vec![("content-type", FORM_CONTENT_TYPE.to_owned())]);
                (String::new(), wire)
            }
        }
    } else {
        assert_eq!(signed.url, format!("{}?{}", config.endpoint.as_str(), signed.canonical_query), "the V3 URL");
        assert!(signed.body.is_none(), "a V3 request with a body");
        (signed.canonical_query.clone(), String::new())
    };
    let params = match parse_params(&query, &body) {
        Ok(params) => params,
        Err(error) => panic!("a signed request does not parse back: {error:?}"),
    };
    assert_eq!(sorted(params.clone()), sorted(signed.params.clone()), "the request does not carry what was signed");
    assert_eq!(
        sorted(without_signature(&params)),
        sorted(signing.expected_params(&timestamp_text)),
        "the request does not carry the parameters given, and only those"
    );
    let canonical = ref_canonical(&params);
    assert_eq!(signed.canonical_query, canonical, "canonical query differs from the reference");

    if v1 {
        let last = signed.params.last().map(|(k, v)| (k.as_str(), v.as_str()));
        assert_eq!(last, Some(("Signature", signed.signature.as_str())));
        assert_eq!(signed.string_to_sign, ref_string_to_sign(method, &canonical), "string to sign differs from the reference");
        assert_eq!(signed.signature, ref_signature(method, &canonical, signing.secret), "signature differs from the reference");
        match verify_v1(method, &params, signing.secret) {
            Ok(verification) => {
                assert!(verification.valid, "our own signature does not verify");
                assert_eq!(verification.string_to_sign, signed.string_to_sign);
            }
            Err(error) => panic!("verify_v1 failed: {error:?}"),
        }
        if signing.other != signing.secret {
            let verification = verify_v1(method, &params, signing.other);
            assert!(!verification.map(|v| v.valid).unwrap_or(false), "another secret verifies the signature");
        }
    } else {
        let credentials = &config.credentials;
        let host = config.endpoint.host();
        assert!(!host.is_empty() && !host.chars().any(|c| c.is_ascii_uppercase()), "the host header {host:?}");
        let request = RefV3 {
            method,
            host,
            action: signing.valid.action.name(),
            version: "2016-11-01",
            date: &timestamp_text,
            nonce: signing.nonce.as_str(),
            security_token: credentials.security_token(),
            access_key_id: credentials.access_key_id(),
        };
        let reference = ref_v3(&request, &canonical, signing.secret);
        assert_eq!(signed.canonical_request.as_deref(), Some(reference.canonical_request.as_str()), "V3 canonical request");
        assert_eq!(signed.string_to_sign, reference.string_to_sign, "V3 string to sign");
        assert_eq!(signed.signature, reference.signature, "V3 signature");
        let header = |name: &str| signed.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str());
        assert_eq!(header("x-acs-action"), Some(request.action));
        assert_eq!(header("x-acs-date"), Some(request.date));
        assert_eq!(header("x-acs-signature-nonce"), Some(request.nonce));
        assert_eq!(header("x-acs-security-token"), request.security_token);
        assert_eq!(signed.headers.last().map(|(n, v)| (*n, v.as_str())), Some(("authorization", reference.authorization.as_str())));
        if signing.other != signing.secret {
            let other = ref_v3(&request, &canonical, signing.other);
            assert_ne!(signed.signature, other.signature, "another secret gives the same V3 signature");
        }
    }

    // Only the signature may depend on the secret.
    let credentials = &config.credentials;
    let Ok(other_credentials) = Credentials::new(
        credentials.access_key_id().to_owned(),
        signing.other.to_owned(),
        credentials.security_token().map(str::to_owned),
    ) else {
        panic!("a secret of the same form as a valid one was refused")
    };
    let other_config = RequestConfig { credentials: other_credentials, ..config.clone() };
    let Ok(again) = sign_operation(signing.valid, &other_config, signing.timestamp, signing.nonce) else {
        panic!("signing failed")
    };
    assert_eq!(again.canonical_query, signed.canonical_query, "the canonical query depends on the secret");
    assert_eq!(again.canonical_request, signed.canonical_request, "the canonical request depends on the secret");
    assert_eq!(again.string_to_sign, signed.string_to_sign, "the string to sign depends on the secret");
    assert_eq!(without_signature(&again.params), without_signature(&signed.params));
    let unsigned_headers = |request: &SignedRequest| {
        request.headers.iter().filter(|(name, _)| *name != "authorization").cloned().collect::<Vec<_>>()
    };
    assert_eq!(unsigned_headers(&again), unsigned_headers(signed), "a header other than authorization depends on the secret");
    assert_eq!(again.method, signed.method);
    assert_eq!(again.signature == signed.signature, signing.other == signing.secret, "the signature ignores the secret");

    if watch.secret_marked {
        let texts = [&signed.url, &signed.canonical_query, &signed.string_to_sign, &signed.signature];
        let optional = signed.body.iter().chain(signed.canonical_request.iter());
        let pairs = signed.params.iter().flat_map(|(key, value)| [key, value]);
        let headers = signed.headers.iter().map(|(_, value)| value);
        let mut all = texts.into_iter().chain(optional).chain(pairs).chain(headers);
        assert!(!all.any(|text| has_secret_mark(text)), "the secret shows in the request");
        assert!(!has_secret_mark(&format!("{signed:?}")), "Debug of the signed request shows the secret");
    }
}
