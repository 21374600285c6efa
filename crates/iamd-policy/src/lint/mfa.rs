//! The MFA rollout findings, each decided by evaluating the set (see the module docs of
//! [`super`]). Requests are alice's; resources are relative to the account.

use crate::evaluate::Decision;
use crate::policy::Effect;

use super::probe::{By, Extra, Mfa, Outcome, Subject, USER};
use super::{Finding, Severity};

/// Calls beyond MFA self-service that an MFA policy is meant to protect.
const PROTECTED: &[(&str, &str)] = &[
    ("iam:ListUsers", "*"),
    ("iam:ListGroups", "*"),
    ("s3:ListAllMyBuckets", "*"),
    ("ec2:DescribeInstances", "*"),
    ("lambda:ListFunctions", "*"),
    ("iam:CreateAccessKey", "user/alice"),
];

/// What a user without MFA needs to enrol a virtual device (console and CLI).
const ENROLMENT: &[(&str, &str)] = &[
    ("iam:CreateVirtualMFADevice", "mfa/alice"),
    ("iam:EnableMFADevice", "user/alice"),
    ("iam:ListMFADevices", "user/alice"),
    ("iam:ListVirtualMFADevices", "*"),
];

/// What a password alone must not allow: swapping alice's device, or acting on another
/// user's devices and credentials. (Resync is left out: it needs two codes from the device.
/// Deleting an assigned device fails at the service until it is deactivated.)
const TAKEOVER: &[(&str, &str)] = &[
    ("iam:DeactivateMFADevice", "user/alice"),
    ("iam:EnableMFADevice", "user/bob"),
    ("iam:DeactivateMFADevice", "user/bob"),
    ("iam:DeleteVirtualMFADevice", "mfa/bob"),
    ("iam:CreateLoginProfile", "user/bob"),
    ("iam:UpdateLoginProfile", "user/bob"),
    ("iam:CreateAccessKey", "user/bob"),
];

/// Calls AWS does not authorize with policies: a deny on them has no effect.
/// (`sts:GetCallerIdentity` is one too, but AWS's own documentation policy denies it by its
/// broad `NotAction`: reporting it would flag every such policy for no harm.)
const NOT_AUTHORIZED_BY_POLICY: &[&str] = &["sts:GetSessionToken"];

const WITHOUT_MFA: [Mfa; 2] = [Mfa::False, Mfa::Absent];

/// Adds the MFA rollout findings of `subject` to `out`.
pub fn check(subject: &Subject<'_>, out: &mut Vec<Finding>) {
    if !looks_like_mfa_policy(subject) {
        return;
    }
    let mut rules = Rules {
        subject,
        out,
        deny: mfa_deny(subject),
    };
    rules.bool_deny_skipped();
    rules.password_change_lockout();
    rules.enrolment_lockout();
    rules.abandoned_device();
    rules.device_bypass();
    rules.ineffective_deny();
    rules.extra_device();
    rules.enforcement();
}

/// Whether the set requires MFA of its user: a call beyond self-service that it allows with
/// MFA is refused without (long-term keys or a sign-in without MFA). Returns the statement
/// that makes the difference, as `POLICY statement S`: the deny, or the allow that needs MFA.
pub fn requirement(subject: &Subject<'_>) -> Option<String> {
    for (action, resource) in PROTECTED {
        let with = subject.decide(&[], action, resource, Mfa::True);
        if !with.allowed() {
            continue;
        }
        for mfa in WITHOUT_MFA {
            let without = subject.decide(&[], action, resource, mfa);
            if without.allowed() {
                continue;
            }
            let by = without.by.as_ref().or(with.by.as_ref())?;
            let file = subject.files.get(by.file?)?;
            return Some(format!("{} statement {}", file.name, by.label));
        }
    }
    None
}

/// A statement of the set: (file index, statement index).
type Place = (usize, usize);

