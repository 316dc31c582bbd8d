//! Signature V3 as the vendor's own Python SDK signs it, checked by the verifier the emulator uses.
//!
//! `alibabacloud-live20161101` 3.0.2 (on `alibabacloud-tea-openapi` 0.4.6) signs every header it
//! sends but the few its HTTP library adds: `accept`, `host`, `user-agent` and every `x-acs-*`
//! (`x-acs-credentials-provider` among them); see `alibabacloud_tea_openapi/client.py`
//! `do_request` and `utils.py` `get_canonicalized_headers`. V3 lets a client sign any header it
//! sends; the server's rule is the other way round: every `host`, `content-type` and `x-acs-*`
//! header present must be signed, and every signed header must be present.
//!
//! The first request below is one the SDK sent (captured at a local HTTP server: its query, its
//! headers as Node's `rawHeaders` lists them, no body); the second was signed by the SDK's own
//! `Utils.get_authorization` with a header given twice (in two spellings) and values with spaces
//! around them. Both with the emulator's demo secret.

use aliyun_caster::error::code;
use aliyun_caster::limits::MAX_HEADERS;
use aliyun_caster::signing::v3;
use aliyun_caster::verify::{parse_authorization, split_headers, verify_v3, V3Verification};
use aliyun_caster::Error;

const SECRET: &str = "emulator-demo-secret-not-a-real-key";

