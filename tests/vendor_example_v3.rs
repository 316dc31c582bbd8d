//! Signature V3 (`ACS3-HMAC-SHA256`) against the vendor's published example: the "fixed parameter
//! values" of the V3 request-structure-and-signature page
//! (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature),
//! reproduced byte for byte: canonical request, its hash, string to sign, signature and
//! Authorization header. A second published signature (the same inputs at 09:01:01Z with nonce
//! d410180a…, shown on the vendor's ROA-style signature page) checks the date and nonce lines.
//!
//! Then both operations through `sign_operation`, against values computed by the vendor's own
//! `@alicloud/openapi-util` 0.3.3 (`getAuthorization`) for the same inputs, written down once
//! (the npm test suite compares 1,000 random requests with that package live).

use aliyun_caster::signing::v3::{self, V3Request};
use aliyun_caster::{
    sign_operation, validate, Action, Credentials, Endpoint, Method, Nonce, RawParams, RequestConfig,
    SignatureAlgorithm, Timestamp,
};

const DOC_CANONICAL_REQUEST: &str = "POST
/
ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai
host:ecs.cn-shanghai.aliyuncs.com
x-acs-action:RunInstances
x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-acs-date:2023-10-26T10:22:32Z
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d
x-acs-version:2014-05-26

host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const DOC_STRING_TO_SIGN: &str = "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";
const DOC_SIGNATURE: &str = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";
const DOC_AUTHORIZATION: &str = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;\
x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

fn doc_request<'a>(date: &'a str, nonce: &'a str) -> V3Request<'a> {
    V3Request {
        method: Method::Post,
        host: "ecs.cn-shanghai.aliyuncs.com",
        action: "RunInstances",
        version: "2014-05-26",
        date,
        nonce,
        access_key_id: "YourAccessKeyId",
        security_token: None,
    }
}