struct Rules<'s, 'f> {
    subject: &'s Subject<'f>,
    out: &'s mut Vec<Finding>,
    /// The linted statement that denies protected calls without MFA, if any.
    deny: Option<Place>,
}

impl Rules<'_, '_> {
    fn bool_deny_skipped(&mut self) {
        let mut reported: Vec<Place> = Vec::new();
        // The allow-list phrasing: an allow meant for "with MFA" that also matches an absent
        // key (`BoolIfExists` true on an Allow).
        for (action, resource) in PROTECTED {
            let console = self.decide(&[], action, resource, Mfa::False);
            let keys = self.decide(&[], action, resource, Mfa::Absent);
            if console.decision != Decision::ImplicitDeny || !keys.allowed() {
                continue;
            }
            let place = place(keys.by.as_ref()).filter(|p| self.is_linted(*p));
            if place.is_none() || place.is_some_and(|p| reported.contains(&p)) {
                continue;
            }
            reported.extend(place);
            self.report(
                place,
                "mfa-bool-deny-skipped",
                Severity::Security,
                format!(
                    "this allow grants {action} to requests signed with long-term access keys \
                     but not to a user signed in without MFA: its condition also holds when \
                     aws:MultiFactorAuthPresent is absent (`...IfExists`), so CLI and SDK users \
                     get without MFA what the console asks MFA for"
                ),
                "Use `Bool` {\"aws:MultiFactorAuthPresent\": \"true\"} on the allow (an absent \
                 key then does not match).",
            );
        }
        for (action, resource) in PROTECTED {
            let console = self.decide(&[Extra::Anything], action, resource, Mfa::False);
            let keys = self.decide(&[Extra::Anything], action, resource, Mfa::Absent);
            if !(console.explicit_deny() && keys.allowed()) {
                continue;
            }
            let place = place(console.by.as_ref());
            if place.is_some_and(|p| reported.contains(&p)) {
                continue;
            }
            reported.extend(place);
            self.report(
                place,
                "mfa-bool-deny-skipped",
                Severity::Security,
                format!(
                    "this deny stops {action} for a user signed in without MFA, but not for \
                     requests signed with long-term access keys: they carry no \
                     aws:MultiFactorAuthPresent, and `Bool` does not match an absent key, so \
                     CLI and SDK users slip past it"
                ),
                "Use `BoolIfExists` {\"aws:MultiFactorAuthPresent\": \"false\"} (an absent key \
                 then counts as no MFA), or add a Deny with `Null` {\"aws:MultiFactorAuthPresent\": \
                 \"true\"}.",
            );
        }
    }

    fn password_change_lockout(&mut self) {
        let extras = [Extra::ConsoleChangePassword];
        let change = self.decide(&extras, "iam:ChangePassword", "user/alice", Mfa::False);
        if !change.allowed() {
            self.report(
                place(change.by.as_ref()),
                "mfa-password-change-lockout",
                Severity::Error,
                format!(
                    "a user who must reset the password at first sign-in (no MFA yet) cannot \
                     change it: iam:ChangePassword on their own user is {} even with the \
                     IAMUserChangePassword policy the console attaches, so the new user is \
                     locked out before they can enrol MFA",
                    denied(&change)
                ),
                "Exempt iam:ChangePassword and iam:GetAccountPasswordPolicy from the MFA deny \
                 (add them to its NotAction, or exclude them from its Action).",
            );
            return;
        }
        let rules = self.decide(&extras, "iam:GetAccountPasswordPolicy", "*", Mfa::False);
        if !rules.allowed() {
            self.report(
                place(rules.by.as_ref()),
                "mfa-password-change-lockout",
                Severity::Warning,
                format!(
                    "a user who must reset the password at first sign-in can change it, but \
                     iam:GetAccountPasswordPolicy is {}, so the change-password page cannot \
                     show the account's password rules and a rejected password is a guess",
                    denied(&rules)
                ),
                "Exempt iam:GetAccountPasswordPolicy from the MFA deny (add it to its \
                 NotAction).",
            );
        }
    }

