//! HMAC (RFC 2104) over SHA-1 for v1 and SHA-256 for V3, the only place the AccessKeySecret is
//! turned into a signature.

use sha1::digest::Output;
use sha1::Digest;
use zeroize::Zeroize;

/// The block size of SHA-1 (and of SHA-256): HMAC pads its key to this.
const BLOCK: usize = 64;

/// HMAC over a hash with 64-byte blocks, the key given as the concatenation of `key_parts`.
/// Written out rather than taken from a crate so that every buffer that holds the key, or the key
/// XOR a pad, is zeroed before it is freed or the stack frame is reused.
pub(crate) fn hmac<D: Digest>(key_parts: &[&[u8]], message: &[u8]) -> Output<D> {
    let mut key = [0u8; BLOCK];
    let key_len: usize = key_parts.iter().map(|part| part.len()).sum();
    if key_len > BLOCK {
        let mut hasher = D::new();
        for part in key_parts {
            hasher.update(part);
        }
        let mut digest = hasher.finalize();
        for (slot, byte) in key.iter_mut().zip(digest.iter()) {
            *slot = *byte;
        }
        digest.as_mut_slice().zeroize();
    } else {
        let mut slots = key.iter_mut();
        for byte in key_parts.iter().flat_map(|part| part.iter()) {
            if let Some(slot) = slots.next() {
                *slot = *byte;
            }
        }
    }
    let mut pad = [0u8; BLOCK];
    for (slot, byte) in pad.iter_mut().zip(key.iter()) {
        *slot = byte ^ 0x36;
    }
    let mut inner = D::new();
    inner.update(pad);
    inner.update(message);
    let inner_hash = inner.finalize();
    for (slot, byte) in pad.iter_mut().zip(key.iter()) {
        *slot = byte ^ 0x5c;
    }
    let mut outer = D::new();
    outer.update(pad);
    outer.update(&inner_hash);
    key.zeroize();
    pad.zeroize();
    outer.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::Sha1;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
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
            assert_eq!(hex(&hmac::<Sha1>(&[&key], &data)), expected);
            for split in [0, 1, key.len() / 2, key.len()] {
                let (a, b) = key.split_at(split);
                assert_eq!(hex(&hmac::<Sha1>(&[a, b], &data)), expected, "split at {split}");
            }
        }
        // A key of exactly one block (used as it is) and of one byte more (hashed first), from
        // printf %s msg | openssl dgst -sha1 -mac HMAC -macopt hexkey:$(printf 'k%.0s' $(seq 64) | xxd -p -c 200)
        assert_eq!(hex(&hmac::<Sha1>(&[&[b'k'; 63], b"k"], b"msg")), "1b372955c5162b8ba20a1974833498d3f7ec728a");
        assert_eq!(hex(&hmac::<Sha1>(&[&[b'k'; 64], b"k"], b"msg")), "b75a0671ed2de039c033e5440f4bf8564f37fefe");
    }
}
