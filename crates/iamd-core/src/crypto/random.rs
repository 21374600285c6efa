//! The one door to the operating system's CSPRNG (`getrandom`).

use thiserror::Error;

/// The operating system's random number generator failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the system random number generator failed")]
pub struct RandomError;

/// Fills `buf` with bytes from the operating system's CSPRNG.
///
/// Never returns predictable bytes: on failure `buf` must not be used.
pub fn fill(buf: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(buf).map_err(|_| RandomError)
}

/// `N` bytes from the operating system's CSPRNG.
pub fn bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}