    fn enrolment_lockout(&mut self) {
        let mut blocked: Vec<(&str, &str, Mfa, Outcome)> = Vec::new();
        for (action, resource) in ENROLMENT {
            let found = WITHOUT_MFA.iter().find_map(|&mfa| {
                let outcome = self.decide(&[], action, resource, mfa);
                (!outcome.allowed()).then_some((*action, *resource, mfa, outcome))
            });
            blocked.extend(found);
        }
        let Some((action, resource, mfa, outcome)) = blocked.first().cloned() else {
            return;
        };
        let missing = if outcome.explicit_deny() {
            ""
        } else {
            " (no statement of the set allows it; if another policy of the user grants it, \
             pass that policy with --with)"
        };
        let all: Vec<&str> = blocked.iter().map(|(a, ..)| *a).collect();
        self.report(
            place(outcome.by.as_ref()),
            "mfa-enrolment-lockout",
            Severity::Error,
            format!(
                "a user without MFA cannot enrol a device: {action} on {resource} is {} {}{missing} \
                 (blocked: {})",
                denied(&outcome),
                mfa.describe(),
                all.join(", ")
            ),
            "Allow iam:CreateVirtualMFADevice on arn:aws:iam::*:mfa/${aws:username}, \
             iam:EnableMFADevice and iam:ListMFADevices on arn:aws:iam::*:user/${aws:username}, \
             and iam:ListVirtualMFADevices on *, and exempt them from the MFA deny.",
        );
    }

    fn abandoned_device(&mut self) {
        let outcome = self.decide(&[], "iam:DeleteVirtualMFADevice", "mfa/alice", Mfa::False);
        if outcome.allowed() {
            return;
        }
        self.report(
            place(outcome.by.as_ref()),
            "mfa-abandoned-device",
            Severity::Warning,
            format!(
                "a user without MFA cannot delete their own unassigned virtual MFA device \
                 (iam:DeleteVirtualMFADevice on mfa/{USER} is {}): if they abandon the MFA \
                 wizard, the half-created device stays and their retry fails with \
                 EntityAlreadyExists",
                denied(&outcome)
            ),
            "Either allow iam:DeleteVirtualMFADevice on arn:aws:iam::*:mfa/${aws:username} \
             without MFA (AWS refuses to delete a device still assigned, so this cannot remove \
             an enrolled device), or keep it denied, as AWS's documentation advises, and have an \
             administrator delete abandoned devices: `aws iam list-virtual-mfa-devices \
             --assignment-status Unassigned`, then `aws iam delete-virtual-mfa-device \
             --serial-number ARN`.",
        );
    }

    fn device_bypass(&mut self) {
        for mfa in WITHOUT_MFA {
            let found = TAKEOVER.iter().find_map(|(action, resource)| {
                let outcome = self.decide(&[], action, resource, mfa);
                outcome.allowed().then_some((action, resource, outcome))
            });
            let Some((action, resource, outcome)) = found else {
                continue;
            };
            let whose = if resource.ends_with(USER) {
                "the user's own assigned device"
            } else {
                "another user's device or credentials"
            };
            self.report(
                place(outcome.by.as_ref()),
                "mfa-device-bypass",
                Severity::Security,
                format!(
                    "{action} on {} ({whose}) is allowed {}: a stolen password is enough to \
                     swap the MFA device, the very thing MFA is meant to prevent",
                    resource,
                    mfa.describe()
                ),
                "Allow without MFA only enrolment (iam:CreateVirtualMFADevice, \
                 iam:EnableMFADevice, iam:ListMFADevices, iam:ListVirtualMFADevices, \
                 iam:ResyncMFADevice) and only on arn:aws:iam::*:user/${aws:username} and \
                 arn:aws:iam::*:mfa/${aws:username}; keep iam:DeactivateMFADevice and the \
                 login-profile and access-key actions under the MFA deny.",
            );
            return;
        }
    }

