//! `iamd policy journey`: the onboarding journey of ../shared/JOURNEYS.md walked step by
//! step with the real engine, for the console (J1 steps 1–7) or the CLI (J2), marking the
//! first step where the user is stuck, then the holes a password alone would open.

use crate::evaluate::Decision;

use super::probe::{Extra, Mfa, Outcome, Subject};
use super::PolicyFile;

/// Which journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// J1: a console user; with `password_reset` the first sign-in asks for a new password.
    Console { password_reset: bool },
    /// J2: a CLI user with long-term access keys.
    Cli,
}

/// What a step needs from the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The user is stuck if it is not allowed.
    Allowed,
    /// Should be allowed: a note if it is not (the user can go on).
    Wanted,
    /// Meant to be denied: the policy protects it (a note if it is allowed).
    Denied,
    /// Needs the MFA requirement lifted: stuck only on an explicit deny (an implicit deny means
    /// no policy of the set grants it, which is not the MFA policy's doing).
    NotExplicitlyDenied,
    /// AWS does not authorize it with policies: it always works (a note if the set denies it).
    NotEvaluated,
    /// A hole if allowed: a password alone must not do it.
    Forbidden,
}

/// One request of a step.
#[derive(Debug, Clone)]
pub struct Check {
    pub step: &'static str,
    pub what: &'static str,
    pub action: &'static str,
    /// `*` or relative to the account (`user/alice`).
    pub resource: &'static str,
    pub mfa: Mfa,
    pub expect: Expect,
    pub outcome: Outcome,
    /// The deciding statement as `FILE statement LABEL`, or `-`.
    pub deciding: String,
    pub verdict: Verdict,
}

/// How a request went for the journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// The user cannot go on; why and what to do.
    Stuck(String),
    /// Works, but something is worth knowing.
    Note(String),
    /// A password alone can do this.
    Hole(String),
}

impl Verdict {
    fn word(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Stuck(_) => "STUCK",
            Verdict::Note(_) => "note",
            Verdict::Hole(_) => "HOLE",
        }
    }
}

/// The walk: every check, in order.
pub struct Walk {
    pub route: Route,
    pub checks: Vec<Check>,
}

impl Walk {
    /// The first check where the user is stuck.
    pub fn stuck(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| matches!(c.verdict, Verdict::Stuck(_)))
    }

    pub fn holes(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Hole(_)))
    }
}

type Plan = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Mfa,
    Expect,
);

const CONSOLE_PASSWORD: &[Plan] = &[
    (
        "1",
        "sign in; the change-password page shows the password rules",
        "iam:GetAccountPasswordPolicy",
        "*",
        Mfa::False,
        Expect::Wanted,
    ),
    (
        "1",
        "set a new password",
        "iam:ChangePassword",
        "user/alice",
        Mfa::False,
        Expect::Allowed,
    ),
];

const CONSOLE: &[Plan] = &[
    (
        "2",
        "open the users list (no MFA yet)",
        "iam:ListUsers",
        "*",
        Mfa::False,
        Expect::Denied,
    ),
    (
        "3",
        "list her MFA devices",
        "iam:ListMFADevices",
        "user/alice",
        Mfa::False,
        Expect::Allowed,
    ),
    (
        "3",
        "start assigning a virtual MFA device",
        "iam:CreateVirtualMFADevice",
        "mfa/alice",
        Mfa::False,
        Expect::Allowed,
    ),
    (
        "4",
        "retry: remove the abandoned device",
        "iam:DeleteVirtualMFADevice",
        "mfa/alice",
        Mfa::False,
        Expect::Allowed,
    ),
    (
        "4",
        "retry: create the device again",
        "iam:CreateVirtualMFADevice",
        "mfa/alice",
        Mfa::False,
        Expect::Allowed,
    ),
    (
        "5",
        "enter two consecutive codes",
        "iam:EnableMFADevice",
        "user/alice",
        Mfa::False,
        Expect::Allowed,
    ),
    (
        "6",
        "users list in the same sign-in",
        "iam:ListUsers",
        "*",
        Mfa::False,
        Expect::Denied,
    ),
    (
        "7",
        "sign in again with MFA; users list",
        "iam:ListUsers",
        "*",
        Mfa::True,
        Expect::NotExplicitlyDenied,
    ),
];

