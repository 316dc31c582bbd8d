//! Known-answer tests of signature v1 (contract section 1).
//!
//! Every expected canonical query and string to sign below was written out by hand from the rules
//! of contract section 1, and every expected signature was computed once, at authoring time, with
//! openssl (the command is next to each constant). Nothing expected here comes from the crate.

use aliyun_caster::signing::v1;
use aliyun_caster::{
    sign_operation, validate, Action, Credentials, Endpoint, Method, Nonce, RawParams, RequestConfig, SignedRequest,
    Timestamp,
};

// ---------------------------------------------------------------------------------------------
// The vendor's documented example (DescribeRegions, AccessKeyId testid, secret testsecret).
// ---------------------------------------------------------------------------------------------

fn vendor_params() -> Vec<(String, String)> {
    // In the order the vendor's page lists them, not the canonical order: the signer must sort.
    [
        ("Action", "DescribeRegions"),
        ("Version", "2014-05-26"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("AccessKeyId", "testid"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// Sorted by key in byte order; only the two `:` of the timestamp need encoding.
const VENDOR_CANONICAL: &str = "AccessKeyId=testid&Action=DescribeRegions&Format=XML\
&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26";

/// `GET&%2F&` + the canonical query encoded again (`=` → %3D, `&` → %26, `%` → %25).
const VENDOR_STRING_TO_SIGN_GET: &str = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions\
%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";

/// The signature the vendor's documentation gives for its example. Also reproduced with
/// `printf %s "$VENDOR_STRING_TO_SIGN_GET" | openssl dgst -sha1 -hmac 'testsecret&' -binary | base64`.
const VENDOR_SIGNATURE_GET: &str = "OLeaidS1JvxuMvnyHOwuJ+uX5qY=";
/// The same signature percent-encoded: `+` → %2B, `=` → %3D.
const VENDOR_SIGNATURE_GET_ENCODED: &str = "OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D";

const VENDOR_STRING_TO_SIGN_POST: &str = "POST&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions\
%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";
/// `printf %s "$VENDOR_STRING_TO_SIGN_POST" | openssl dgst -sha1 -hmac 'testsecret&' -binary | base64`
const VENDOR_SIGNATURE_POST: &str = "MxbnVAM4w6sft9xjVpe/GCKueuk=";
/// `/` → %2F, `=` → %3D.
const VENDOR_SIGNATURE_POST_ENCODED: &str = "MxbnVAM4w6sft9xjVpe%2FGCKueuk%3D";

fn vendor_endpoint() -> Endpoint {
    Endpoint::parse("http://ecs.aliyuncs.com/").expect("endpoint")
}

fn sign_vendor(method: Method) -> SignedRequest {
    v1::sign_request(method, &vendor_endpoint(), &vendor_params(), "testsecret")
        .expect("the vendor example signs")
}

#[test]
fn vendor_example_get_signature() {
    let signed = sign_vendor(Method::Get);
    assert_eq!(signed.signature, VENDOR_SIGNATURE_GET);
}

#[test]
fn vendor_example_get_canonical_query_and_string_to_sign() {
    let signed = sign_vendor(Method::Get);
    assert_eq!(signed.canonical_query, VENDOR_CANONICAL);
    assert_eq!(signed.string_to_sign, VENDOR_STRING_TO_SIGN_GET);
    // The free function agrees with what the signer reports.
    assert_eq!(aliyun_caster::signing::canonical::canonical_query(&vendor_params()).0, VENDOR_CANONICAL);
}

#[test]
fn vendor_example_get_layout() {
    let signed = sign_vendor(Method::Get);
    assert_eq!(signed.method, Method::Get);
    let want_url = format!("http://ecs.aliyuncs.com/?{VENDOR_CANONICAL}&Signature={VENDOR_SIGNATURE_GET_ENCODED}");
    assert_eq!(signed.url, want_url);
    assert_eq!(signed.body, None);
    assert!(signed.headers.is_empty(), "GET carries no headers: {:?}", signed.headers);
    // Every signed parameter, decoded, in canonical order, Signature last.
    let want: Vec<(String, String)> = [
        ("AccessKeyId", "testid"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2014-05-26"),
        ("Signature", VENDOR_SIGNATURE_GET),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(signed.params, want);
}

#[test]
fn vendor_example_post() {
    let signed = sign_vendor(Method::Post);
    assert_eq!(signed.canonical_query, VENDOR_CANONICAL);
    assert_eq!(signed.string_to_sign, VENDOR_STRING_TO_SIGN_POST);
    assert_eq!(signed.signature, VENDOR_SIGNATURE_POST);
    assert_eq!(signed.url, "http://ecs.aliyuncs.com/");
    let want_body = format!("{VENDOR_CANONICAL}&Signature={VENDOR_SIGNATURE_POST_ENCODED}");
    assert_eq!(signed.body.as_deref(), Some(want_body.as_str()));
    assert_eq!(signed.headers, vec![("content-type", "application/x-www-form-urlencoded".to_owned())]);
}

#[test]
fn vendor_example_ignores_a_signature_parameter() {
    // A stale `Signature` among the parameters is not signed (contract: every parameter except
    // Signature), and the result is the vendor's.
    let mut params = vendor_params();
    params.push(("Signature".to_owned(), "stale".to_owned()));
    let signed = v1::sign_request(Method::Get, &vendor_endpoint(), &params, "testsecret")
        .expect("signs");
    assert_eq!(signed.canonical_query, VENDOR_CANONICAL);
    assert_eq!(signed.signature, VENDOR_SIGNATURE_GET);
    assert_eq!(signed.params.iter().filter(|(k, _)| k == "Signature").count(), 1);
}

#[test]
fn vendor_example_wrong_secret_differs() {
    let signed =
        v1::sign_request(Method::Get, &vendor_endpoint(), &vendor_params(), "testsecreT")
            .expect("signs");
    assert_ne!(signed.signature, VENDOR_SIGNATURE_GET);
}

// ---------------------------------------------------------------------------------------------
// StartCasterScene through validate + sign_operation, with fixed timestamp and nonce.
// ---------------------------------------------------------------------------------------------

const KEY_ID: &str = "LTAI5tTestKeyId";
const SECRET: &str = "TestSecret/With+Chars";
const TOKEN: &str = "STS.tok/en=";
const TIMESTAMP: &str = "2024-05-06T07:08:09Z";
const NONCE: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
/// `*` must become %2A; `~` stays; `é` is %C3%A9.
const CASTER_ID: &str = "caster*1";
const SCENE_ID: &str = "scene~\u{e9}";

/// Default region, no token. Keys sorted by byte order by hand:
/// AccessKeyId < Action < CasterId < Format < RegionId < SceneId < SecurityToken < SignatureMethod
/// < SignatureNonce < SignatureVersion < Timestamp < Version.
const SCS_CANONICAL_DEFAULT_REGION: &str = "AccessKeyId=LTAI5tTestKeyId&Action=StartCasterScene&CasterId=caster%2A1\
&Format=JSON&RegionId=cn-shanghai&SceneId=scene~%C3%A9&SignatureMethod=HMAC-SHA1\
&SignatureNonce=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0&SignatureVersion=1.0&Timestamp=2024-05-06T07%3A08%3A09Z\
&Version=2016-11-01";

/// RegionId cn-beijing from the parameters.
const SCS_CANONICAL_PARAM_REGION: &str = "AccessKeyId=LTAI5tTestKeyId&Action=StartCasterScene&CasterId=caster%2A1\
&Format=JSON&RegionId=cn-beijing&SceneId=scene~%C3%A9&SignatureMethod=HMAC-SHA1\
&SignatureNonce=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0&SignatureVersion=1.0&Timestamp=2024-05-06T07%3A08%3A09Z\
&Version=2016-11-01";

/// Default region, STS token `STS.tok/en=` (`/` → %2F, `=` → %3D).
const SCS_CANONICAL_TOKEN: &str = "AccessKeyId=LTAI5tTestKeyId&Action=StartCasterScene&CasterId=caster%2A1\
&Format=JSON&RegionId=cn-shanghai&SceneId=scene~%C3%A9&SecurityToken=STS.tok%2Fen%3D&SignatureMethod=HMAC-SHA1\
&SignatureNonce=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0&SignatureVersion=1.0&Timestamp=2024-05-06T07%3A08%3A09Z\
&Version=2016-11-01";

const SCS_STS_DEFAULT_REGION_POST: &str = "POST&%2F&AccessKeyId%3DLTAI5tTestKeyId%26Action%3DStartCasterScene\
%26CasterId%3Dcaster%252A1%26Format%3DJSON%26RegionId%3Dcn-shanghai%26SceneId%3Dscene~%25C3%25A9\
%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0%26SignatureVersion%3D1.0\
%26Timestamp%3D2024-05-06T07%253A08%253A09Z%26Version%3D2016-11-01";

// The signatures: for each (method, canonical query) above,
//   sts="$METHOD&%2F&$(printf %s "$CANONICAL" | sed -e 's/%/%25/g' -e 's/&/%26/g' -e 's/=/%3D/g')"
//   printf %s "$sts" | openssl dgst -sha1 -hmac 'TestSecret/With+Chars&' -binary | base64
// run once at authoring time; the encoded forms are written by hand (+ → %2B, / → %2F, = → %3D).
const SIG_POST_DEFAULT: (&str, &str) = ("AsnhAQZ1IzolQlolGYawT+cj/DY=", "AsnhAQZ1IzolQlolGYawT%2Bcj%2FDY%3D");
const SIG_POST_PARAM_REGION: (&str, &str) = ("Mk0bugwGunkjyeIVl7/Cx/Avbio=", "Mk0bugwGunkjyeIVl7%2FCx%2FAvbio%3D");
const SIG_POST_TOKEN: (&str, &str) = ("uy5vpLdi+ejAcLFXzw+YsLA430A=", "uy5vpLdi%2BejAcLFXzw%2BYsLA430A%3D");
const SIG_GET_DEFAULT: (&str, &str) = ("OTDv4SoJixrfxpA7Iar3brdWRL0=", "OTDv4SoJixrfxpA7Iar3brdWRL0%3D");
const SIG_GET_PARAM_REGION: (&str, &str) = ("2avDtwTQ1wkHLy3QwWXaSU9XshE=", "2avDtwTQ1wkHLy3QwWXaSU9XshE%3D");
const SIG_GET_TOKEN: (&str, &str) = ("8Wnh3a/nzmzamD3y8k34Gov5EiM=", "8Wnh3a%2FnzmzamD3y8k34Gov5EiM%3D");

fn config(method: Method, token: Option<&str>) -> RequestConfig {
    let credentials =
        Credentials::new(KEY_ID.to_owned(), SECRET.to_owned(), token.map(str::to_owned)).expect("credentials");
    let mut config = RequestConfig::new(credentials);
    config.method = method;
    config
}

fn sign_scs(params: RawParams, config: &RequestConfig) -> SignedRequest {
    let valid = validate(Action::StartCasterScene, &params).expect("valid StartCasterScene params");
    let timestamp = Timestamp::parse(TIMESTAMP, "timestamp").expect("timestamp");
    let nonce = Nonce::parse(NONCE.to_owned(), "nonce").expect("nonce");
    sign_operation(&valid, config, timestamp, &nonce).expect("signs")
}

fn scs_params() -> RawParams {
    RawParams::new().with("CasterId", CASTER_ID).with("SceneId", SCENE_ID)
}

fn param<'a>(signed: &'a SignedRequest, key: &str) -> Option<&'a str> {
    let mut found = signed.params.iter().filter(|(k, _)| k == key);
    let first = found.next().map(|(_, v)| v.as_str());
    assert!(found.next().is_none(), "{key} is signed more than once");
    first
}

/// The common parameters of contract section 1, and the operation's own.
fn check_common(signed: &SignedRequest, region: &str, token: Option<&str>, signature: &str) {
    assert_eq!(param(signed, "Action"), Some("StartCasterScene"));
    assert_eq!(param(signed, "Version"), Some("2016-11-01"));
    assert_eq!(param(signed, "Format"), Some("JSON"));
    assert_eq!(param(signed, "AccessKeyId"), Some(KEY_ID));
    assert_eq!(param(signed, "SignatureMethod"), Some("HMAC-SHA1"));
    assert_eq!(param(signed, "SignatureVersion"), Some("1.0"));
    assert_eq!(param(signed, "SignatureNonce"), Some(NONCE));
    assert_eq!(param(signed, "Timestamp"), Some(TIMESTAMP));
    assert_eq!(param(signed, "RegionId"), Some(region));
    assert_eq!(param(signed, "SecurityToken"), token);
    assert_eq!(param(signed, "CasterId"), Some(CASTER_ID));
    assert_eq!(param(signed, "SceneId"), Some(SCENE_ID));
    assert_eq!(param(signed, "Signature"), Some(signature));
    assert_eq!(signed.params.last().map(|(k, _)| k.as_str()), Some("Signature"));
    let expected_len = 12 + usize::from(token.is_some());
    assert_eq!(signed.params.len(), expected_len, "{:?}", signed.params);
    // The secret never shows anywhere in the request.
    let everything = format!("{signed:?}");
    assert!(!everything.contains(SECRET));
}

fn check_post(signed: &SignedRequest, canonical: &str, (signature, encoded): (&str, &str)) {
    assert_eq!(signed.method, Method::Post);
    assert_eq!(signed.canonical_query, canonical);
    assert_eq!(signed.signature, signature);
    assert_eq!(signed.url, "https://live.aliyuncs.com/");
    let want_body = format!("{canonical}&Signature={encoded}");
    assert_eq!(signed.body.as_deref(), Some(want_body.as_str()));
    assert_eq!(signed.headers, vec![("content-type", "application/x-www-form-urlencoded".to_owned())]);
}

fn check_get(signed: &SignedRequest, canonical: &str, (signature, encoded): (&str, &str)) {
    assert_eq!(signed.method, Method::Get);
    assert_eq!(signed.canonical_query, canonical);
    assert_eq!(signed.signature, signature);
    assert_eq!(signed.url, format!("https://live.aliyuncs.com/?{canonical}&Signature={encoded}"));
    assert_eq!(signed.body, None);
    assert!(signed.headers.is_empty(), "{:?}", signed.headers);
}

#[test]
fn start_caster_scene_post_default_region() {
    let signed = sign_scs(scs_params(), &config(Method::Post, None));
    assert_eq!(signed.string_to_sign, SCS_STS_DEFAULT_REGION_POST);
    check_post(&signed, SCS_CANONICAL_DEFAULT_REGION, SIG_POST_DEFAULT);
    check_common(&signed, "cn-shanghai", None, SIG_POST_DEFAULT.0);
}

#[test]
fn start_caster_scene_default_method_is_post() {
    let credentials = Credentials::new(KEY_ID.to_owned(), SECRET.to_owned(), None).expect("credentials");
    let signed = sign_scs(scs_params(), &RequestConfig::new(credentials));
    check_post(&signed, SCS_CANONICAL_DEFAULT_REGION, SIG_POST_DEFAULT);
}

#[test]
fn start_caster_scene_get_default_region() {
    let signed = sign_scs(scs_params(), &config(Method::Get, None));
    check_get(&signed, SCS_CANONICAL_DEFAULT_REGION, SIG_GET_DEFAULT);
    check_common(&signed, "cn-shanghai", None, SIG_GET_DEFAULT.0);
}

#[test]
fn start_caster_scene_region_in_params_wins() {
    for method in [Method::Post, Method::Get] {
        let mut cfg = config(method, None);
        cfg.region_id = "cn-hangzhou".to_owned();
        let signed = sign_scs(scs_params().with("RegionId", "cn-beijing"), &cfg);
        let expected = match method {
            Method::Post => SIG_POST_PARAM_REGION,
            Method::Get => SIG_GET_PARAM_REGION,
        };
        check_common(&signed, "cn-beijing", None, expected.0);
        match method {
            Method::Post => check_post(&signed, SCS_CANONICAL_PARAM_REGION, expected),
            Method::Get => check_get(&signed, SCS_CANONICAL_PARAM_REGION, expected),
        }
        // The camelCase spelling is the same field.
        let camel = sign_scs(scs_params().with("regionId", "cn-beijing"), &cfg);
        assert_eq!(camel.signature, signed.signature);
    }
}

#[test]
fn start_caster_scene_configured_region_used_when_params_have_none() {
    let mut cfg = config(Method::Post, None);
    cfg.region_id = "cn-hangzhou".to_owned();
    let signed = sign_scs(scs_params(), &cfg);
    assert_eq!(param(&signed, "RegionId"), Some("cn-hangzhou"));
    assert!(signed.canonical_query.contains("&RegionId=cn-hangzhou&"));
}

#[test]
fn start_caster_scene_with_security_token() {
    let signed = sign_scs(scs_params(), &config(Method::Post, Some(TOKEN)));
    check_post(&signed, SCS_CANONICAL_TOKEN, SIG_POST_TOKEN);
    check_common(&signed, "cn-shanghai", Some(TOKEN), SIG_POST_TOKEN.0);

    let signed = sign_scs(scs_params(), &config(Method::Get, Some(TOKEN)));
    check_get(&signed, SCS_CANONICAL_TOKEN, SIG_GET_TOKEN);
    check_common(&signed, "cn-shanghai", Some(TOKEN), SIG_GET_TOKEN.0);
}

#[test]
fn start_caster_scene_empty_token_counts_as_none() {
    let signed = sign_scs(scs_params(), &config(Method::Post, Some("")));
    assert_eq!(param(&signed, "SecurityToken"), None);
    check_post(&signed, SCS_CANONICAL_DEFAULT_REGION, SIG_POST_DEFAULT);
}

#[test]
fn start_caster_scene_camel_case_keys_sign_the_same() {
    let params = RawParams::new().with("casterId", CASTER_ID).with("sceneId", SCENE_ID);
    let signed = sign_scs(params, &config(Method::Post, None));
    check_post(&signed, SCS_CANONICAL_DEFAULT_REGION, SIG_POST_DEFAULT);
}

#[test]
fn start_caster_scene_timestamp_with_millis_signs_without_them() {
    let valid = validate(Action::StartCasterScene, &scs_params()).expect("valid");
    let timestamp = Timestamp::parse("2024-05-06T07:08:09.987Z", "timestamp").expect("timestamp");
    let nonce = Nonce::parse(NONCE.to_owned(), "nonce").expect("nonce");
    let signed = sign_operation(&valid, &config(Method::Post, None), timestamp, &nonce).expect("signs");
    assert_eq!(signed.signature, SIG_POST_DEFAULT.0);
}