    fn ineffective_deny(&mut self) {
        let subject = self.subject;
        for (file, statement) in subject.linted_statements() {
            if statement.effect != Effect::Deny {
                continue;
            }
            let hit = NOT_AUTHORIZED_BY_POLICY.iter().find(|action| {
                WITHOUT_MFA
                    .iter()
                    .any(|&mfa| subject.applies(statement, action, "*", mfa))
                    && !subject.applies(statement, action, "*", Mfa::True)
            });
            let Some(action) = hit else { continue };
            self.report(
                Some((file, statement.index)),
                "mfa-ineffective-deny",
                Severity::Warning,
                format!(
                    "this statement denies {action} without MFA, but AWS does not authorize \
                     {action} with policies (it needs no permission): the deny has no effect \
                     and tells readers that CLI users cannot get MFA session credentials"
                ),
                &format!(
                    "Exempt {action} from the deny (add it to NotAction, as AWS's documentation \
                     does, or remove it from Action)."
                ),
            );
        }
    }

    fn extra_device(&mut self) {
        let enable = self.decide(&[], "iam:EnableMFADevice", "user/alice", Mfa::False);
        let other_name = format!("mfa/{USER}-2");
        let create = self.decide(&[], "iam:CreateVirtualMFADevice", &other_name, Mfa::False);
        if !(enable.allowed() && create.allowed()) {
            return;
        }
        self.report(
            place(create.by.as_ref()),
            "mfa-extra-device",
            Severity::Suggestion,
            format!(
                "a user signed in without MFA may create a virtual device with any name \
                 ({other_name}) and enable it: AWS allows up to 8 devices per user, so a \
                 password alone could add an attacker's device next to the user's own (AWS \
                 and iamd ask for an MFA session to add a device through the API once one is \
                 assigned; the console and other device types are the gap)"
            ),
            "Allow iam:CreateVirtualMFADevice without MFA only on \
             arn:aws:iam::*:mfa/${aws:username}: a user can then hold one virtual device \
             created without MFA, and adding others needs an MFA session.",
        );
    }

    /// `mfa-cli-needs-session-token` when the set enforces MFA, `mfa-not-enforced` when it
    /// looks like an MFA policy and enforces nothing.
    fn enforcement(&mut self) {
        let mut any_required = false;
        let mut cli: Option<(&str, Outcome)> = None;
        for (action, resource) in PROTECTED {
            for extras in [&[][..], &[Extra::Anything]] {
                let keys = self.decide(extras, action, resource, Mfa::Absent);
                let console = self.decide(extras, action, resource, Mfa::False);
                let with = self.decide(extras, action, resource, Mfa::True);
                if !with.allowed() {
                    continue;
                }
                any_required |= !keys.allowed() || !console.allowed();
                if !keys.allowed() && cli.is_none() {
                    cli = Some((action, keys));
                }
            }
        }
        if let Some((action, keys)) = cli {
            self.report(
                place(keys.by.as_ref()),
                "mfa-cli-needs-session-token",
                Severity::Suggestion,
                format!(
                    "CLI and SDK calls signed with long-term access keys are denied (e.g. \
                     {action}) until the user gets MFA session credentials with \
                     sts:GetSessionToken; tell CLI users before they meet AccessDenied"
                ),
                "`aws sts get-session-token --serial-number arn:aws:iam::ACCOUNT:mfa/USER \
                 --token-code CODE` and use the returned credentials; or `iamd mfa login \
                 --profile P` (writes profile P-mfa), or a profile with `credential_process = \
                 iamd mfa credential-process --profile P`.",
            );
        }
        if !any_required {
            let first = self
                .subject
                .linted_statements()
                .next()
                .map(|(file, s)| (file, s.index));
            self.report(
                first,
                "mfa-not-enforced",
                Severity::Warning,
                "the set is about MFA but requires it for nothing beyond self-service: every \
                 call (e.g. iam:ListUsers, s3:ListAllMyBuckets) is as allowed without MFA as \
                 with it"
                    .to_string(),
                "Add a Deny with NotAction listing the self-service actions, Resource *, and \
                 `BoolIfExists` {\"aws:MultiFactorAuthPresent\": \"false\"} (AWS's \
                 documentation policy), or grant the rest only with `Bool` \
                 {\"aws:MultiFactorAuthPresent\": \"true\"}.",
            );
        }
    }

