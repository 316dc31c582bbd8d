//! JSON text for results whose strings may hold any character (decoded request parameters can
//! carry a NUL, so the packed form does not fit them). `JSON.parse` defines own properties.

pub fn string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut run_start = 0;
    for (index, &byte) in text.as_bytes().iter().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // Only ASCII bytes end a run, so every slice edge is a character boundary.
        out.push_str(text.get(run_start..index).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(crate::encoding::hex_digit(byte >> 4, false));
            out.push(crate::encoding::hex_digit(byte, false));
        } else {
            out.push_str(escape);
        }
        run_start = index + 1;
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
    out.push('"');
}

/// `[[key, value], …]`.
pub fn pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::from("[");
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push('[');
        string(&mut out, key);
        out.push(',');
        string(&mut out, value);
        out.push(']');
    }
    out.push(']');
    out
}
