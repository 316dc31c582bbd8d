#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the core. The expected values are computed by small reference implementations
//! written here from the contract's rules (percent-encoding, canonical order, string to sign, civil
//! dates), never by the crate's own functions.

use aliyun_caster::encoding::{percent_decode, percent_encode, Plus};
use aliyun_caster::signing::canonical::canonical_query;
use aliyun_caster::signing::v1;
use aliyun_caster::{
    sign_operation, validate, Action, Credentials, Endpoint, ErrorKind, Method, Nonce, RawParams, RequestConfig,
    Timestamp, ValidParams, Value,
};
use proptest::prelude::*;
use proptest::sample::{select, Index};

// ---------------------------------------------------------------------------------------------
// Reference implementations (from contract section 1)
// ---------------------------------------------------------------------------------------------

#[path = "support/reference.rs"]
mod reference;
use reference::{ref_canonical, ref_enc, ref_signature};

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `YYYY-MM-DDThh:mm:ssZ` by counting years and months one at a time.
fn ref_format(secs: i64) -> String {
    let mut days = secs / 86_400;
    let rem = secs % 86_400;
    let mut year = 1970;
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let month_lengths = [31, if is_leap(year) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 1;
    for len in month_lengths {
        if days < len {
            break;
        }
        days -= len;
        month += 1;
    }
    format!("{year:04}-{month:02}-{:02}T{:02}:{:02}:{:02}Z", days + 1, rem / 3600, rem % 3600 / 60, rem % 60)
}

const MAX_SECS: i64 = 253_402_300_799;

#[test]
fn reference_formatter_agrees_with_known_instants() {
    // `date -u -d @1456231584 +%Y-%m-%dT%H:%M:%SZ` → 2016-02-23T12:46:24Z, and so on.
    assert_eq!(ref_format(0), "1970-01-01T00:00:00Z");
    assert_eq!(ref_format(1_456_231_584), "2016-02-23T12:46:24Z");
    assert_eq!(ref_format(951_868_799), "2000-02-29T23:59:59Z");
    assert_eq!(ref_format(MAX_SECS), "9999-12-31T23:59:59Z");
    assert_eq!(ref_enc("a b*~é"), "a%20b%2A~%C3%A9");
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Any Unicode text, controls included, sometimes ASCII-heavy so that sort ties and near ties occur.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..12).prop_map(|c| c.into_iter().collect()),
        "[a-cA-C0-9*~_. %+&=/-]{0,6}",
        "\\PC{0,8}",
    ]
}

fn pascal_and_camel() -> Vec<String> {
    let mut names = Vec::new();
    for action in Action::ALL {
        for spec in action.fields() {
            names.push(spec.name.to_owned());
            names.push(key(spec.name, true));
        }
    }
    names.extend(["CasterID", "casterid", "", "Signature", "Action", "vodURL"].map(str::to_owned));
    names
}

fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(pascal_and_camel()), 1 => text()]
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::Text),
        "-?[0-9]{0,25}(\\.[0-9]{1,3})?(e[0-9]{1,3})?".prop_map(Value::Text),
        "(rtmp|RTMP|http|https|ftp|srt|artc)://[^ ]{0,30}".prop_map(Value::Text),
        "RV[0-9]{0,3}".prop_map(Value::Text),
        any::<f64>().prop_map(Value::Number),
        (-3e9f64..3e9).prop_map(Value::Number),
        any::<i64>().prop_map(|n| Value::Number(n as f64)),
        (-5000i32..6000).prop_map(|n| Value::Number(f64::from(n))),
        select(vec![f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN, 2_147_483_648.0, -2_147_483_649.0, -0.0, 0.5, 1e308])
            .prop_map(Value::Number),
        Just(Value::IllFormedText),
        select(vec!["boolean", "object", "array", "bigint", "symbol", "function"]).prop_map(Value::WrongType),
    ]
}

fn any_raw_params() -> impl Strategy<Value = RawParams> {
    let entries = prop_oneof![
        10 => prop::collection::vec((any_key(), any_value()), 0..10),
        1 => prop::collection::vec((any_key(), any_value()), 60..70),
    ];
    entries.prop_map(|entries| RawParams { entries })
}