const DOC_QUERY: [(&str, &str); 2] =
    [("RegionId", "cn-shanghai"), ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd")];

#[test]
fn vendor_v3_example_byte_for_byte() {
    let signed = v3::sign(&doc_request("2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d"), &DOC_QUERY, "YourAccessKeySecret")
        .expect("signs");
    assert_eq!(signed.canonical_request.as_deref(), Some(DOC_CANONICAL_REQUEST));
    assert_eq!(signed.string_to_sign, DOC_STRING_TO_SIGN);
    assert_eq!(signed.signature, DOC_SIGNATURE);
    let authorization = signed.headers.iter().find(|(name, _)| *name == "authorization").map(|(_, value)| value.as_str());
    assert_eq!(authorization, Some(DOC_AUTHORIZATION));
    // The headers sent are the signed ones (host aside, which the HTTP client takes from the URL).
    let names: Vec<&str> = signed.headers.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        ["x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "authorization"]
    );
}

#[test]
fn vendor_v3_second_published_signature() {
    let signed = v3::sign(&doc_request("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0"), &DOC_QUERY, "YourAccessKeySecret")
        .expect("signs");
    assert_eq!(signed.signature, "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804");
}

#[test]
fn the_steps_one_by_one() {
    assert_eq!(v3::string_to_sign(DOC_CANONICAL_REQUEST), DOC_STRING_TO_SIGN);
    assert_eq!(v3::sign_string("YourAccessKeySecret", DOC_STRING_TO_SIGN).expect("signs"), DOC_SIGNATURE);
    // A changed byte anywhere changes the signature.
    assert_ne!(v3::sign_string("YourAccessKeySecreT", DOC_STRING_TO_SIGN).expect("signs"), DOC_SIGNATURE);
    assert_ne!(v3::string_to_sign(&DOC_CANONICAL_REQUEST.replace("10:22:32", "10:22:33")), DOC_STRING_TO_SIGN);
}

fn config(token: Option<&str>) -> RequestConfig {
    let credentials =
        Credentials::new("testAccessKeyId".into(), "testAccessKeySecret".into(), token.map(str::to_owned)).expect("credentials");
    let mut config = RequestConfig::new(credentials);
    config.algorithm = SignatureAlgorithm::Acs3HmacSha256;
    config
}

fn sign(action: Action, params: RawParams, config: &RequestConfig) -> aliyun_caster::SignedRequest {
    let valid = validate(action, &params).expect("valid");
    let timestamp = Timestamp::parse("2026-01-02T03:04:05Z", "timestamp").expect("timestamp");
    let nonce = Nonce::parse("0123456789abcdef0123456789abcdef".into(), "nonce").expect("nonce");
    sign_operation(&valid, config, timestamp, &nonce).expect("signs")
}

#[test]
fn start_caster_scene_matches_the_vendor_package() {
    let params = RawParams::new()
        .with("RegionId", "cn-shanghai")
        .with("CasterId", "a1b2c3d4-0000-1111-2222-333344445555")
        .with("SceneId", "scene-1");
    let signed = sign(Action::StartCasterScene, params, &config(None));
    assert_eq!(signed.signature, "e4c9f17afc64cd957d91d4f733c8339341853dc4c93a423dde0fe845e6ce3a83");
    assert_eq!(
        signed.url,
        "https://live.aliyuncs.com/?CasterId=a1b2c3d4-0000-1111-2222-333344445555&RegionId=cn-shanghai&SceneId=scene-1"
    );
    assert_eq!(signed.body, None);
    assert_eq!(signed.method, Method::Post);
    assert!(signed.params.iter().all(|(key, _)| !key.starts_with("Signature") && key != "Action"));
}

#[test]
fn add_caster_video_resource_with_characters_to_encode_matches_the_vendor_package() {
    let params = RawParams::new()
        .with("RegionId", "cn-shanghai")
        .with("CasterId", "a1b2c3d4-0000-1111-2222-333344445555")
        .with("ResourceName", "Cam 1 *(主机位)~!'")
        .with("LiveStreamUrl", "rtmp://push.example.com/app/stream?auth_key=1700000000-0-0-abcdef&x=a+b")
        .with("LocationId", "RV01");
    let signed = sign(Action::AddCasterVideoResource, params, &config(None));
    assert_eq!(
        signed.canonical_query,
        "CasterId=a1b2c3d4-0000-1111-2222-333344445555\
         &LiveStreamUrl=rtmp%3A%2F%2Fpush.example.com%2Fapp%2Fstream%3Fauth_key%3D1700000000-0-0-abcdef%26x%3Da%2Bb\
         &LocationId=RV01&RegionId=cn-shanghai&ResourceName=Cam%201%20%2A%28%E4%B8%BB%E6%9C%BA%E4%BD%8D%29~%21%27"
    );
    assert_eq!(signed.signature, "76e6e8ae0c602a863636f1429d38abcde8b762b851590187f658979045c09987");
}

#[test]
fn sts_token_travels_in_a_signed_header() {
    let params = RawParams::new()
        .with("RegionId", "cn-shanghai")
        .with("CasterId", "c1")
        .with("ResourceName", "r 1")
        .with("LiveStreamUrl", "rtmp://a/b/c")
        .with("LocationId", "RV01");
    let signed = sign(Action::AddCasterVideoResource, params, &config(Some("CAIS+token/with=chars")));
    let header = |name: &str| signed.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    assert_eq!(header("x-acs-security-token").as_deref(), Some("CAIS+token/with=chars"));
    let canonical = signed.canonical_request.as_deref().unwrap_or_default();
    assert!(canonical.contains("\nx-acs-security-token:CAIS+token/with=chars\n"), "{canonical}");
    assert!(header("authorization").unwrap_or_default().contains(
        "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
    ));
    assert!(!signed.params.iter().any(|(key, _)| key == "SecurityToken"));
}

#[test]
fn endpoint_host_and_port_are_what_is_signed() {
    let mut config = config(None);
    config.endpoint = Endpoint::parse("http://127.0.0.1:8080").expect("endpoint");
    config.method = Method::Get;
    let params = RawParams::new().with("CasterId", "c1").with("SceneId", "s1");
    let signed = sign(Action::StartCasterScene, params, &config);
    let canonical = signed.canonical_request.unwrap_or_default();
    assert!(canonical.starts_with("GET\n/\nCasterId=c1&RegionId=cn-shanghai&SceneId=s1\nhost:127.0.0.1:8080\n"), "{canonical}");
    assert_eq!(signed.url, "http://127.0.0.1:8080/?CasterId=c1&RegionId=cn-shanghai&SceneId=s1");
}
