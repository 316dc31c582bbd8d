//! HMAC (RFC 2104) over SHA-1 for v1 and SHA-256 for V3, the only place the AccessKeySecret is
//! turned into a signature.
//!
//! The `hmac` crate computes it, with the `zeroize` features of `hmac`, `sha1` and `sha2`: the
//! hash states it holds (the inner and outer states after the key XOR pad blocks, each as good as
//! the key for signing anything) are zeroed when it is dropped. That is not all the key leaves
//! behind: the crate's key block XOR opad, and the copies of the states that moves leave in the
//! frames below, are never zeroed. So the HMAC runs in a frame of its own, and the stack it used
//! is zeroed once it returns ([`scrub_stack`]).

use hmac::digest::{Digest, Output};
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use zeroize::{Zeroize, Zeroizing};

use crate::error::Error;

/// How much of the stack below the caller's frame [`scrub_stack`] zeroes: every frame the HMAC ran
/// in, with room to spare. In the wasm build 256 bytes left a hash state behind and 1 KB did not
/// (tests/hmac-key-memory.test.mjs).
const SCRUB_BYTES: usize = 4096;

/// HMAC over `D`, the key given as the concatenation of `key_parts` (v1 appends `&` to the
/// secret). Nothing derived from the key is left in memory when it returns.
pub(crate) fn hmac<D: EagerHash + Digest>(key_parts: &[&[u8]], message: &[u8]) -> Result<Output<Hmac<D>>, Error> {
    let result = hmac_in_own_frame::<D>(key_parts, message);
    scrub_stack();
    result
}

/// Zeroes [`SCRUB_BYTES`] of the stack below the caller's frame: the frames of the functions it
/// called last. Out of line, so that its frame is where theirs were.
#[inline(never)]
fn scrub_stack() {
    // In words, not bytes: an eighth of the (volatile) writes.
    let mut area = [0u64; SCRUB_BYTES / 8];
    // Volatile writes: the compiler may not drop them because the array is never read.
    area.zeroize();
    core::hint::black_box(&area);
}

/// The HMAC itself, the key copied once into a buffer of exactly its length that is zeroed when
/// dropped. Out of line, so that every copy it and the crate make lies below [`hmac`]'s frame.
#[inline(never)]
fn hmac_in_own_frame<D: EagerHash + Digest>(key_parts: &[&[u8]], message: &[u8]) -> Result<Output<Hmac<D>>, Error> {
    let mut key = Zeroizing::new(Vec::with_capacity(key_parts.iter().map(|part| part.len()).sum()));
    for part in key_parts {
        key.extend_from_slice(part);
    }
    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(&key).map_err(|_| Error::internal("HMAC refused its key"))?;
    mac.update(message);
    Ok(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::Sha1;
    use sha2::Sha256;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn hmac_hex<D: EagerHash + Digest>(key_parts: &[&[u8]], message: &[u8]) -> String {
        hex(&hmac::<D>(key_parts, message).expect("HMAC takes any key"))
    }

    /// The HMAC-SHA1 test cases of RFC 2202, section 3: short keys, a key of exactly one block
    /// and keys longer than a block (hashed first), and the key split into parts as the signer
    /// passes it.
    #[test]
    fn hmac_sha1_rfc_2202() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (vec![0x0b; 20], b"Hi There".to_vec(), "b617318655057264e28bc0b6fb378c8ef146be00"),
            (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (vec![0xaa; 20], vec![0xdd; 50], "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
            ((1..=25).collect(), vec![0xcd; 50], "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
            (vec![0x0c; 20], b"Test With Truncation".to_vec(), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
            (vec![0xaa; 80], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
            (
                vec![0xaa; 80],
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".to_vec(),
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
            ),
        ];
        for (key, data, expected) in cases {
            assert_eq!(hmac_hex::<Sha1>(&[&key], &data), expected);
            for split in [0, 1, key.len() / 2, key.len()] {
                let (a, b) = key.split_at(split);
                assert_eq!(hmac_hex::<Sha1>(&[a, b], &data), expected, "split at {split}");
            }
        }
        // A key of exactly one block (used as it is) and of one byte more (hashed first), from
        // printf %s msg | openssl dgst -sha1 -mac HMAC -macopt hexkey:$(printf 'k%.0s' $(seq 64) | xxd -p -c 200)
        assert_eq!(hmac_hex::<Sha1>(&[&[b'k'; 63], b"k"], b"msg"), "1b372955c5162b8ba20a1974833498d3f7ec728a");
        assert_eq!(hmac_hex::<Sha1>(&[&[b'k'; 64], b"k"], b"msg"), "b75a0671ed2de039c033e5440f4bf8564f37fefe");
    }

    /// The HMAC-SHA-256 test cases of RFC 4231, section 4 (test case 5, a truncated output, left
    /// out): keys shorter than a block and of 131 bytes, hashed first.
    #[test]
    fn hmac_sha256_rfc_4231() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
            (vec![0x0b; 20], b"Hi There".to_vec(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            ((1..=25).collect(), vec![0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. \
                  The key needs to be hashed before being used by the HMAC algorithm."
                    .to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, expected) in cases {
            assert_eq!(hmac_hex::<Sha256>(&[&key], &data), expected);
        }
    }
}