fn any_action() -> impl Strategy<Value = Action> {
    select(Action::ALL.to_vec())
}

/// An ID the contract accepts: no whitespace or control characters, 1 to 128 bytes.
fn valid_id() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9-]{1,40}", "[^\\s\\p{Cc}]{1,32}"]
}

fn key(name: &str, camel: bool) -> String {
    if camel {
        let mut out = name.to_owned();
        if let Some(first) = out.get_mut(..1) {
            first.make_ascii_lowercase();
        }
        out
    } else {
        name.to_owned()
    }
}

/// An integer as a JS number or as a decimal string with leading zeros.
fn int_value(n: i32, as_text: bool, zeros: usize) -> Value {
    if as_text {
        let digits = n.unsigned_abs().to_string();
        Value::Text(format!("{}{}{digits}", if n < 0 { "-" } else { "" }, "0".repeat(zeros)))
    } else {
        Value::Number(f64::from(n))
    }
}

fn region() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,15}[a-z0-9]"
}

fn host() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,12}(\\.[a-z]{2,6}){0,2}(:[0-9]{1,4})?"
}

fn url_path() -> impl Strategy<Value = String> {
    "(/[A-Za-z0-9_~%-]{1,10}){0,3}/[A-Za-z0-9_-]{1,10}"
}

fn url_query() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "\\?[A-Za-z0-9=&_.%-]{0,24}"]
}

/// A source the contract accepts: (API name, value, is a file).
fn valid_source() -> impl Strategy<Value = (&'static str, String, bool)> {
    prop_oneof![
        (select(vec!["rtmp", "RTMP", "rtmps", "http", "https", "Https", "artc", "srt", "SRT"]), host(), url_path(), url_query())
            .prop_map(|(s, h, p, q)| ("LiveStreamUrl", format!("{s}://{h}{p}{q}"), false)),
        valid_id().prop_map(|id| ("MaterialId", id, true)),
        (select(vec!["http", "https", "HTTP"]), host(), url_path(), select(vec![".mp4", ".MP4", ".flv", ".Flv", ".ts", ".TS"]), url_query())
            .prop_map(|(s, h, p, e, q)| ("VodUrl", format!("{s}://{h}{p}{e}{q}"), true)),
        valid_id().prop_map(|id| ("ImageId", id, false)),
        (select(vec!["http", "https"]), host(), url_path(), select(vec![".jpg", ".jpeg", ".png", ".JPG", ".Png"]), url_query())
            .prop_map(|(s, h, p, e, q)| ("ImageUrl", format!("{s}://{h}{p}{e}{q}"), false)),
    ]
}

