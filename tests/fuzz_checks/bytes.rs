//! Structured reading of fuzzer bytes. Every read succeeds: past the end of the input it yields
//! zeros and empty text, so any byte string decodes to some case and the fuzzer's mutations stay
//! local (one length byte, then that many bytes of text).

pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((first, rest)) => {
                self.data = rest;
                *first
            }
            None => 0,
        }
    }

    /// A choice among `n` (at least 1) cases.
    pub fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    pub fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(len.min(self.data.len()));
        self.data = rest;
        head
    }

    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for (slot, byte) in out.iter_mut().zip(self.take(N)) {
            *slot = *byte;
        }
        out
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    pub fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.array())
    }

    pub fn f64(&mut self) -> f64 {
        f64::from_le_bytes(self.array())
    }

    /// One length byte, then up to that many bytes (at most `max`) read as UTF-8 (ill-formed
    /// sequences become U+FFFD).
    pub fn text(&mut self, max: usize) -> String {
        let len = usize::from(self.byte()) % (max + 1);
        String::from_utf8_lossy(self.take(len)).into_owned()
    }

    /// Two length bytes, for text longer than 255 bytes.
    pub fn long_text(&mut self, max: usize) -> String {
        let len = usize::from(self.u16()) % (max + 1);
        String::from_utf8_lossy(self.take(len)).into_owned()
    }

    /// One of `choices`.
    pub fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[self.below(choices.len())]
    }
}
