//! Small checks on text shared by the validators.

/// Any whitespace character (Unicode `White_Space`).
pub fn has_whitespace(s: &str) -> bool {
    // ASCII text (the usual case) is checked a byte at a time: tab to carriage return, and space.
    if s.is_ascii() {
        s.bytes().any(|b| matches!(b, b'\t'..=b'\r' | b' '))
    } else {
        s.chars().any(char::is_whitespace)
    }
}

/// Any control character (C0, DEL, C1).
pub fn has_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    }
}

/// Levenshtein distance over ASCII-lowercased characters, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        let mut row = current.iter_mut();
        if let Some(first) = row.next() {
            *first = i + 1;
        }
        let mut left = i + 1;
        for (j, (cb, cell)) in b.iter().zip(row).enumerate() {
            let diagonal = previous.get(j).copied().unwrap_or(usize::MAX);
            let up = previous.get(j + 1).copied().unwrap_or(usize::MAX);
            let cost = usize::from(ca != cb);
            let value = (diagonal.saturating_add(cost)).min(up.saturating_add(1)).min(left.saturating_add(1));
            *cell = value;
            left = value;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

/// The candidate nearest to `name`, if it is near enough to be a likely typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.chars().count() > 64 {
        return None;
    }
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = edit_distance(name, candidate);
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    let limit = (candidate.len() / 3).max(2);
    (distance <= limit).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("CasterID", "CasterId"), 0);
        assert_eq!(edit_distance("VodURL", "VodUrl"), 0);
        assert_eq!(edit_distance("LocationI", "LocationId"), 1);
    }

    #[test]
    fn suggestions() {
        let names = ["CasterId", "SceneId", "RegionId"];
        assert_eq!(nearest("CasterID", names), Some("CasterId"));
        assert_eq!(nearest("caster_id", names), Some("CasterId"));
        assert_eq!(nearest("Scene", names), Some("SceneId"));
        assert_eq!(nearest("Completely", names), None);
    }

    #[test]
    fn ascii_fast_paths_agree_with_unicode_properties() {
        for byte in 0u8..128 {
            let c = char::from(byte);
            let alone = c.to_string();
            assert_eq!(has_whitespace(&alone), c.is_whitespace(), "{byte:#04x}");
            assert_eq!(has_control(&alone), c.is_control(), "{byte:#04x}");
            // The same character inside non-ASCII text takes the other path.
            let mixed = format!("é{c}");
            assert_eq!(has_whitespace(&mixed), c.is_whitespace(), "{byte:#04x} after é");
            assert_eq!(has_control(&mixed), c.is_control(), "{byte:#04x} after é");
        }
    }

    #[test]
    fn whitespace_and_control() {
        assert!(has_whitespace("a\u{3000}b"));
        assert!(has_whitespace("a\tb"));
        assert!(!has_whitespace("ab"));
        assert!(has_control("a\u{0}b"));
        assert!(has_control("a\u{7f}"));
        assert!(has_control("a\u{85}"));
        assert!(!has_control("a b"));
    }
}