/// Valid parameters for either operation, with the wire values the contract expects for them.
#[derive(Clone, Debug)]
struct Valid {
    action: Action,
    raw: RawParams,
    wire: Vec<(&'static str, String)>,
}

fn valid_start() -> impl Strategy<Value = Valid> {
    (valid_id(), valid_id(), prop::option::of(region()), any::<[bool; 3]>()).prop_map(|(caster, scene, region, camel)| {
        let mut raw = RawParams::new().with(&key("CasterId", camel[0]), caster.as_str()).with(&key("SceneId", camel[1]), scene.as_str());
        let mut wire = vec![("CasterId", caster), ("SceneId", scene)];
        if let Some(region) = region {
            raw = raw.with(&key("RegionId", camel[2]), region.as_str());
            wire.push(("RegionId", region));
        }
        Valid { action: Action::StartCasterScene, raw, wire }
    })
}

#[derive(Clone, Debug)]
struct Ints {
    begin: Option<i32>,
    end: Option<i32>,
    repeat: Option<i32>,
    pts: Option<i32>,
    delay: Option<i32>,
}

fn ints() -> impl Strategy<Value = Ints> {
    let begin = prop::option::of(prop_oneof![0..=10_000i32, 0..=i32::MAX]);
    (begin, prop::option::of(any::<i32>()), prop::option::of(-1..=i32::MAX), prop::option::of(0..=i32::MAX), prop::option::of(0..=5000i32))
        .prop_map(|(begin, end, repeat, pts, delay)| {
            // A positive EndOffset must be after BeginOffset.
            let floor = begin.unwrap_or(0);
            let end = end.map(|e| if e > 0 && e <= floor { if floor == i32::MAX { -1 } else { floor + 1 } } else { e });
            Ints { begin, end, repeat, pts, delay }
        })
}

fn valid_add() -> impl Strategy<Value = Valid> {
    (
        valid_id(),
        "[^\\p{Cc}]{1,24}",
        1..=99u8,
        valid_source(),
        ints(),
        prop::option::of(region()),
        any::<[bool; 12]>(),
        any::<[bool; 5]>(),
        0..3usize,
    )
        .prop_map(|(caster, name, location, (source, url, is_file), ints, region, camel, as_text, zeros)| {
            let location = format!("RV{location:02}");
            let mut raw = RawParams::new()
                .with(&key("CasterId", camel[0]), caster.as_str())
                .with(&key("ResourceName", camel[1]), name.as_str())
                .with(&key("LocationId", camel[2]), location.as_str())
                .with(&key(source, camel[3]), url.as_str());
            let mut wire = vec![("CasterId", caster), ("ResourceName", name), ("LocationId", location), (source, url)];
            let mut int = |name: &'static str, n: Option<i32>, i: usize| {
                if let Some(n) = n {
                    raw.push(key(name, camel[4 + i]), int_value(n, as_text[i], zeros));
                    wire.push((name, n.to_string()));
                }
            };
            if is_file {
                int("BeginOffset", ints.begin, 0);
                int("EndOffset", ints.end, 1);
                int("RepeatNum", ints.repeat, 2);
            }
            int("PtsCallbackInterval", ints.pts, 3);
            int("FixedDelayDuration", ints.delay, 4);
            if let Some(region) = region {
                raw.push(key("RegionId", camel[11]), Value::Text(region.clone()));
                wire.push(("RegionId", region));
            }
            Valid { action: Action::AddCasterVideoResource, raw, wire }
        })
}

fn valid_params() -> impl Strategy<Value = Valid> {
    prop_oneof![valid_start(), valid_add()]
}

#[derive(Clone, Debug)]
struct Setup {
    key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    method: Method,
    endpoint: Option<String>,
    secs: i64,
    nonce: String,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop_oneof!["LTAI[A-Za-z0-9]{12,20}", "[^\\s\\p{Cc}]{1,40}"],
        prop_oneof!["[A-Za-z0-9]{30}", "[^\\p{Cc}]{1,40}"],
        prop::option::of(prop_oneof!["STS\\.[A-Za-z0-9+/=]{10,60}", "[^\\s\\p{Cc}]{1,40}"]),
        region(),
        select(vec![Method::Post, Method::Get]),
        prop::option::of(select(vec!["http://127.0.0.1:8080", "https://live.aliyuncs.com", "http://localhost/proxy/"])),
        0..=MAX_SECS,
        prop_oneof!["[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", "[^\\s\\p{Cc}]{1,30}"],
    )
        .prop_map(|(key_id, secret, token, region, method, endpoint, secs, nonce)| Setup {
            key_id,
            secret,
            token,
            region,
            method,
            endpoint: endpoint.map(str::to_owned),
            secs,
            nonce,
        })
}

impl Setup {
    fn config(&self) -> RequestConfig {
        let credentials = Credentials::new(self.key_id.clone(), self.secret.clone(), self.token.clone()).expect("credentials");
        let mut config = RequestConfig::new(credentials);
        config.region_id = self.region.clone();
        config.method = self.method;
        if let Some(endpoint) = &self.endpoint {
            config.endpoint = Endpoint::parse(endpoint).expect("endpoint");
        }
        config
    }

    fn timestamp(&self) -> Timestamp {
        Timestamp::parse(&ref_format(self.secs), "timestamp").expect("timestamp")
    }

    fn nonce(&self) -> Nonce {
        Nonce::parse(self.nonce.clone(), "nonce").expect("nonce")
    }