/// `client.add_caster_video_resource_with_options` of alibabacloud-live20161101 3.0.2, default
/// Config (V3), with a LiveStreamUrl whose query holds a space: `+` on the wire.
const SDK_QUERY: &str = "CasterId=LIVEPRODUCER_POST-cn-emulator-demo&LiveStreamUrl=rtmp%3A%2F%2Fa.example.com%2Flive%2Fs%3Fauth_key%3D1-0-0-x%26a%3Db+c&LocationId=RV01&RegionId=cn-shanghai&ResourceName=cam+1";
const SDK_HEADERS: [(&str, &str); 13] = [
    ("Accept-Encoding", "identity"),
    ("host", "127.0.0.1:36589"),
    ("x-acs-version", "2016-11-01"),
    ("x-acs-action", "AddCasterVideoResource"),
    ("user-agent", "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"),
    ("x-acs-date", "2026-12-06T11:02:33Z"),
    ("x-acs-signature-nonce", "5fa2842b412acf1153faa5cec0f272db"),
    ("accept", "application/json"),
    ("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("x-acs-credentials-provider", "static_ak"),
    (
        "Authorization",
        "ACS3-HMAC-SHA256 Credential=LTAI5tEmulatorDemoKey,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=6b5e7d27f9fe17a1c10913b9821b7b55183d127ae1ed8f9d0fc7a1e45f4f153c",
    ),
    ("Content-Length", "0"),
    // Not signed, and not a header V3 requires to be: allowed.
    ("Connection", "keep-alive"),
];

/// Signed by `alibabacloud_tea_openapi.utils.Utils.get_authorization` (0.4.6) over a request whose
/// headers dict holds `X-Acs-Meta: " b "` and `x-acs-meta: "a"`, and `user-agent: "  AlibabaCloud
/// test  "`; its canonical headers (from `get_canonicalized_headers`) are below.
const TRIMMED_QUERY: &str = "CasterId=LIVEPRODUCER_POST-cn-emulator-demo&ResourceName=cam+1&LocationId=RV01&RegionId=cn-shanghai&LiveStreamUrl=rtmp%3A%2F%2Fa.example.com%2Flive%2Fs%3Fauth_key%3D1-0-0-x%26a%3Db%20c";
const TRIMMED_HEADERS: [(&str, &str); 12] = [
    ("host", "127.0.0.1:8080"),
    ("x-acs-version", "2016-11-01"),
    ("x-acs-action", "AddCasterVideoResource"),
    ("user-agent", "  AlibabaCloud test  "),
    ("x-acs-date", "2026-01-02T03:04:05Z"),
    ("x-acs-signature-nonce", "0123456789abcdef0123456789abcdef"),
    ("accept", "application/json"),
    ("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("x-acs-credentials-provider", "static_ak"),
    ("X-Acs-Meta", " b "),
    ("x-acs-meta", "a"),
    (
        "Authorization",
        "ACS3-HMAC-SHA256 Credential=LTAI5tEmulatorDemoKey,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-meta;x-acs-signature-nonce;x-acs-version,Signature=67114e83a31a17ec366d72b6bdb525acd95bf42f060941d00366ba6d8f4b987e",
    ),
];
const TRIMMED_CANONICAL_QUERY: &str = "CasterId=LIVEPRODUCER_POST-cn-emulator-demo&LiveStreamUrl=rtmp%3A%2F%2Fa.example.com%2Flive%2Fs%3Fauth_key%3D1-0-0-x%26a%3Db%20c&LocationId=RV01&RegionId=cn-shanghai&ResourceName=cam%201";
const TRIMMED_CANONICAL_HEADERS: &str = "accept:application/json\nhost:127.0.0.1:8080\nuser-agent:AlibabaCloud test\n\
x-acs-action:AddCasterVideoResource\nx-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
x-acs-credentials-provider:static_ak\nx-acs-date:2026-01-02T03:04:05Z\nx-acs-meta:a,b\n\
x-acs-signature-nonce:0123456789abcdef0123456789abcdef\nx-acs-version:2016-11-01\n";

fn verify(query: &str, headers: &[(&str, &str)]) -> Result<V3Verification, Error> {
    verify_v3("POST", query, headers, b"", SECRET)
}

fn replaced<'a>(headers: &[(&'a str, &'a str)], name: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    headers.iter().map(|&(n, v)| (n, if n == name { value } else { v })).collect()
}

fn refused(query: &str, headers: &[(&str, &str)], field: &str) {
    let error = verify(query, headers).expect_err("refused");
    assert_eq!((error.code, error.field.as_deref()), (code::INCOMPLETE_SIGNATURE, Some(field)), "{}", error.message);
}

#[test]
fn a_request_the_python_sdk_sent_on_its_default_signing_verifies() {
    let verification = verify(SDK_QUERY, &SDK_HEADERS).expect("checked");
    assert!(verification.valid, "{verification:?}");
    // The SDK's own headers are in the canonical request; those its HTTP library added are not.
    assert!(verification.canonical_request.contains("\naccept:application/json\nhost:127.0.0.1:36589\nuser-agent:AlibabaCloud"));
    assert!(verification.canonical_request.contains("\nx-acs-credentials-provider:static_ak\n"));
    assert!(!verification.canonical_request.contains("identity") && !verification.canonical_request.contains("keep-alive"));
    // The same through the text form a server passes (`rawHeaders.join('\0')`).
    let text = SDK_HEADERS.iter().flat_map(|(n, v)| [*n, *v]).collect::<Vec<_>>().join("\0");
    assert!(verify(SDK_QUERY, &split_headers(&text).expect("headers")).expect("checked").valid);
}

#[test]
fn the_verifier_rebuilds_the_canonical_headers_as_the_vendor_sdk_builds_them() {
    let verification = verify(TRIMMED_QUERY, &TRIMMED_HEADERS).expect("checked");
    assert!(verification.valid, "{verification:?}");
    // Names lower-cased, values trimmed, a name given twice joined with `,` in sorted order;
    // the query re-encoded with `%20` for a space.
    let expected = format!(
        "POST\n/\n{TRIMMED_CANONICAL_QUERY}\n{TRIMMED_CANONICAL_HEADERS}\n\
         accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-meta;x-acs-signature-nonce;x-acs-version\n\
         {}",
        v3::EMPTY_PAYLOAD_HASH
    );
    assert_eq!(verification.canonical_request, expected);
}

#[test]
fn every_signed_header_is_covered_by_the_signature() {
    // A signed header that V3 does not require (user-agent, accept) changed: not valid.
    for (name, value) in [("user-agent", "curl/8"), ("accept", "*/*"), ("x-acs-credentials-provider", "env")] {
        let verification = verify(SDK_QUERY, &replaced(&SDK_HEADERS, name, value)).expect("checked");
        assert!(!verification.valid, "{name}");
    }
    // The query's space is signed too.
    assert!(!verify(&SDK_QUERY.replace("b+c", "b+d"), &SDK_HEADERS).expect("checked").valid);
    assert!(!verify_v3("POST", SDK_QUERY, &SDK_HEADERS, b"", "wrong-secret").expect("checked").valid);
}

#[test]
fn unsigned_and_absent_headers_are_still_refused() {
    // A signed header the request does not carry.
    let without_accept: Vec<_> = SDK_HEADERS.iter().copied().filter(|(n, _)| *n != "accept").collect();
    refused(SDK_QUERY, &without_accept, "accept");
    // An x-acs-*, content-type or second host header that is not signed.
    for (name, value) in [("x-acs-foo", "1"), ("X-Acs-Security-Token", "t"), ("Content-Type", "application/x-www-form-urlencoded")] {
        let mut extra = SDK_HEADERS.to_vec();
        extra.push((name, value));
        refused(SDK_QUERY, &extra, name);
    }
}

fn authorization(signed_headers: &str) -> String {
    format!("ACS3-HMAC-SHA256 Credential=k,SignedHeaders={signed_headers},Signature={}", "0".repeat(64))
}

#[test]
fn signed_header_names_are_lower_case_tokens_sorted_and_unique() {
    for good in [
        "accept;host;user-agent;x-acs-action",
        "host",
        "a;b;c",
        "content-md5;host;x-acs-date",
        // Every token character but upper-case letters (RFC 9110 section 5.6.2).
        "!#$%&'*+-.^_`|~09az",
    ] {
        assert_eq!(parse_authorization(&authorization(good)).map(|a| a.signed_headers.join(";")), Ok(good.to_owned()), "{good}");
    }
    for bad in [
        "", "Host", "host;User-Agent", "user-agent;host", "host;host", "host;;x-acs-date", "host;a b", "host;a:b",
        "host;a\"b", "host;a(b)", "host;a/b", "host;\u{e9}", "host;a\tb", ";host", "host;",
    ] {
        let error = parse_authorization(&authorization(bad)).expect_err(bad);
        assert_eq!((error.code, error.field.as_deref()), (code::INCOMPLETE_SIGNATURE, Some("Authorization")), "{bad:?}");
    }
    // The count is capped before the names are read.
    let names = |count: usize| (0..count).map(|i| format!("h-{i:04}")).collect::<Vec<_>>().join(";");
    assert_eq!(parse_authorization(&authorization(&names(MAX_HEADERS))).map(|a| a.signed_headers.len()), Ok(MAX_HEADERS));
    assert!(parse_authorization(&authorization(&names(MAX_HEADERS + 1))).is_err());
}

/// A LiveStreamUrl whose query holds a space, signed by this crate's signer (v1 and V3, fixed time
/// and nonce), against signatures the vendor's Python SDK computed for the same parameters:
/// `Utils.get_rpcsignature` and `Utils.get_authorization` of `alibabacloud_tea_openapi` 0.4.6
/// (both percent-encode with `quote(value, safe='~')`: a space is `%20`).
#[test]
fn a_spaced_stream_url_is_signed_as_the_vendor_sdk_signs_it() {
    use aliyun_caster::{sign_operation, validate, Action, Credentials, Nonce, RawParams, RequestConfig, SignatureAlgorithm, Timestamp};
    let params = RawParams::new()
        .with("RegionId", "cn-shanghai")
        .with("CasterId", "LIVEPRODUCER_POST-cn-emulator-demo")
        .with("ResourceName", "cam 1")
        .with("LocationId", "RV01")
        .with("LiveStreamUrl", "rtmp://a.example.com/live/s?auth_key=1-0-0-x&a=b c");
    let valid = validate(Action::AddCasterVideoResource, &params).expect("valid");
    let timestamp = Timestamp::parse("2026-01-02T03:04:05Z", "timestamp").expect("timestamp");
    let nonce = Nonce::parse("0123456789abcdef0123456789abcdef".into(), "nonce").expect("nonce");
    let sign = |algorithm, method| {
        let credentials = Credentials::new("testAccessKeyId".into(), "testAccessKeySecret".into(), None).expect("credentials");
        let mut config = RequestConfig::new(credentials);
        config.algorithm = algorithm;
        config.method = method;
        sign_operation(&valid, &config, timestamp, &nonce).expect("signs")
    };
    let spaced = "LiveStreamUrl=rtmp%3A%2F%2Fa.example.com%2Flive%2Fs%3Fauth_key%3D1-0-0-x%26a%3Db%20c";
    for (method, vendor) in [(aliyun_caster::Method::Post, "KdHT28tBr2POqEEl3Y5m/HpHKOM="), (aliyun_caster::Method::Get, "fzsBwgAwvdPq6QjX5mKD5/Fs4PE=")] {
        let signed = sign(SignatureAlgorithm::HmacSha1V1, method);
        assert!(signed.canonical_query.contains(spaced) && signed.canonical_query.contains("ResourceName=cam%201"), "{}", signed.canonical_query);
        assert_eq!(signed.signature, vendor, "{method:?}");
    }
    let signed = sign(SignatureAlgorithm::Acs3HmacSha256, aliyun_caster::Method::Post);
    assert!(signed.canonical_query.contains(spaced), "{}", signed.canonical_query);
    assert_eq!(signed.signature, "fc218427c818dd1ff8e76addfe691d93071f32d2667e419c4fb633696eccc458");
}