    fn is_linted(&self, place: Place) -> bool {
        self.subject.files.get(place.0).is_some_and(|f| f.linted)
    }

    fn decide(&self, extras: &[Extra], action: &str, resource: &str, mfa: Mfa) -> Outcome {
        self.subject.decide(extras, action, resource, mfa)
    }

    fn report(
        &mut self,
        place: Option<Place>,
        code: &'static str,
        severity: Severity,
        message: String,
        fix: &str,
    ) {
        let files = self.subject.files;
        // Point into a linted file: an allow from a `--with` policy is the MFA deny's gap.
        let linted = |p: &Place| files.get(p.0).is_some_and(|f| f.linted);
        let place = place.filter(linted).or(self.deny).or(place).or_else(|| {
            // Nothing in the set to point at (e.g. an implicit deny): the first linted file.
            files.iter().position(|f| f.linted).map(|f| (f, usize::MAX))
        });
        let Some((file, index)) = place else { return };
        let Some(policy) = files.get(file) else {
            return;
        };
        let statement = policy.policy.statements().get(index);
        self.out.push(Finding {
            file: policy.name.clone(),
            code,
            severity,
            statement: statement.map(|s| s.label()),
            line: statement.and_then(|s| policy.line_of(s.index)),
            message,
            fix: fix.to_string(),
        });
    }
}

/// The set's statement behind an outcome, when it is one of the set's files.
fn place(by: Option<&By>) -> Option<Place> {
    by.and_then(|b| b.file.map(|f| (f, b.statement)))
}

/// `explicitly denied by X` or `not allowed by any statement`.
fn denied(outcome: &Outcome) -> String {
    match (&outcome.decision, &outcome.by) {
        (Decision::ExplicitDeny, Some(by)) => format!("explicitly denied (statement {})", by.label),
        (Decision::ExplicitDeny, None) => "explicitly denied".to_string(),
        _ => "not allowed".to_string(),
    }
}

/// Whether the set is about MFA: a linted statement conditions on an MFA key, or a linted
/// statement that names MFA actions lets a user without MFA do MFA self-service. Other
/// policies (AdministratorAccess alone, an S3 policy) get no MFA findings.
fn looks_like_mfa_policy(subject: &Subject<'_>) -> bool {
    let mentions = subject.linted_statements().any(|(_, s)| {
        s.conditions.iter().any(|c| {
            c.key
                .to_ascii_lowercase()
                .starts_with("aws:multifactorauth")
        })
    });
    mentions
        || ENROLMENT.iter().take(2).any(|(action, resource)| {
            let outcome = subject.decide(&[], action, resource, Mfa::False);
            let by = outcome.by.as_ref().filter(|_| outcome.allowed());
            by.and_then(|b| {
                let file = subject.files.get(b.file?).filter(|f| f.linted)?;
                file.policy.statements().get(b.statement)
            })
            .is_some_and(|s| {
                s.actions
                    .texts
                    .iter()
                    .any(|a| a.to_ascii_lowercase().contains("mfa"))
            })
        })
}

/// The first linted Deny statement that stops a protected call without MFA but not with it.
fn mfa_deny(subject: &Subject<'_>) -> Option<Place> {
    subject
        .linted_statements()
        .filter(|(_, s)| s.effect == Effect::Deny)
        .find(|(_, s)| {
            PROTECTED.iter().any(|(action, resource)| {
                WITHOUT_MFA
                    .iter()
                    .any(|&mfa| subject.applies(s, action, resource, mfa))
                    && !subject.applies(s, action, resource, Mfa::True)
            })
        })
        .map(|(file, s)| (file, s.index))
}
