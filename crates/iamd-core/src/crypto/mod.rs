//! Security primitives: TOTP, throttling, password hashing, sealing secrets at rest,
//! AWS-shaped identifiers and the virtual MFA QR code. No I/O except the sealing key file.

pub mod base32;
pub mod keys;
pub mod password;
pub mod qr;
pub mod random;
pub mod seal;
pub mod throttle;
pub mod totp;

pub use base32::Base32Error;
pub use keys::{
    access_key_id, ct_eq, request_id, secret_access_key, session_token, unique_id, AccessKeyKind,
    Secret, UniqueIdKind,
};
pub use password::{hash_password, needs_rehash, verify_password, PasswordError};
pub use qr::{otpauth_uri, qr_png, QrError};
pub use random::RandomError;
pub use seal::{SealError, SealingKey};
pub use throttle::{Locked, Throttle};
pub use totp::{generate_seed, verify_code, verify_enable, TotpError};
