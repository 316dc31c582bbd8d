//! Parameters as a caller hands them over, before validation. The JS boundary turns JS values into
//! these; Rust callers build them directly.

/// One parameter's value as given. `undefined` and `null` never get here: they count as absent.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// A JS string with a lone UTF-16 surrogate; it has no UTF-8 form, so it cannot be signed.
    IllFormedText,
    /// A value of another type, named as a person would (`"boolean"`, `"object"`, `"array"`, …).
    WrongType(&'static str),
    /// A string longer than [`crate::limits::MAX_VALUE_BYTES`], left outside the wasm instance
    /// by the JS boundary: its length in UTF-16 units (its UTF-8 form is at least as long).
    Oversized(usize),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<i32> for Value {
    fn from(number: i32) -> Self {
        Self::Number(f64::from(number))
    }
}

impl From<f64> for Value {
    fn from(number: f64) -> Self {
        Self::Number(number)
    }
}

/// The parameters of one call, keys as the caller spelled them, in the caller's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawParams {
    pub entries: Vec<(String, Value)>,
}

impl RawParams {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parameter (builder style).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.entries.push((key.to_owned(), value.into()));
        self
    }

    pub fn push(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for RawParams {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self { entries: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}
