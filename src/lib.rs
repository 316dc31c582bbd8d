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
