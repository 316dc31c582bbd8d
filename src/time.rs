//! The `Timestamp` parameter: UTC, `YYYY-MM-DDThh:mm:ssZ`, no milliseconds. The core never reads
//! a clock; callers pass the time in.

use std::fmt;

use crate::error::{code, Error};

/// Seconds since the Unix epoch, within years 1970 to 9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    secs: i64,
}

const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

fn invalid(field: &str) -> Error {
    Error::validation(
        code::INVALID_PARAMETER,
        field,
        format!("{field} must be a UTC time written YYYY-MM-DDThh:mm:ssZ (milliseconds are dropped), or a valid Date, between 1970 and 9999"),
    )
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl Timestamp {
    /// From seconds since the epoch.
    pub fn from_unix_secs(secs: i64) -> Option<Self> {
        (0..=MAX_SECS).contains(&secs).then_some(Self { secs })
    }

    /// From a JS clock reading (milliseconds since the epoch); milliseconds are dropped.
    pub fn from_unix_millis(millis: f64, field: &str) -> Result<Self, Error> {
        if !millis.is_finite() {
            return Err(invalid(field));
        }
        let secs = (millis / 1000.0).floor();
        if !(0.0..=MAX_SECS as f64).contains(&secs) {
            return Err(invalid(field));
        }
        // In range and integral, so the conversion is exact.
        Self::from_unix_secs(secs as i64).ok_or_else(|| invalid(field))
    }

    /// Parses `YYYY-MM-DDThh:mm:ssZ`, also with a fraction of a second (`.123Z`), which is dropped.
    pub fn parse(text: &str, field: &str) -> Result<Self, Error> {
        Self::read(text).ok_or_else(|| invalid(field))
    }

    /// [`Timestamp::parse`] without an error to build: `None` where it fails. The operations'
    /// own time parameters are checked with it, with a message of their own.
    pub fn read(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let digits = |from: usize, len: usize| -> Option<i64> {
            let slice = bytes.get(from..from + len)?;
            slice.iter().try_fold(0i64, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
            })
        };
        let at = |index: usize, want: u8| bytes.get(index) == Some(&want);
        let shape = at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':');
        let rest = bytes.get(19..).unwrap_or_default();
        let tail_ok = match rest {
            [b'Z'] => true,
            [b'.', fraction @ .., b'Z'] => {
                !fraction.is_empty() && fraction.len() <= 9 && fraction.iter().all(u8::is_ascii_digit)
            }
            _ => false,
        };
        if !shape || !tail_ok {
            return None;
        }
        let parts = (digits(0, 4), digits(5, 2), digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2));
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = parts else {
            return None;
        };
        let valid = year >= 1970
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return None;
        }
        let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Self::from_unix_secs(secs)
    }

    pub fn unix_secs(self) -> i64 {
        self.secs
    }
}

/// Appends `value` as exactly `width` decimal digits (the years and fields here always fit).
fn push_digits(out: &mut [u8; 20], at: usize, value: i64, width: usize) {
    let mut rest = value.unsigned_abs();
    for offset in (0..width).rev() {
        if let Some(slot) = out.get_mut(at + offset) {
            // A single decimal digit.
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
    }
}

impl Timestamp {
    /// `YYYY-MM-DDThh:mm:ssZ`, written without the formatting machinery.
    fn text(self) -> [u8; 20] {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let mut out = *b"0000-00-00T00:00:00Z";
        push_digits(&mut out, 0, year, 4);
        push_digits(&mut out, 5, month, 2);
        push_digits(&mut out, 8, day, 2);
        push_digits(&mut out, 11, rem / 3600, 2);
        push_digits(&mut out, 14, (rem % 3600) / 60, 2);
        push_digits(&mut out, 17, rem % 60, 2);
        out
    }

    /// `YYYY-MM-DDThh:mm:ssZ` as a `String`. What signing uses: `to_string()` goes through
    /// `Display` and a `Formatter`, and links the formatting of this type into the .wasm.
    pub fn to_text(self) -> String {
        crate::encoding::ascii_to_string(self.text().to_vec())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only ASCII digits and separators were written.
        f.write_str(std::str::from_utf8(&self.text()).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Timestamp, Error> {
        Timestamp::parse(text, "timestamp")
    }

    #[test]
    fn to_text_writes_what_display_writes() {
        for secs in [0, 951_868_799, 1_456_231_584, 1_767_225_600, MAX_SECS] {
            let timestamp = Timestamp::from_unix_secs(secs).expect("in range");
            assert_eq!(timestamp.to_text(), timestamp.to_string());
            assert_eq!(parse(&timestamp.to_text()), Ok(timestamp));
        }
        assert_eq!(Timestamp::from_unix_secs(1_456_231_584).map(Timestamp::to_text).as_deref(), Some("2016-02-23T12:46:24Z"));
    }

    #[test]
    fn known_instants() {
        assert_eq!(parse("1970-01-01T00:00:00Z").map(Timestamp::unix_secs), Ok(0));
        // `date -u -d 2016-02-23T12:46:24Z +%s`
        assert_eq!(parse("2016-02-23T12:46:24Z").map(Timestamp::unix_secs), Ok(1_456_231_584));
        assert_eq!(parse("2000-02-29T23:59:59Z").map(Timestamp::unix_secs), Ok(951_868_799));
        assert_eq!(parse("9999-12-31T23:59:59Z").map(Timestamp::unix_secs), Ok(MAX_SECS));
        assert_eq!(parse("2016-02-23T12:46:24.999Z").map(Timestamp::unix_secs), Ok(1_456_231_584));
    }

    #[test]
    fn formats_back() {
        for text in ["1970-01-01T00:00:00Z", "2016-02-23T12:46:24Z", "2024-02-29T00:00:01Z", "9999-12-31T23:59:59Z"] {
            assert_eq!(parse(text).map(|t| t.to_string()).as_deref(), Ok(text));
        }
        assert_eq!(
            Timestamp::from_unix_millis(1_456_231_584_999.0, "t").map(|t| t.to_string()).as_deref(),
            Ok("2016-02-23T12:46:24Z")
        );
    }

    #[test]
    fn rejects_malformed() {
        for text in [
            "", "2016-02-23", "2016-02-23T12:46:24", "2016-02-23 12:46:24Z", "2016-02-23T12:46:24+08:00",
            "2016-13-01T00:00:00Z", "2016-00-01T00:00:00Z", "2015-02-29T00:00:00Z", "2016-04-31T00:00:00Z",
            "2016-02-23T24:00:00Z", "2016-02-23T12:60:00Z", "2016-02-23T12:46:60Z", "1969-12-31T23:59:59Z",
            "2016-02-23T12:46:24.Z", "2016-02-23T12:46:24.1234567890Z", "２016-02-23T12:46:24Z",
            "+016-02-23T12:46:24Z", "2016-02-23T12:46:24ZZ",
        ] {
            let err = parse(text).expect_err(text);
            assert_eq!((err.code, err.field.as_deref()), (code::INVALID_PARAMETER, Some("timestamp")), "{text}");
        }
        assert!(Timestamp::from_unix_millis(f64::NAN, "t").is_err());
        assert!(Timestamp::from_unix_millis(-1.0, "t").is_err());
        assert!(Timestamp::from_unix_millis(1e300, "t").is_err());
    }
}
