//! Login profiles (console passwords): find and save.

use crate::error::IamError;

/// `Login Profile for User X cannot be found.` (404).
pub fn no_login_profile(user: &str) -> IamError {
    IamError::no_such_entity(format!("Login Profile for User {user} cannot be found."))
}