    /// Every parameter the contract says a request carries, besides Signature.
    fn expected_params(&self, valid: &ValidParams) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = [
            ("Action", valid.action.name().to_owned()),
            ("Version", "2016-11-01".to_owned()),
            ("Format", "JSON".to_owned()),
            ("AccessKeyId", self.key_id.clone()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureVersion", "1.0".to_owned()),
            ("SignatureNonce", self.nonce.clone()),
            ("Timestamp", ref_format(self.secs)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(token) = self.token.as_ref().filter(|t| !t.is_empty()) {
            all.push(("SecurityToken".to_owned(), token.clone()));
        }
        if valid.get("RegionId").is_none() {
            all.push(("RegionId".to_owned(), self.region.clone()));
        }
        all.extend(valid.values.iter().map(|(k, v)| (k.to_string(), v.clone())));
        all
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn canonical_query_is_sorted_and_complete(params in prop::collection::vec((text(), text()), 0..10), with_signature in any::<bool>()) {
        let mut input: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "Signature").collect();
        let kept = input.clone();
        if with_signature {
            input.push(("Signature".to_owned(), "stale=".to_owned()));
        }
        // Only the query: the second item of the result is an implementation detail.
        let query = canonical_query(&input).0;
        // Encoded keys and values hold no `&` or `=`, so the query splits back into its pairs.
        let split: Vec<(String, String)> = if query.is_empty() {
            Vec::new()
        } else {
            query.split('&').map(|pair| {
                let (k, v) = pair.split_once('=').expect("k=v");
                (k.to_owned(), v.to_owned())
            }).collect()
        };
        for window in split.windows(2) {
            prop_assert!(window[0].0.as_bytes() <= window[1].0.as_bytes(), "not sorted: {:?}", window);
        }
        // Each given pair exactly once, encoded by the contract's rule.
        let mut got = split.clone();
        let mut want: Vec<(String, String)> = kept.iter().map(|(k, v)| (ref_enc(k), ref_enc(v))).collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
        // With distinct keys the order is fully determined.
        let mut keys: Vec<&String> = kept.iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        if keys.len() == kept.len() {
            prop_assert_eq!(query, ref_canonical(&kept));
        }
    }

    #[test]
    fn percent_encoding_round_trips(s in text()) {
        let encoded = percent_encode(&s);
        prop_assert_eq!(&encoded, &ref_enc(&s));
        let bytes = encoded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                prop_assert!(i + 2 < bytes.len(), "truncated escape");
                let hex = &bytes[i + 1..i + 3];
                prop_assert!(hex.iter().all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)), "escape {:?}", hex);
                i += 3;
            } else {
                prop_assert!(b.is_ascii_alphanumeric() || b"-_.~".contains(&b), "byte {:#x} left as is", b);
                i += 1;
            }
        }
        prop_assert_eq!(percent_decode(&encoded, Plus::Literal), Some(s.clone()));
        // The encoding never writes `+`, so reading it as a form body gives the same text.
        prop_assert_eq!(percent_decode(&encoded, Plus::Space), Some(s));
    }

    #[test]
    fn percent_decode_never_panics(s in "[%0-9a-fA-FxzZ+ ]{0,12}|\\PC{0,8}") {
        let literal = percent_decode(&s, Plus::Literal);
        let _ = percent_decode(&s, Plus::Space);
        if let Some(decoded) = literal {
            // Anything that decodes, encodes back to something that decodes to the same.
            prop_assert_eq!(percent_decode(&ref_enc(&decoded), Plus::Literal), Some(decoded));
        }
    }

    #[test]
    fn timestamps_round_trip(secs in 0..=MAX_SECS, millis in 0..1000i64) {
        let text = ref_format(secs);
        let ts = Timestamp::from_unix_secs(secs).expect("in range");
        prop_assert_eq!(ts.to_string(), text.clone());
        prop_assert_eq!(ts.unix_secs(), secs);
        let parsed = Timestamp::parse(&text, "timestamp").expect("parses");
        prop_assert_eq!(parsed.unix_secs(), secs);
        // Milliseconds are dropped, both in text and from a JS clock.
        let with_millis = format!("{}.{millis:03}Z", &text[..19]);
        prop_assert_eq!(Timestamp::parse(&with_millis, "timestamp").map(Timestamp::unix_secs), Ok(secs));
        let from_clock = Timestamp::from_unix_millis((secs * 1000 + millis) as f64, "timestamp").expect("in range");
        prop_assert_eq!(from_clock.unix_secs(), secs);
    }

    #[test]
    fn timestamps_out_of_range_are_refused(secs in prop_oneof![i64::MIN..0, (MAX_SECS + 1)..=i64::MAX]) {
        prop_assert!(Timestamp::from_unix_secs(secs).is_none());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics(action in any_action(), params in any_raw_params()) {
        match validate(action, &params) {
            Ok(valid) => {
                prop_assert_eq!(valid.action, action);
                // Only the operation's own fields, each at most once.
                for (i, (name, _)) in valid.values.iter().enumerate() {
                    prop_assert!(action.fields().iter().any(|s| s.name == *name), "{} is no field", name);
                    prop_assert!(valid.values[..i].iter().all(|(n, _)| n != name), "{} twice", name);
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for error in &errors {
                    prop_assert_eq!(error.kind, ErrorKind::Validation);
                    prop_assert!(error.field.is_some(), "{:?}", error);
                    prop_assert!(!error.message.is_empty());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn valid_inputs_validate_to_their_wire_values(valid in valid_params()) {
        let got = validate(valid.action, &valid.raw);
        prop_assert!(got.is_ok(), "{:?} → {:?}", valid.raw, got);
        let got = got.expect("checked");
        let mut got_values: Vec<(&str, String)> = got.values.iter().map(|(k, v)| (k.as_ref(), v.clone())).collect();
        let mut want = valid.wire.clone();
        got_values.sort();
        want.sort();
        prop_assert_eq!(got_values, want);
    }

    #[test]
    fn sign_operation_matches_the_reference(valid in valid_params(), setup in setup()) {
        let params = validate(valid.action, &valid.raw).expect("generated valid");
        let config = setup.config();
        let signed = sign_operation(&params, &config, setup.timestamp(), &setup.nonce()).expect("signs");

        prop_assert_eq!(signed.signature.len(), 28);
        prop_assert!(signed.signature.ends_with('='));
        prop_assert!(signed.signature[..27].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));

        let expected = setup.expected_params(&params);
        let canonical = ref_canonical(&expected);
        prop_assert_eq!(&signed.canonical_query, &canonical);
        let method = match setup.method { Method::Post => "POST", Method::Get => "GET" };
        prop_assert_eq!(&signed.string_to_sign, &format!("{method}&%2F&{}", ref_enc(&canonical)));
        prop_assert_eq!(&signed.signature, &ref_signature(method, &canonical, &setup.secret));

        let wire = format!("{canonical}&Signature={}", ref_enc(&signed.signature));
        let endpoint = match setup.endpoint.as_deref() {
            None => "https://live.aliyuncs.com/".to_owned(),
            Some(e) if e.ends_with('/') => e.to_owned(),
            Some(e) => format!("{e}/"),
        };
        match setup.method {
            Method::Post => {
                prop_assert_eq!(signed.body.as_deref(), Some(wire.as_str()));
                prop_assert_eq!(&signed.url, &endpoint);
                prop_assert_eq!(&signed.headers, &vec![("content-type", "application/x-www-form-urlencoded".to_owned())]);
            }
            Method::Get => {
                prop_assert_eq!(signed.body, None);
                prop_assert_eq!(&signed.url, &format!("{endpoint}?{wire}"));
                prop_assert!(signed.headers.is_empty());
            }
        }
        // The decoded parameters: every expected one, then Signature.
        let mut got: Vec<(String, String)> = signed.params.clone();
        prop_assert_eq!(got.pop(), Some(("Signature".to_owned(), signed.signature.clone())));
        let mut want = expected;
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn signing_is_deterministic_and_sensitive(valid in valid_params(), setup in setup(), pick in any::<Index>(), suffix in "[a-z0-9~]{1,3}") {
        let params = validate(valid.action, &valid.raw).expect("generated valid");
        let config = setup.config();
        let ts = setup.timestamp();
        let nonce = setup.nonce();
        let first = sign_operation(&params, &config, ts, &nonce).expect("signs");
        let again = sign_operation(&params, &config.clone(), ts, &nonce.clone()).expect("signs");
        prop_assert_eq!(&first, &again);

        // Any one operation value changed.
        let mut changed = params.clone();
        let i = pick.index(changed.values.len());
        changed.values[i].1.push_str(&suffix);
        let other = sign_operation(&changed, &config, ts, &nonce).expect("signs");
        prop_assert_ne!(&other.signature, &first.signature, "changing {} did not change the signature", changed.values[i].0);

        // Each common input changed.
        let later = Timestamp::from_unix_secs(if setup.secs == MAX_SECS { setup.secs - 1 } else { setup.secs + 1 }).expect("in range");
        prop_assert_ne!(&sign_operation(&params, &config, later, &nonce).expect("signs").signature, &first.signature);
        // At most 30 characters (120 bytes) or a 36-byte UUID, so 3 more bytes still fit in 128.
        let other_nonce = Nonce::parse(format!("{}{suffix}", setup.nonce), "nonce").expect("nonce");
        prop_assert_ne!(&sign_operation(&params, &config, ts, &other_nonce).expect("signs").signature, &first.signature);
        let mut s2 = setup.clone();
        s2.key_id.push_str(&suffix);
        prop_assert_ne!(&sign_operation(&params, &s2.config(), ts, &nonce).expect("signs").signature, &first.signature);
        let mut s3 = setup.clone();
        s3.secret.push_str(&suffix);
        prop_assert_ne!(&sign_operation(&params, &s3.config(), ts, &nonce).expect("signs").signature, &first.signature);
        let mut s4 = setup.clone();
        s4.token = Some(format!("{}{suffix}", setup.token.clone().unwrap_or_default()));
        prop_assert_ne!(&sign_operation(&params, &s4.config(), ts, &nonce).expect("signs").signature, &first.signature);
        let mut s5 = setup.clone();
        s5.method = match setup.method { Method::Post => Method::Get, Method::Get => Method::Post };
        prop_assert_ne!(&sign_operation(&params, &s5.config(), ts, &nonce).expect("signs").signature, &first.signature);
        if params.get("RegionId").is_none() {
            let mut s6 = setup.clone();
            s6.region.push_str(&suffix);
            prop_assert_ne!(&sign_operation(&params, &s6.config(), ts, &nonce).expect("signs").signature, &first.signature);
        }
    }

    #[test]
    fn generic_signer_changes_with_any_value(
        params in prop::collection::vec((text(), text()), 1..8),
        pick in any::<Index>(),
        new_value in text(),
        method in select(vec![Method::Post, Method::Get]),
        secret in "[^\\p{Cc}]{1,20}",
    ) {
        let params: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "Signature").collect();
        prop_assume!(!params.is_empty());
        let endpoint = Endpoint::default();
        let first = v1::sign_request(method, &endpoint, &params, &secret).expect("signs");
        let again = v1::sign_request(method, &endpoint, &params, &secret).expect("signs");
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(first.signature.len(), 28);
        let method_name = match method { Method::Post => "POST", Method::Get => "GET" };
        prop_assert_eq!(&first.signature, &ref_signature(method_name, &first.canonical_query, &secret));

        let i = pick.index(params.len());
        prop_assume!(params[i].1 != new_value);
        let mut changed = params.clone();
        changed[i].1 = new_value;
        let other = v1::sign_request(method, &endpoint, &changed, &secret).expect("signs");
        prop_assert_ne!(other.signature, first.signature);

        // A Signature among the parameters is not signed.
        let mut with_sig = params;
        with_sig.push(("Signature".to_owned(), "x".to_owned()));
        let same = v1::sign_request(method, &endpoint, &with_sig, &secret).expect("signs");
        prop_assert_eq!(same.signature, again.signature);
    }
}
