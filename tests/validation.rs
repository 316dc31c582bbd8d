//! Contract section 3: every rule about operation parameters, for both operations, table-driven.
//!
//! Each case lists the exact set of (code, field) pairs expected; an empty list means the input
//! must validate. Every error is also checked for kind, a usable message that names its field, and
//! the absence of the offending value (bad values carry the marker `ZQXMARK`).

use std::collections::BTreeMap;

use aliyun_caster::error::code;
use aliyun_caster::{validate, Action, ErrorKind, RawParams, Value};

const MARK: &str = "ZQXMARK";
const ALL_SOURCES: &str = "LiveStreamUrl|MaterialId|VodUrl|ImageId|ImageUrl";

#[allow(non_upper_case_globals)]
const Add: Action = Action::AddCasterVideoResource;
#[allow(non_upper_case_globals)]
const Start: Action = Action::StartCasterScene;

struct Case {
    label: String,
    action: Action,
    params: RawParams,
    want: Vec<(&'static str, String)>,
}

fn case(label: impl Into<String>, action: Action, params: RawParams, want: &[(&'static str, &str)]) -> Case {
    Case { label: label.into(), action, params, want: want.iter().map(|(c, f)| (*c, (*f).to_owned())).collect() }
}

/// Runs every case and reports every mismatch at once.
fn run(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for Case { label, action, params, want } in cases {
        let result = std::panic::catch_unwind(|| validate(action, &params));
        let Ok(result) = result else {
            failures.push(format!("{label}: validate panicked"));
            continue;
        };
        match result {
            Ok(_) if want.is_empty() => {}
            Ok(valid) => failures.push(format!("{label}: validated ({:?}) but expected {want:?}", valid.values)),
            Err(errors) => {
                if errors.is_empty() {
                    failures.push(format!("{label}: Err with no errors"));
                }
                let mut got = Vec::new();
                for error in &errors {
                    let field = error.field.clone().unwrap_or_default();
                    if error.field.is_none() {
                        failures.push(format!("{label}: error without a field: {error:?}"));
                    }
                    if error.kind != ErrorKind::Validation {
                        failures.push(format!("{label}: not a validation error: {error:?}"));
                    }
                    if error.message.contains(MARK) {
                        failures.push(format!("{label}: message quotes the value: {:?}", error.message));
                    }
                    for part in field.split('|') {
                        if !error.message.contains(part) {
                            failures.push(format!("{label}: message does not name {part}: {:?}", error.message));
                        }
                    }
                    got.push((error.code, field));
                }
                let mut want = want.clone();
                got.sort();
                want.sort();
                if got != want {
                    failures.push(format!("{label}: got {got:?}, want {want:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
}

fn start() -> RawParams {
    RawParams::new().with("CasterId", "caster-1").with("SceneId", "scene-1")
}

/// AddCasterVideoResource's required fields, without a source.
fn add() -> RawParams {
    RawParams::new().with("CasterId", "caster-1").with("ResourceName", "Camera 1").with("LocationId", "RV01")
}

fn add_vod() -> RawParams {
    add().with("VodUrl", "https://cdn.example.com/v/clip.mp4")
}

fn add_live() -> RawParams {
    add().with("LiveStreamUrl", "rtmp://pull.example.com/app/stream")
}

fn without(params: RawParams, key: &str) -> RawParams {
    RawParams { entries: params.entries.into_iter().filter(|(k, _)| k != key).collect() }
}

/// Malformed IDs: each with the marker so that no message may quote it.
fn bad_ids() -> Vec<(String, String)> {
    vec![
        ("empty".into(), String::new()),
        ("space inside".into(), format!("{MARK} x")),
        ("leading space".into(), format!(" {MARK}")),
        ("trailing space".into(), format!("{MARK} ")),
        ("tab".into(), format!("{MARK}\t")),
        ("newline".into(), format!("{MARK}\n1")),
        ("ideographic space".into(), format!("{MARK}\u{3000}1")),
        ("no-break space".into(), format!("{MARK}\u{a0}1")),
        ("NUL".into(), format!("{MARK}\u{0}")),
        ("DEL".into(), format!("{MARK}\u{7f}")),
        ("C1 control".into(), format!("{MARK}\u{85}")),
        ("ESC".into(), format!("{MARK}\u{1b}[0m")),
        ("129 ASCII bytes".into(), format!("{MARK}{}", "a".repeat(129 - MARK.len()))),
        // 64 × 2-byte é + 1 byte = 129 bytes, only 65 characters.
        ("129 bytes of é".into(), format!("{}x", "\u{e9}".repeat(64))),
        // 43 × 3-byte 中 = 129 bytes, 43 characters.
        ("129 bytes of 中".into(), "\u{4e2d}".repeat(43)),
        ("1000 bytes".into(), format!("{MARK}{}", "z".repeat(993))),
    ]
}

fn good_ids() -> Vec<String> {
    vec![
        "a".into(),
        "0".into(),
        "caster-1_x.y~z".into(),
        "a".repeat(128),
        // 64 × é = 128 bytes.
        "\u{e9}".repeat(64),
        // 42 × 中 + 2 = 128 bytes.
        format!("{}ab", "\u{4e2d}".repeat(42)),
        "4b5a-49*&=?/+%".into(),
    ]
}

#[test]
fn byte_counts_of_the_id_fixtures() {
    // The fixtures say what they test.
    for (label, id) in bad_ids() {
        if label.starts_with("129") {
            assert_eq!(id.len(), 129, "{label}");
        }
    }
    assert_eq!("\u{e9}".repeat(64).len(), 128);
    assert_eq!(format!("{}ab", "\u{4e2d}".repeat(42)).len(), 128);
}

// ---------------------------------------------------------------------------------------------
// Missing fields and sources
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_required_fields() {
    let mp = code::MISSING_PARAMETER;
    run(vec![
        case("start: nothing", Start, RawParams::new(), &[(mp, "CasterId"), (mp, "SceneId")]),
        case("start: no SceneId", Start, without(start(), "SceneId"), &[(mp, "SceneId")]),
        case("start: no CasterId", Start, without(start(), "CasterId"), &[(mp, "CasterId")]),
        case("start: only RegionId", Start, RawParams::new().with("RegionId", "cn-shanghai"), &[
            (mp, "CasterId"),
            (mp, "SceneId"),
        ]),
        case("add: nothing", Add, RawParams::new(), &[
            (mp, "CasterId"),
            (mp, "ResourceName"),
            (mp, "LocationId"),
            (mp, ALL_SOURCES),
        ]),
        case("add: no CasterId", Add, without(add_vod(), "CasterId"), &[(mp, "CasterId")]),
        case("add: no ResourceName", Add, without(add_vod(), "ResourceName"), &[(mp, "ResourceName")]),
        case("add: no LocationId", Add, without(add_vod(), "LocationId"), &[(mp, "LocationId")]),
        case("add: no source", Add, add(), &[(mp, ALL_SOURCES)]),
        case("add: only optional fields", Add, add().with("FixedDelayDuration", 10).with("RegionId", "cn-shanghai"), &[
            (mp, ALL_SOURCES),
        ]),
    ]);
}

#[test]
fn missing_source_message_names_all_five() {
    let errors = validate(Add, &add()).expect_err("no source");
    assert_eq!(errors.len(), 1);
    for name in ["LiveStreamUrl", "MaterialId", "VodUrl", "ImageId", "ImageUrl"] {
        assert!(errors[0].message.contains(name), "{name}: {}", errors[0].message);
    }
}

#[test]
fn exactly_one_source() {
    let ip = code::INVALID_PARAMETER;
    let live = ("LiveStreamUrl", "rtmp://h/app/s");
    let material = ("MaterialId", "mat-1");
    let vod = ("VodUrl", "http://h/v.mp4");
    let image_id = ("ImageId", "img-1");
    let image_url = ("ImageUrl", "http://h/i.png");
    let all = [live, material, vod, image_id, image_url];
    let mut cases = Vec::new();
    // Each source alone is fine.
    for (name, value) in all {
        cases.push(case(format!("{name} alone"), Add, add().with(name, value), &[]));
    }
    // Every pair is two sources.
    for (i, (a, va)) in all.iter().enumerate() {
        for (b, vb) in all.iter().skip(i + 1) {
            let field = format!("{a}|{b}");
            cases.push(Case {
                label: format!("{a} + {b}"),
                action: Add,
                params: add().with(a, *va).with(b, *vb),
                want: vec![(ip, field)],
            });
        }
    }
    cases.push(case("three sources", Add, add().with(material.0, material.1).with(image_id.0, image_id.1).with(image_url.0, image_url.1), &[
        (ip, "MaterialId|ImageId|ImageUrl"),
    ]));
    let mut five = add();
    for (name, value) in all {
        five = five.with(name, value);
    }
    cases.push(case("all five sources", Add, five, &[(ip, ALL_SOURCES)]));
    // Two sources in camelCase: named by their API names.
    cases.push(case("two sources, camelCase", Add, add().with("liveStreamUrl", "rtmp://h/a/s").with("imageId", "img"), &[
        (ip, "LiveStreamUrl|ImageId"),
    ]));
    run(cases);
}

// ---------------------------------------------------------------------------------------------
// IDs
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_ids_have_their_own_codes() {
    let mut cases = Vec::new();
    for (label, bad) in bad_ids() {
        cases.push(case(format!("start CasterId {label}"), Start, without(start(), "CasterId").with("CasterId", bad.as_str()), &[
            (code::INVALID_CASTER_ID, "CasterId"),
        ]));
        cases.push(case(format!("start casterId {label}"), Start, without(start(), "CasterId").with("casterId", bad.as_str()), &[
            (code::INVALID_CASTER_ID, "CasterId"),
        ]));
        cases.push(case(format!("start SceneId {label}"), Start, without(start(), "SceneId").with("SceneId", bad.as_str()), &[
            (code::INVALID_SCENE_ID, "SceneId"),
        ]));
        cases.push(case(format!("add CasterId {label}"), Add, without(add_vod(), "CasterId").with("CasterId", bad.as_str()), &[
            (code::INVALID_CASTER_ID, "CasterId"),
        ]));
        cases.push(case(format!("add MaterialId {label}"), Add, add().with("MaterialId", bad.as_str()), &[
            (code::INVALID_MATERIAL_ID, "MaterialId"),
        ]));
        cases.push(case(format!("add materialId {label}"), Add, add().with("materialId", bad.as_str()), &[
            (code::INVALID_MATERIAL_ID, "MaterialId"),
        ]));
    }
    // Both IDs bad at once: both reported.
    cases.push(case("start both bad", Start, RawParams::new().with("CasterId", "").with("SceneId", " "), &[
        (code::INVALID_CASTER_ID, "CasterId"),
        (code::INVALID_SCENE_ID, "SceneId"),
    ]));
    run(cases);
}

#[test]
fn good_ids_pass_unchanged() {
    for id in good_ids() {
        let valid = validate(Start, &RawParams::new().with("CasterId", id.as_str()).with("SceneId", id.as_str()))
            .unwrap_or_else(|e| panic!("{id:?}: {e:?}"));
        assert_eq!(valid.get("CasterId"), Some(id.as_str()));
        assert_eq!(valid.get("SceneId"), Some(id.as_str()));
        let valid = validate(Add, &add().with("MaterialId", id.as_str()))
            .unwrap_or_else(|e| panic!("{id:?}: {e:?}"));
        assert_eq!(valid.get("MaterialId"), Some(id.as_str()));
        let valid = validate(Add, &without(add_live(), "CasterId").with("CasterId", id.as_str()))
            .unwrap_or_else(|e| panic!("{id:?}: {e:?}"));
        assert_eq!(valid.get("CasterId"), Some(id.as_str()));
    }
}

// ---------------------------------------------------------------------------------------------
// LocationId
// ---------------------------------------------------------------------------------------------

#[test]
fn location_ids() {
    let mut cases = Vec::new();
    for good in ["RV01", "RV02", "RV09", "RV10", "RV50", "RV99"] {
        cases.push(case(format!("LocationId {good}"), Add, without(add_vod(), "LocationId").with("LocationId", good), &[]));
        cases.push(case(format!("locationId {good}"), Add, without(add_vod(), "LocationId").with("locationId", good), &[]));
    }
    for bad in ["RV00", "RV100", "rv01", "Rv01", "RV1", "RV001", "RV0a", "RV 1", "", " RV01", "RV01 ", "XRV01", "RV-1", "RV\u{661}\u{662}", "RV０１"] {
        cases.push(case(format!("LocationId {bad:?}"), Add, without(add_vod(), "LocationId").with("LocationId", bad), &[
            (code::UNEXPECTED_LOCATION_ID, "LocationId"),
        ]));
    }
    run(cases);
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

#[test]
fn live_stream_urls() {
    let mut cases = Vec::new();
    for good in [
        "rtmp://pull.example.com/app/stream",
        "rtmp://pull.example.com:1935/app/stream?auth_key=1700000000-0-0-abcdef",
        "rtmps://pull.example.com/app/stream",
        "http://pull.example.com/app/stream.flv",
        "https://pull.example.com/app/stream.m3u8?x=1",
        "artc://pull.example.com/app/stream",
        "srt://pull.example.com:9000?streamid=#!::r=app/stream,m=request",
        "RTMP://PULL.EXAMPLE.COM/app/stream",
        "Rtmps://h/a/s",
        "HTTP://h/a.flv",
        "HttpS://h/a.flv",
        "ARTC://h/a/s",
        "SRT://h:9000",
        "rtmp://10.0.0.1/app/s",
        "rtmp://[::1]:1935/app/s",
    ] {
        cases.push(case(format!("LiveStreamUrl {good}"), Add, add().with("LiveStreamUrl", good), &[]));
    }
    for bad in [
        format!("ftp://h/{MARK}"),
        format!("file:///{MARK}.flv"),
        format!("rtsp://h/{MARK}"),
        format!("rtmpx://h/{MARK}"),
        format!("webrtc://h/{MARK}"),
        format!("rtmp:///{MARK}"),
        "rtmp://".to_owned(),
        format!("rtmp://:1935/{MARK}"),
        format!("rtmp:/h/{MARK}"),
        format!("rtmp:h/{MARK}"),
        format!("/app/{MARK}"),
        format!("app/{MARK}"),
        format!("//h/app/{MARK}"),
        format!("pull.example.com/app/{MARK}"),
        format!("rtmp://h/app {MARK}"),
        format!(" rtmp://h/app/{MARK}"),
        format!("rtmp://h/app/{MARK} "),
        format!("rtmp://h/app/{MARK}\n"),
        format!("rtmp://h\u{0}/{MARK}"),
        format!("rtmp://h:99999/{MARK}"),
        format!("rtmp://h:port/{MARK}"),
        String::new(),
        MARK.to_owned(),
    ] {
        cases.push(case(format!("LiveStreamUrl {bad:?}"), Add, add().with("LiveStreamUrl", bad.as_str()), &[
            (code::INVALID_LIVE_STREAM_URL, "LiveStreamUrl"),
        ]));
        cases.push(case(format!("liveStreamUrl {bad:?}"), Add, add().with("liveStreamUrl", bad.as_str()), &[
            (code::INVALID_LIVE_STREAM_URL, "LiveStreamUrl"),
        ]));
    }
    run(cases);
}

#[test]
fn vod_urls() {
    let mut cases = Vec::new();
    for good in [
        "http://cdn.example.com/v/clip.mp4",
        "https://cdn.example.com/v/clip.flv",
        "https://cdn.example.com/v/seg.ts",
        "https://cdn.example.com/v/CLIP.MP4",
        "https://cdn.example.com/v/clip.Flv",
        "https://cdn.example.com/v/seg.TS",
        "https://cdn.example.com/v/clip.mp4?auth_key=1-0-0-abc&x=.avi",
        "https://cdn.example.com/v/clip.mp4?",
        "HTTPS://cdn.example.com/v/clip.mp4",
        "Http://cdn.example.com:8080/clip.mp4",
        "https://cdn.example.com/a.b.c.mp4",
    ] {
        cases.push(case(format!("VodUrl {good}"), Add, add().with("VodUrl", good), &[]));
    }
    for bad in [
        format!("http://h/{MARK}.avi"),
        format!("http://h/{MARK}.mkv"),
        format!("http://h/{MARK}.mp3"),
        format!("http://h/{MARK}.mp4.avi"),
        format!("http://h/{MARK}.mp4/"),
        format!("http://h/{MARK}mp4"),
        format!("http://h/{MARK}?f=.mp4"),
        format!("http://h/{MARK}.avi?x=.mp4"),
        format!("http://h/{MARK}?file=clip.flv"),
        format!("rtmp://h/{MARK}.mp4"),
        format!("ftp://h/{MARK}.mp4"),
        format!("file:///{MARK}.mp4"),
        format!("artc://h/{MARK}.flv"),
        format!("/v/{MARK}.mp4"),
        format!("{MARK}.mp4"),
        format!("http://h/{MARK} a.mp4"),
        format!("http:///{MARK}.mp4"),
        String::new(),
    ] {
        cases.push(case(format!("VodUrl {bad:?}"), Add, add().with("VodUrl", bad.as_str()), &[
            (code::INVALID_VOD_URL, "VodUrl"),
        ]));
        cases.push(case(format!("vodUrl {bad:?}"), Add, add().with("vodUrl", bad.as_str()), &[
            (code::INVALID_VOD_URL, "VodUrl"),
        ]));
    }
    run(cases);
}

#[test]
fn image_urls() {
    let mut cases = Vec::new();
    for good in [
        "http://img.example.com/a.jpg",
        "https://img.example.com/a.jpeg",
        "https://img.example.com/a.png",
        "https://img.example.com/A.JPG",
        "https://img.example.com/A.JpEg",
        "https://img.example.com/A.PNG?x-oss-process=image/resize",
        "HTTPS://img.example.com/p/a.png",
    ] {
        cases.push(case(format!("ImageUrl {good}"), Add, add().with("ImageUrl", good), &[]));
    }
    for bad in [
        format!("http://h/{MARK}.gif"),
        format!("http://h/{MARK}.webp"),
        format!("http://h/{MARK}.bmp"),
        format!("http://h/{MARK}.mp4"),
        format!("http://h/{MARK}?f=.png"),
        format!("http://h/{MARK}.jpg/"),
        format!("ftp://h/{MARK}.png"),
        format!("rtmp://h/{MARK}.jpg"),
        format!("/img/{MARK}.png"),
        format!("{MARK}.png"),
        format!("http://h/{MARK} a.png"),
        String::new(),
    ] {
        cases.push(case(format!("ImageUrl {bad:?}"), Add, add().with("ImageUrl", bad.as_str()), &[
            (code::INVALID_PARAMETER, "ImageUrl"),
        ]));
        cases.push(case(format!("imageUrl {bad:?}"), Add, add().with("imageUrl", bad.as_str()), &[
            (code::INVALID_PARAMETER, "ImageUrl"),
        ]));
    }
    run(cases);
}

/// A query (or fragment) may hold what the vendor's clients send, spaces included (the Tea client
/// sends `a=b c` as `a=b+c`, aliyun-python-sdk-core as `a=b%20c`); control characters stay refused
/// everywhere, and whitespace before the `?`: in the scheme, the host or the path.
#[test]
fn urls_whose_query_holds_a_space() {
    let mut cases = Vec::new();
    let sources: [(&str, &str, &str, &str); 3] = [
        ("LiveStreamUrl", code::INVALID_LIVE_STREAM_URL, "rtmp://a.example.com/live/s", ""),
        ("VodUrl", code::INVALID_VOD_URL, "https://vod.example.com/v/intro", ".mp4"),
        ("ImageUrl", code::INVALID_PARAMETER, "https://img.example.com/i/logo", ".png"),
    ];
    for (field, error, base, ext) in sources {
        for query in ["?auth_key=1-0-0-x&a=b c", "?a= ", "? ", "?name=caf\u{e9} cr\u{e8}me", "?a=b\u{3000}c", "?a=b#frag c", "?a=1+2 3"] {
            let good = format!("{base}{ext}{query}");
            cases.push(case(format!("{field} {good:?}"), Add, add().with(field, good.as_str()), &[]));
        }
        for bad in [
            format!("{base}{ext}?a=b\u{0}{MARK}"),
            format!("{base}{ext}?a=b\n{MARK}"),
            format!("{base}{ext}?a=b\t{MARK}"),
            format!("{base}{ext}?a=b\r{MARK}"),
            format!("{base}{ext}?a=b\u{7f}{MARK}"),
            format!("{base}{ext}?a=b\u{85}{MARK}"),
            format!("{base}{ext}#b\u{1}{MARK}"),
            format!("{base} {MARK}{ext}?a=b c"),
            format!("{base}/{MARK}\u{3000}{ext}?a=b c"),
            format!(" {base}{ext}?{MARK}=b c"),
            format!("{}{ext}?{MARK}=b c", base.replacen("example", "exa mple", 1)),
            format!("{}{ext}?{MARK}=b c", base.replacen("://", ":// ", 1)),
            format!("https:///{MARK}{ext}?a=b c"),
            format!("https://?{MARK}{ext}=b c"),
            format!("ftp://h/{MARK}{ext}?a=b c"),
        ] {
            cases.push(case(format!("{field} {bad:?}"), Add, add().with(field, bad.as_str()), &[(error, field)]));
        }
    }
    // The extension rule reads the path before any `?`, whatever the query holds.
    cases.push(case("VodUrl .avi with .mp4 in a spaced query", Add, add().with("VodUrl", format!("https://h/{MARK}.avi?f=a .mp4").as_str()), &[
        (code::INVALID_VOD_URL, "VodUrl"),
    ]));
    cases.push(case("ImageUrl .gif with .png in a spaced query", Add, add().with("ImageUrl", format!("https://h/{MARK}.gif?f=a .png").as_str()), &[
        (code::INVALID_PARAMETER, "ImageUrl"),
    ]));
    run(cases);
}

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

#[test]
fn file_only_parameters_need_a_file_source() {
    let ip = code::INVALID_PARAMETER;
    let non_file: [(&str, &str); 3] =
        [("LiveStreamUrl", "rtmp://h/app/s"), ("ImageId", "img-1"), ("ImageUrl", "https://h/i.jpg")];
    let file: [(&str, &str); 2] = [("VodUrl", "https://h/v.mp4"), ("MaterialId", "mat-1")];
    let mut cases = Vec::new();
    for (source, url) in non_file {
        for name in ["BeginOffset", "EndOffset", "RepeatNum"] {
            cases.push(case(format!("{name} with {source}"), Add, add().with(source, url).with(name, 1000), &[(ip, name)]));
            let camel = format!("{}{}", name[..1].to_ascii_lowercase(), &name[1..]);
            cases.push(case(format!("{camel} with {source}"), Add, add().with(source, url).with(&camel, "0"), &[(ip, name)]));
        }
        cases.push(case(format!("all three with {source}"), Add,
            add().with(source, url).with("BeginOffset", 0).with("EndOffset", -1).with("RepeatNum", -1),
            &[(ip, "BeginOffset"), (ip, "EndOffset"), (ip, "RepeatNum")]));
        // The two that are not file-only are fine with any source.
        cases.push(case(format!("Pts/FixedDelay with {source}"), Add,
            add().with(source, url).with("PtsCallbackInterval", 1000).with("FixedDelayDuration", 200), &[]));
    }
    for (source, url) in file {
        cases.push(case(format!("all file params with {source}"), Add,
            add().with(source, url).with("BeginOffset", 1000).with("EndOffset", 5000).with("RepeatNum", 3)
                .with("PtsCallbackInterval", 1000).with("FixedDelayDuration", 200), &[]));
    }
    run(cases);
}

#[test]
fn integer_range_boundaries() {
    let ip = code::INVALID_PARAMETER;
    let max = i32::MAX;
    let two_31 = 2_147_483_648.0_f64;
    let mut cases = Vec::new();
    let mut one = |name: &'static str, value: Value, ok: bool| {
        let label = format!("{name} = {value:?}");
        let want: &[(&str, &str)] = if ok { &[] } else { &[(ip, name)] };
        cases.push(case(label, Add, add_vod().with(name, value), want));
    };
    one("BeginOffset", Value::Number(-1.0), false);
    one("BeginOffset", Value::Number(0.0), true);
    one("BeginOffset", Value::Number(f64::from(max)), true);
    one("BeginOffset", Value::Number(two_31), false);
    one("BeginOffset", Value::Text("-1".into()), false);
    one("BeginOffset", Value::Number(f64::from(i32::MIN)), false);
    one("RepeatNum", Value::Number(-2.0), false);
    one("RepeatNum", Value::Number(-1.0), true);
    one("RepeatNum", Value::Number(0.0), true);
    one("RepeatNum", Value::Number(f64::from(max)), true);
    one("RepeatNum", Value::Number(two_31), false);
    one("RepeatNum", Value::Text("-2".into()), false);
    one("FixedDelayDuration", Value::Number(-1.0), false);
    one("FixedDelayDuration", Value::Number(0.0), true);
    one("FixedDelayDuration", Value::Number(5000.0), true);
    one("FixedDelayDuration", Value::Number(5001.0), false);
    one("FixedDelayDuration", Value::Text("5001".into()), false);
    one("FixedDelayDuration", Value::Number(f64::from(max)), false);
    one("PtsCallbackInterval", Value::Number(-1.0), false);
    one("PtsCallbackInterval", Value::Number(0.0), true);
    one("PtsCallbackInterval", Value::Number(f64::from(max)), true);
    one("PtsCallbackInterval", Value::Number(two_31), false);
    one("EndOffset", Value::Number(f64::from(max)), true);
    one("EndOffset", Value::Number(-1.0), true);
    one("EndOffset", Value::Number(f64::from(i32::MIN)), true);
    one("EndOffset", Value::Text("-2147483648".into()), true);
    one("EndOffset", Value::Number(two_31), false);
    one("EndOffset", Value::Number(-two_31 - 1.0), false);
    one("EndOffset", Value::Text("2147483648".into()), false);
    one("EndOffset", Value::Text("-2147483649".into()), false);
    for name in ["BeginOffset", "RepeatNum", "PtsCallbackInterval", "FixedDelayDuration", "EndOffset"] {
        one(name, Value::Number(1e300), false);
        one(name, Value::Number(-1e300), false);
        one(name, Value::Text("99999999999999999999".into()), false);
        one(name, Value::Text("99999999999999999999999999".into()), false);
    }
    run(cases);
}

#[test]
fn end_offset_after_begin_offset() {
    let ip = code::INVALID_PARAMETER;
    run(vec![
        case("end = begin", Add, add_vod().with("BeginOffset", 1000).with("EndOffset", 1000), &[(ip, "EndOffset")]),
        case("end < begin", Add, add_vod().with("BeginOffset", 1000).with("EndOffset", 999), &[(ip, "EndOffset")]),
        case("end < begin, strings", Add, add_vod().with("beginOffset", "1000").with("endOffset", "1"), &[(ip, "EndOffset")]),
        case("end just after begin", Add, add_vod().with("BeginOffset", 1000).with("EndOffset", 1001), &[]),
        case("end positive, no begin", Add, add_vod().with("EndOffset", 1), &[]),
        case("end after begin 0", Add, add_vod().with("BeginOffset", 0).with("EndOffset", 1), &[]),
        case("negative end with begin", Add, add_vod().with("BeginOffset", 1000).with("EndOffset", -5000), &[]),
        case("negative end, |end| < begin", Add, add_vod().with("BeginOffset", 10_000).with("EndOffset", -1), &[]),
        case("end with MaterialId", Add, add().with("MaterialId", "m").with("BeginOffset", 500).with("EndOffset", 400), &[(ip, "EndOffset")]),
    ]);
}

#[test]
fn numbers_that_are_not_32_bit_integers() {
    let ip = code::INVALID_PARAMETER;
    let bad_values = || {
        vec![
            Value::Number(1.5),
            Value::Number(0.5),
            Value::Number(-0.5),
            Value::Number(1_000.000_1),
            Value::Number(f64::EPSILON),
            Value::Number(f64::NAN),
            Value::Number(-f64::NAN),
            Value::Number(f64::INFINITY),
            Value::Number(f64::NEG_INFINITY),
            Value::Number(f64::MAX),
            Value::Number(f64::MIN_POSITIVE),
            Value::Text("1.5".into()),
            Value::Text("1.0".into()),
            Value::Text("1e3".into()),
            Value::Text("1E3".into()),
            Value::Text(" 1".into()),
            Value::Text("1 ".into()),
            Value::Text("1\n".into()),
            Value::Text("".into()),
            Value::Text("-".into()),
            Value::Text("--1".into()),
            Value::Text("0x10".into()),
            Value::Text("1_000".into()),
            Value::Text("1,000".into()),
            Value::Text("NaN".into()),
            Value::Text("Infinity".into()),
            Value::Text("abc".into()),
            Value::Text("\u{661}".into()), // Arabic-Indic digit one
            Value::Text("１".into()),      // full-width digit one
            Value::Text(format!("1{MARK}")),
        ]
    };
    let mut cases = Vec::new();
    for name in ["BeginOffset", "EndOffset", "RepeatNum", "PtsCallbackInterval", "FixedDelayDuration"] {
        for value in bad_values() {
            cases.push(case(format!("{name} = {value:?}"), Add, add_vod().with(name, value), &[(ip, name)]));
        }
    }
    run(cases);
}

#[test]
fn integers_are_normalised() {
    let cases: [(&str, Value, &str); 14] = [
        ("BeginOffset", Value::Text("0007".into()), "7"),
        ("BeginOffset", Value::Text("0".into()), "0"),
        ("BeginOffset", Value::Text("000".into()), "0"),
        ("BeginOffset", Value::Number(-0.0), "0"),
        ("BeginOffset", Value::Number(1e3), "1000"),
        ("BeginOffset", Value::Number(2_147_483_647.0), "2147483647"),
        ("BeginOffset", Value::Text("2147483647".into()), "2147483647"),
        ("EndOffset", Value::Text("-0005".into()), "-5"),
        ("EndOffset", Value::Number(-2_147_483_648.0), "-2147483648"),
        ("RepeatNum", Value::Text("-1".into()), "-1"),
        ("RepeatNum", Value::Number(3.0), "3"),
        ("FixedDelayDuration", Value::Text("05000".into()), "5000"),
        ("PtsCallbackInterval", Value::Number(1000.0), "1000"),
        ("PtsCallbackInterval", Value::Text("1000".into()), "1000"),
    ];
    for (name, value, wire) in cases {
        let label = format!("{name} = {value:?}");
        let valid = validate(Add, &add_vod().with(name, value)).unwrap_or_else(|e| panic!("{label}: {e:?}"));
        assert_eq!(valid.get(name), Some(wire), "{label}");
    }
}

// ---------------------------------------------------------------------------------------------
// Types, names, spellings
// ---------------------------------------------------------------------------------------------

#[test]
fn wrong_types() {
    let ip = code::INVALID_PARAMETER;
    let wrong = || {
        vec![
            Value::WrongType("boolean"),
            Value::WrongType("object"),
            Value::WrongType("array"),
            Value::WrongType("bigint"),
            Value::WrongType("function"),
            Value::WrongType("symbol"),
            Value::IllFormedText,
        ]
    };
    let mut cases = Vec::new();
    for name in ["CasterId", "SceneId", "RegionId"] {
        let mut values = wrong();
        values.push(Value::Number(5.0));
        values.push(Value::Number(0.0));
        values.push(Value::Number(f64::NAN));
        for value in values {
            cases.push(case(format!("start {name} = {value:?}"), Start, without(start(), name).with(name, value), &[(ip, name)]));
        }
    }
    for name in ["CasterId", "ResourceName", "LocationId", "RegionId"] {
        let mut values = wrong();
        values.push(Value::Number(1.0));
        for value in values {
            cases.push(case(format!("add {name} = {value:?}"), Add, without(add_vod(), name).with(name, value), &[(ip, name)]));
        }
    }
    // A source of the wrong type is still the one source given; only its type is reported.
    for name in ["LiveStreamUrl", "MaterialId", "VodUrl", "ImageId", "ImageUrl"] {
        let mut values = wrong();
        values.push(Value::Number(12345.0));
        for value in values {
            cases.push(case(format!("add {name} = {value:?}"), Add, add().with(name, value), &[(ip, name)]));
        }
    }
    for name in ["BeginOffset", "EndOffset", "RepeatNum", "PtsCallbackInterval", "FixedDelayDuration"] {
        for value in wrong() {
            cases.push(case(format!("add {name} = {value:?}"), Add, add_vod().with(name, value), &[(ip, name)]));
        }
    }
    run(cases);
}

#[test]
fn wrong_type_messages_name_the_type() {
    for (value, type_name) in [
        (Value::WrongType("boolean"), "boolean"),
        (Value::WrongType("object"), "object"),
        (Value::WrongType("array"), "array"),
        (Value::Number(5.0), "number"),
    ] {
        let errors = validate(Start, &RawParams::new().with("CasterId", value.clone()).with("SceneId", "s"))
            .expect_err("wrong type");
        assert_eq!(errors.len(), 1, "{value:?}");
        assert!(errors[0].message.contains(type_name), "{value:?}: {}", errors[0].message);
        assert!(errors[0].message.contains("string"), "{value:?}: {}", errors[0].message);
    }
}

#[test]
fn camel_case_spellings_are_the_same_fields() {
    let valid = validate(Start, &RawParams::new().with("casterId", "c").with("sceneId", "s").with("regionId", "cn-beijing"))
        .expect("camelCase keys");
    let got: BTreeMap<&str, &str> = valid.values.iter().map(|(k, v)| (k.as_ref(), v.as_str())).collect();
    let want: BTreeMap<&str, &str> = [("CasterId", "c"), ("SceneId", "s"), ("RegionId", "cn-beijing")].into_iter().collect();
    assert_eq!(got, want);
    assert_eq!(valid.action, Start);

    let params = RawParams::new()
        .with("resourceName", "Camera 1")
        .with("CasterId", "c-1")
        .with("locationId", "RV02")
        .with("vodUrl", "https://h/v.mp4")
        .with("beginOffset", "0007")
        .with("EndOffset", -3000)
        .with("repeatNum", "-1")
        .with("ptsCallbackInterval", 1000.0)
        .with("fixedDelayDuration", Value::Number(5000.0))
        .with("regionId", "cn-beijing");
    let valid = validate(Add, &params).expect("mixed spellings");
    let got: BTreeMap<&str, &str> = valid.values.iter().map(|(k, v)| (k.as_ref(), v.as_str())).collect();
    let want: BTreeMap<&str, &str> = [
        ("CasterId", "c-1"),
        ("ResourceName", "Camera 1"),
        ("LocationId", "RV02"),
        ("VodUrl", "https://h/v.mp4"),
        ("BeginOffset", "7"),
        ("EndOffset", "-3000"),
        ("RepeatNum", "-1"),
        ("PtsCallbackInterval", "1000"),
        ("FixedDelayDuration", "5000"),
        ("RegionId", "cn-beijing"),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    assert_eq!(valid.values.len(), want.len(), "no field twice, nothing extra");
}

#[test]
fn absent_optional_fields_are_simply_absent() {
    // `null` and `undefined` never reach the core: the keys are left out.
    let valid = validate(Add, &add_live()).expect("minimal");
    let keys: Vec<&str> = valid.values.iter().map(|(k, _)| k.as_ref()).collect();
    for absent in ["MaterialId", "VodUrl", "BeginOffset", "EndOffset", "RepeatNum", "PtsCallbackInterval", "FixedDelayDuration", "ImageId", "ImageUrl", "RegionId"] {
        assert!(!keys.contains(&absent), "{absent} in {keys:?}");
    }
    assert_eq!(valid.get("LiveStreamUrl"), Some("rtmp://pull.example.com/app/stream"));
    let valid = validate(Start, &start()).expect("minimal");
    assert_eq!(valid.get("RegionId"), None);
    assert_eq!(valid.values.len(), 2);
}

#[test]
fn unknown_and_foreign_field_names() {
    let ip = code::INVALID_PARAMETER;
    let mp = code::MISSING_PARAMETER;
    run(vec![
        // Not the camelCase spelling: unknown, and CasterId is then missing.
        case("start CasterID", Start, RawParams::new().with("CasterID", "c").with("SceneId", "s"), &[(ip, "CasterID"), (mp, "CasterId")]),
        case("start casterid", Start, without(start(), "CasterId").with("casterid", "c"), &[(ip, "casterid"), (mp, "CasterId")]),
        case("start CASTERID", Start, start().with("CASTERID", "c"), &[(ip, "CASTERID")]),
        case("start caster_id", Start, start().with("caster_id", "c"), &[(ip, "caster_id")]),
        case("start Scene", Start, start().with("Scene", "s"), &[(ip, "Scene")]),
        case("start empty key", Start, start().with("", "x"), &[(ip, "")]),
        case("start unrelated", Start, start().with("Completely", "x"), &[(ip, "Completely")]),
        case("start Action", Start, start().with("Action", "StartCasterScene"), &[(ip, "Action")]),
        case("start Signature", Start, start().with("Signature", "x"), &[(ip, "Signature")]),
        // Fields of the other operation.
        case("start VodUrl", Start, start().with("VodUrl", "http://h/v.mp4"), &[(ip, "VodUrl")]),
        case("start resourceName", Start, start().with("resourceName", "n"), &[(ip, "resourceName")]),
        case("start LocationId", Start, start().with("LocationId", "RV01"), &[(ip, "LocationId")]),
        case("add SceneId", Add, add_vod().with("SceneId", "s"), &[(ip, "SceneId")]),
        case("add sceneId", Add, add_vod().with("sceneId", "s"), &[(ip, "sceneId")]),
        // Near misses in AddCasterVideoResource.
        case("add VodURL", Add, add().with("VodURL", "http://h/v.mp4"), &[(ip, "VodURL"), (mp, ALL_SOURCES)]),
        case("add Locationid", Add, without(add_vod(), "LocationId").with("Locationid", "RV01"), &[(ip, "Locationid"), (mp, "LocationId")]),
        case("add BeginOfset", Add, add_vod().with("BeginOfset", 1), &[(ip, "BeginOfset")]),
    ]);
}

#[test]
fn unknown_names_get_the_nearest_suggestion() {
    for (action, params, key, suggestion) in [
        (Start, RawParams::new().with("CasterID", "c").with("SceneId", "s"), "CasterID", "CasterId"),
        (Start, start().with("sceneID", "s2"), "sceneID", "SceneId"),
        (Start, start().with("RegionID", "cn-shanghai"), "RegionID", "RegionId"),
        (Add, add().with("VodURL", "http://h/v.mp4"), "VodURL", "VodUrl"),
        (Add, add_vod().with("RepeatNumber", 1), "RepeatNumber", "RepeatNum"),
        (Add, add_vod().with("FixedDelayDurations", 1), "FixedDelayDurations", "FixedDelayDuration"),
        (Add, add().with("liveStreamURL", "rtmp://h/a/s"), "liveStreamURL", "LiveStreamUrl"),
    ] {
        let errors = validate(action, &params).expect_err(key);
        let error = errors
            .iter()
            .find(|e| e.field.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("{key}: no error for it in {errors:?}"));
        assert_eq!(error.code, code::INVALID_PARAMETER, "{key}");
        assert!(error.message.contains(&format!("\"{suggestion}\"")), "{key}: {}", error.message);
    }
}

#[test]
fn a_field_of_the_other_operation_says_so() {
    for (action, key, other) in [
        (Start, "VodUrl", "AddCasterVideoResource"),
        (Start, "resourceName", "AddCasterVideoResource"),
        (Add, "SceneId", "StartCasterScene"),
    ] {
        let params = if action == Start { start() } else { add_vod() }.with(key, "x");
        let errors = validate(action, &params).expect_err(key);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains(other), "{key}: {}", errors[0].message);
    }
}

#[test]
fn a_field_given_twice() {
    let ip = code::INVALID_PARAMETER;
    run(vec![
        case("start CasterId twice", Start, start().with("casterId", "c2"), &[(ip, "CasterId")]),
        case("start SceneId twice", Start, RawParams::new().with("sceneId", "s").with("CasterId", "c").with("SceneId", "s"), &[(ip, "SceneId")]),
        case("start same key twice", Start, start().with("CasterId", "c"), &[(ip, "CasterId")]),
        case("start RegionId twice", Start, start().with("RegionId", "cn-shanghai").with("regionId", "cn-shanghai"), &[(ip, "RegionId")]),
        case("add VodUrl twice", Add, add_vod().with("vodUrl", "https://h/v.mp4"), &[(ip, "VodUrl")]),
        case("add BeginOffset twice", Add, add_vod().with("BeginOffset", 1).with("beginOffset", 1), &[(ip, "BeginOffset")]),
        case("add LocationId twice", Add, add_vod().with("locationId", "RV02"), &[(ip, "LocationId")]),
    ]);
    // The message names both spellings.
    let errors = validate(Start, &start().with("casterId", "c2")).expect_err("twice");
    assert!(errors[0].message.contains("\"casterId\""), "{}", errors[0].message);
}

#[test]
fn too_many_keys() {
    let ip = code::INVALID_PARAMETER;
    let padded = |base: RawParams, total: usize| {
        let mut params = base;
        let mut n = 0;
        while params.entries.len() < total {
            params.push(format!("Extra{n}"), Value::Text("x".into()));
            n += 1;
        }
        params
    };
    // 64 keys: each unknown key is reported on its own.
    let errors = validate(Start, &padded(start(), 64)).expect_err("62 unknown keys");
    assert_eq!(errors.len(), 62);
    assert!(errors.iter().all(|e| e.code == ip && e.field.as_deref().is_some_and(|f| f.starts_with("Extra"))));
    // 65 keys: refused whole.
    run(vec![case("start 65 keys", Start, padded(start(), 65), &[(ip, "params")])]);
    for total in [65, 1000] {
        let errors = validate(Add, &padded(add_vod(), total)).expect_err("too many keys");
        let params_errors: Vec<_> = errors.iter().filter(|e| e.field.as_deref() == Some("params")).collect();
        assert_eq!(params_errors.len(), 1, "{total}: {errors:?}");
        assert_eq!(params_errors[0].code, ip);
        assert_eq!(params_errors[0].kind, ErrorKind::Validation);
        assert!(params_errors[0].message.contains(&total.to_string()), "{}", params_errors[0].message);
        assert_eq!(errors.len(), 1, "{total}: refused whole, one error: {errors:?}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let params = RawParams::new()
        .with("CasterId", format!("{MARK} bad").as_str())
        .with("LocationId", "RV00")
        .with("LiveStreamUrl", format!("ftp://h/{MARK}").as_str())
        .with("BeginOffset", -1)
        .with("FixedDelayDuration", 5001)
        .with("PtsCallbackInterval", 1.5)
        .with("Nope", 1);
    run(vec![case("many problems", Add, params, &[
        (code::INVALID_CASTER_ID, "CasterId"),
        (code::MISSING_PARAMETER, "ResourceName"),
        (code::UNEXPECTED_LOCATION_ID, "LocationId"),
        (code::INVALID_LIVE_STREAM_URL, "LiveStreamUrl"),
        (code::INVALID_PARAMETER, "BeginOffset"), // file-only
        (code::INVALID_PARAMETER, "BeginOffset"), // below 0
        (code::INVALID_PARAMETER, "FixedDelayDuration"),
        (code::INVALID_PARAMETER, "PtsCallbackInterval"),
        (code::INVALID_PARAMETER, "Nope"),
    ])]);
}

#[test]
fn messages_never_quote_values() {
    // Beyond the per-case check in `run`: a value with an auth key in a stream URL, in every field.
    let secretish = format!("rtmp://h/app/s?auth_key={MARK}-0-0-abcdef extra");
    let mut all_messages = Vec::new();
    for &action in Action::ALL {
        for spec in action.fields() {
            for key in [spec.name.to_owned(), format!("{}{}", spec.name[..1].to_ascii_lowercase(), &spec.name[1..])] {
                for value in [Value::Text(secretish.clone()), Value::Text(format!("{MARK}\u{0}")), Value::Text(format!("{MARK}{}", "x".repeat(200)))] {
                    if let Err(errors) = validate(action, &RawParams::new().with(&key, value)) {
                        all_messages.extend(errors.into_iter().map(|e| e.message));
                    }
                }
            }
        }
    }
    assert!(!all_messages.is_empty());
    for message in all_messages {
        assert!(!message.contains(MARK), "{message}");
        assert!(!message.contains("auth_key"), "{message}");
    }
}

/// src/limits.rs: 16,384 UTF-8 bytes a value (on its field, with the field's own code), 65,536 for
/// all names and values together; a string the JS boundary left outside (`Value::Oversized`) is
/// refused the same way. Valid at the limits, refused one byte over, counted in bytes.
#[test]
fn length_limits() {
    use aliyun_caster::limits::{MAX_PARAMS_BYTES, MAX_VALUE_BYTES};
    let vod = |name: &str, value: Value| {
        RawParams::new().with("CasterId", "c").with("ResourceName", "r").with("LocationId", "RV01").with("VodUrl", "https://h/a.mp4").with(name, value)
    };
    let url = |bytes: usize| format!("https://h/{}.mp4", "p".repeat(bytes - 14));
    let at = |name: &str, value: Value| {
        let mut params = vod("x", Value::Number(0.0));
        params.entries.retain(|(key, _)| key != "x" && key != name);
        params.push(name.to_owned(), value);
        params
    };
    assert!(validate(Add, &at("ResourceName", Value::Text("x".repeat(MAX_VALUE_BYTES)))).is_ok());
    assert!(validate(Add, &at("ResourceName", Value::Text("\u{e9}".repeat(MAX_VALUE_BYTES / 2)))).is_ok());
    assert!(validate(Add, &at("VodUrl", Value::Text(url(MAX_VALUE_BYTES)))).is_ok());
    for (name, value, want) in [
        ("ResourceName", Value::Text("x".repeat(MAX_VALUE_BYTES + 1)), code::INVALID_PARAMETER),
        ("ResourceName", Value::Text("\u{e9}".repeat(MAX_VALUE_BYTES / 2 + 1)), code::INVALID_PARAMETER),
        ("ResourceName", Value::Oversized(20_000_000), code::INVALID_PARAMETER),
        ("VodUrl", Value::Text(url(MAX_VALUE_BYTES + 1)), code::INVALID_VOD_URL),
        ("VodUrl", Value::Oversized(MAX_VALUE_BYTES + 1), code::INVALID_VOD_URL),
        ("CasterId", Value::Oversized(MAX_VALUE_BYTES + 1), code::INVALID_CASTER_ID),
        ("LocationId", Value::Text("R".repeat(MAX_VALUE_BYTES + 1)), code::UNEXPECTED_LOCATION_ID),
        ("RepeatNum", Value::Oversized(MAX_VALUE_BYTES + 1), code::INVALID_PARAMETER),
    ] {
        let errors = validate(Add, &at(name, value)).expect_err(name);
        assert_eq!(errors.iter().map(|e| (e.code, e.field.as_deref())).collect::<Vec<_>>(), [(want, Some(name))], "{name}");
        assert!(errors[0].message.contains("16,384 bytes"), "{}", errors[0].message);
    }
    // The total: names and values within their own limit, 65,536 bytes.
    let total = |bytes: usize| {
        let mut params = RawParams::new().with("CasterId", "c").with("SceneId", "s");
        let mut left = bytes - "CasterIdcSceneIds".len();
        for name in ["A", "B", "C", "D"] {
            let value = (left - 1).min(MAX_VALUE_BYTES);
            params.push(name.to_owned(), Value::Text("x".repeat(value)));
            left -= 1 + value;
        }
        assert_eq!(left, 0);
        params
    };
    let fields = |bytes| validate(Start, &total(bytes)).err().unwrap_or_default().into_iter().map(|e| e.field.unwrap_or_default()).collect::<Vec<_>>();
    assert_eq!(fields(MAX_PARAMS_BYTES), ["A", "B", "C", "D"], "unknown names, but within the total");
    assert_eq!(fields(MAX_PARAMS_BYTES + 1), ["params"]);
}
