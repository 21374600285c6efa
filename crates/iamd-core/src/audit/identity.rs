//! The `userIdentity` text of the caller a thread recorded last, kept with what it was made
//! of: a client calls again and again with the same key, and its identity was a third of the
//! text of every read's record. The text is used again only when every input of
//! [`UserIdentity::of`] is equal; else it is written anew.

use std::cell::RefCell;

use super::json::Out;
use super::UserIdentity;
use crate::authz::{Caller, Identity, MfaInfo};

/// What [`UserIdentity::of`] reads of a caller, and the account id.
#[derive(PartialEq)]
struct Inputs {
    account_id: String,
    identity: Identity,
    arn: String,
    user_id: String,
    access_key_id: String,
    mfa: Option<MfaInfo>,
}

impl Inputs {
    fn of(caller: &Caller, account_id: &str) -> Inputs {
        Inputs {
            account_id: account_id.to_string(),
            identity: caller.identity.clone(),
            arn: caller.principal.arn.clone(),
            user_id: caller.user_id.clone(),
            access_key_id: caller.access_key_id.clone(),
            mfa: caller.mfa,
        }
    }

    /// Whether these are `caller`'s and `account_id` (compared without a copy).
    fn are(&self, caller: &Caller, account_id: &str) -> bool {
        self.access_key_id == caller.access_key_id
            && self.user_id == caller.user_id
            && self.arn == caller.principal.arn
            && self.mfa == caller.mfa
            && self.account_id == account_id
            && self.identity == caller.identity
    }
}

thread_local! {
    static LAST: RefCell<Option<(Inputs, String)>> = const { RefCell::new(None) };
}

/// Writes `caller`'s `userIdentity` into `out`.
pub(super) fn write(out: &mut Out, caller: &Caller, account_id: &str) {
    LAST.with(|last| {
        let Ok(mut last) = last.try_borrow_mut() else {
            return out.user_identity(&UserIdentity::of(caller, account_id));
        };
        match last.as_ref() {
            Some((inputs, text)) if inputs.are(caller, account_id) => out.extend(text),
            _ => {
                let mut text = Out::with_capacity(256);
                text.user_identity(&UserIdentity::of(caller, account_id));
                out.extend(text.as_str());
                *last = Some((Inputs::of(caller, account_id), text.into_string()));
            }
        }
    });
}
