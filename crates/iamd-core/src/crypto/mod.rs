//! Security primitives: TOTP, throttling, password hashing, sealing secrets at rest,
//! AWS-shaped identifiers, the virtual MFA QR code, and parsing SSH keys and X.509
//! certificates. No I/O except the sealing key file.

pub use iamd_tokenfile::base32;
pub mod keys;
pub mod password;
pub mod qr;
pub mod random;
pub mod seal;
pub mod server_cert;
pub mod ssh_key;
pub mod throttle;
pub mod totp;
pub mod x509;

pub use base32::Base32Error;
pub use keys::{
    access_key_id, ct_eq, event_id, request_id, secret_access_key, service_password, session_token,
    ssh_public_key_id, unique_id, AccessKeyKind, Secret, UniqueIdKind,
};
pub use password::{hash_password, needs_rehash, verify_password, PasswordError};
pub use qr::{otpauth_uri, qr_png, QrError};
pub use random::RandomError;
pub use seal::{SealError, SealingKey};
pub use throttle::{Locked, Throttle};
pub use totp::{generate_seed, verify_code, verify_enable, TotpError};
