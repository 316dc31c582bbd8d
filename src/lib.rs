//! Validate and sign Alibaba Cloud ApsaraVideo Live production-studio requests
//! (the operations of `operations::OPERATIONS`, API version 2016-11-01).
//!
//! The core is Sans-IO: it never reads a clock, draws randomness or touches the network. Time and
//! nonce are arguments, so every signature is reproducible. The `wasm` module is the thin
//! JavaScript boundary around it.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

// The allocator of the wasm builds: talc, about 5 KB smaller in the .wasm than the standard
// library's dlmalloc (docs/performance.md). It frees, and reuses what is freed, as a long-lived
// instance needs. `WasmGrowAndClaim` grows the memory by a new heap each time it runs out rather
// than extending the last one: a little less memory-efficient, and smaller code. The wasm builds
// are single-threaded (no `atomics` target feature), which `new_wasm` requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::cell::TalcSyncCell<talc::wasm::WasmGrowAndClaim, talc::wasm::WasmBinning> =
    talc::cell::TalcSyncCell::new_wasm(talc::wasm::WasmGrowAndClaim);

pub mod config;
pub mod credentials;
pub mod encoding;
pub mod error;
pub mod limits;
pub mod nonce;
pub mod operations;
pub mod signing;
mod text;
pub mod time;
pub mod url;
pub mod verify;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{Endpoint, Method};
pub use credentials::Credentials;
pub use error::{Error, ErrorKind};
pub use nonce::Nonce;
pub use operations::input::{RawParams, Value};
pub use operations::{validate, Action, ValidParams};
pub use signing::operation::{sign_operation, RequestConfig};
pub use signing::{SignatureAlgorithm, SignedRequest};
pub use time::Timestamp;