const CLI: &[Plan] = &[
    (
        "1",
        "aws sts get-caller-identity",
        "sts:GetCallerIdentity",
        "*",
        Mfa::Absent,
        Expect::NotEvaluated,
    ),
    (
        "2",
        "aws iam list-groups (long-term keys)",
        "iam:ListGroups",
        "*",
        Mfa::Absent,
        Expect::Denied,
    ),
    (
        "3",
        "aws iam create-virtual-mfa-device (own name)",
        "iam:CreateVirtualMFADevice",
        "mfa/alice",
        Mfa::Absent,
        Expect::Allowed,
    ),
    (
        "3",
        "the same for another user's name",
        "iam:CreateVirtualMFADevice",
        "mfa/bob",
        Mfa::Absent,
        Expect::Denied,
    ),
    (
        "4",
        "aws iam enable-mfa-device (own user)",
        "iam:EnableMFADevice",
        "user/alice",
        Mfa::Absent,
        Expect::Allowed,
    ),
    (
        "4",
        "the same for another user",
        "iam:EnableMFADevice",
        "user/bob",
        Mfa::Absent,
        Expect::Forbidden,
    ),
    (
        "5",
        "aws sts get-session-token with the code",
        "sts:GetSessionToken",
        "*",
        Mfa::Absent,
        Expect::NotEvaluated,
    ),
    (
        "6",
        "aws iam list-groups with the MFA session",
        "iam:ListGroups",
        "*",
        Mfa::True,
        Expect::NotExplicitlyDenied,
    ),
];

/// What a password alone must not do, after the journey.
const HOLES: &[Plan] = &[
    (
        "-",
        "deactivate her assigned device",
        "iam:DeactivateMFADevice",
        "user/alice",
        Mfa::False,
        Expect::Forbidden,
    ),
    (
        "-",
        "the same with long-term keys",
        "iam:DeactivateMFADevice",
        "user/alice",
        Mfa::Absent,
        Expect::Forbidden,
    ),
    (
        "-",
        "enable a device for another user",
        "iam:EnableMFADevice",
        "user/bob",
        Mfa::False,
        Expect::Forbidden,
    ),
    (
        "-",
        "deactivate another user's device",
        "iam:DeactivateMFADevice",
        "user/bob",
        Mfa::False,
        Expect::Forbidden,
    ),
    (
        "-",
        "set another user's console password",
        "iam:UpdateLoginProfile",
        "user/bob",
        Mfa::False,
        Expect::Forbidden,
    ),
];

/// Walks `route` for the set `files` (all of them the user's policies). `None` only if the
/// built-in documents failed to parse.
pub fn walk(files: &[PolicyFile], route: Route) -> Option<Walk> {
    let subject = Subject::new(files)?;
    let mut plans: Vec<&Plan> = Vec::new();
    let mut extras = Vec::new();
    match route {
        Route::Console { password_reset } => {
            if password_reset {
                plans.extend(CONSOLE_PASSWORD);
                extras.push(Extra::ConsoleChangePassword);
            }
            plans.extend(CONSOLE);
        }
        Route::Cli => plans.extend(CLI),
    }
    plans.extend(HOLES);
    let checks = plans
        .into_iter()
        .map(|&(step, what, action, resource, mfa, expect)| {
            let outcome = subject.decide(&extras, action, resource, mfa);
            let deciding = deciding(files, &outcome);
            let verdict = judge((action, resource, mfa), expect, &outcome, &deciding);
            Check {
                step,
                what,
                action,
                resource,
                mfa,
                expect,
                outcome,
                deciding,
                verdict,
            }
        })
        .collect();
    Some(Walk { route, checks })
}

fn deciding(files: &[PolicyFile], outcome: &Outcome) -> String {
    match &outcome.by {
        Some(by) => {
            let file = by
                .file
                .and_then(|f| files.get(f))
                .map(|f| f.name.as_str())
                .unwrap_or("IAMUserChangePassword (attached by the console)");
            format!("{file} statement {}", by.label)
        }
        None => "-".to_string(),
    }
}

fn judge(check: (&str, &str, Mfa), expect: Expect, outcome: &Outcome, by: &str) -> Verdict {
    let (action, resource, mfa) = check;
    let decision = outcome.decision;
    match (expect, decision) {
        (Expect::Allowed, Decision::Allow) => Verdict::Ok,
        (Expect::Allowed, Decision::ExplicitDeny) => Verdict::Stuck(format!(
            "{action} on {resource} is explicitly denied by {by}{}",
            remedy(action)
        )),
        (Expect::Allowed, Decision::ImplicitDeny) => Verdict::Stuck(format!(
            "no policy of the set allows {action} on {resource}{}",
            remedy(action)
        )),
        (Expect::Wanted, Decision::Allow) => Verdict::Ok,
        (Expect::Wanted, _) => Verdict::Note(format!(
            "{action} is not allowed ({}): the page cannot show the account's password \
             rules, but the password can still be changed",
            if by == "-" {
                "no policy grants it".to_string()
            } else {
                format!("denied by {by}")
            }
        )),
        (Expect::Denied, Decision::Allow) => Verdict::Note(format!(
            "{action} on {resource} is allowed {} (by {by})",
            mfa.describe()
        )),
        (Expect::Denied, _) => Verdict::Ok,
        (Expect::NotExplicitlyDenied, Decision::ExplicitDeny) => {
            Verdict::Stuck(format!("{action} is still explicitly denied by {by}"))
        }
        (Expect::NotExplicitlyDenied, Decision::ImplicitDeny) => Verdict::Note(format!(
            "no MFA deny stops it, but no policy of the set grants {action} either (add the \
             policy that does with --policy)"
        )),
        (Expect::NotExplicitlyDenied, Decision::Allow) => Verdict::Ok,
        (Expect::NotEvaluated, Decision::ExplicitDeny) => Verdict::Note(format!(
            "AWS does not authorize {action} with policies: the call works whatever {by} says"
        )),
        (Expect::NotEvaluated, _) => Verdict::Ok,
        (Expect::Forbidden, Decision::Allow) => Verdict::Hole(format!(
            "a password alone can call {action} on {resource} (allowed by {by}): the MFA \
             device can be swapped"
        )),
        (Expect::Forbidden, _) => Verdict::Ok,
    }
}

/// What to do when a step is blocked.
fn remedy(action: &str) -> &'static str {
    match action {
        "iam:DeleteVirtualMFADevice" => {
            ": the retry fails with EntityAlreadyExists; an administrator must delete the \
             abandoned device (`aws iam list-virtual-mfa-devices --assignment-status \
             Unassigned`, `aws iam delete-virtual-mfa-device --serial-number ARN`)"
        }
        "iam:ChangePassword" | "iam:GetAccountPasswordPolicy" => {
            ": the new user cannot set a password and is locked out before enrolling MFA; \
             exempt it from the MFA deny"
        }
        _ => ": exempt it from the MFA deny and allow it on the user's own resources",
    }
}

/// The walk as a table, then the verdict.
pub fn to_text(walk: &Walk, files: &[PolicyFile]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let title = match walk.route {
        Route::Console {
            password_reset: true,
        } => "J1, console sign-in with a temporary password",
        Route::Console {
            password_reset: false,
        } => "J1, console sign-in",
        Route::Cli => "J2, CLI with long-term access keys",
    };
    let mut text = format!(
        "Onboarding journey ({title}) for arn:aws:iam::{}:user/{} with {}\n",
        super::ACCOUNT,
        super::USER,
        names.join(", ")
    );
    if matches!(
        walk.route,
        Route::Console {
            password_reset: true
        }
    ) {
        text.push_str("(with IAMUserChangePassword, which the console attaches to a user who must reset the password)\n");
    }
    let rows: Vec<[String; 6]> = walk
        .checks
        .iter()
        .map(|c| {
            [
                c.step.to_string(),
                c.what.to_string(),
                format!("{} {}", c.action, c.resource),
                c.mfa.short().to_string(),
                decision(c.outcome.decision).to_string(),
                c.deciding.clone(),
            ]
        })
        .collect();
    let header = [
        "step",
        "what",
        "request",
        "MFA",
        "decision",
        "deciding statement",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6], verdict: &str| {
        let mut s = String::new();
        for (cell, w) in cells.iter().zip(widths) {
            s.push_str(&format!("{cell:<w$}  "));
        }
        s.push_str(verdict);
        s.push('\n');
        s
    };
    text.push_str(&line(header, "verdict"));
    for (row, check) in rows.iter().zip(&walk.checks) {
        let cells = [0, 1, 2, 3, 4, 5].map(|i| row[i].as_str());
        text.push_str(&line(cells, check.verdict.word()));
    }
    text.push('\n');
    for check in &walk.checks {
        if let Verdict::Note(why) = &check.verdict {
            text.push_str(&format!("note (step {}): {why}\n", check.step));
        }
    }
    let stuck: Vec<&Check> = walk
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Stuck(_)))
        .collect();
    match stuck.first() {
        None => text.push_str("The journey passes.\n"),
        Some(first) => {
            text.push_str(&format!("Stuck at step {}: {}.\n", first.step, first.what));
            for check in &stuck {
                if let Verdict::Stuck(why) = &check.verdict {
                    text.push_str(&format!("  step {}: {why}\n", check.step));
                }
            }
        }
    }
    let mut holes: Vec<&Check> = walk.holes().collect();
    holes.dedup_by(|a, b| (a.action, a.resource) == (b.action, b.resource));
    if holes.is_empty() {
        text.push_str("No device-swap hole: without MFA the user cannot deactivate her device or touch other users'.\n");
    } else {
        for hole in holes {
            if let Verdict::Hole(why) = &hole.verdict {
                text.push_str(&format!("HOLE: {why}\n"));
            }
        }
    }
    text
}

fn decision(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "ExplicitDeny",
        Decision::ImplicitDeny => "ImplicitDeny",
    }
}
