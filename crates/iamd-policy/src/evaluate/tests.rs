//! Evaluation rules, one row per rule.

use super::*;
use crate::context::{Context, Principal};
use crate::policy::PolicyKind;

const USER: &str = "arn:aws:iam::111122223333:user/alice";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";

fn policy(doc: &str) -> Arc<NamedPolicy> {
    NamedPolicy::new("p", Policy::parse(doc, PolicyKind::Identity).unwrap())
}

fn resource_policy(doc: &str) -> Arc<NamedPolicy> {
    NamedPolicy::new("r", Policy::parse(doc, PolicyKind::Resource).unwrap())
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn deny(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn request(principal: &str, action: &str, resource: &str) -> Request {
    let p = Principal::from_arn(principal).unwrap();
    let mut context = Context::default();
    p.fill_context(&mut context);
    Request::new(p, action, resource, context)
}

fn decide(set: PolicySet<'_>, req: &Request) -> (Decision, Reason) {
    let e = evaluate(&set, req);
    (e.decision, e.reason)
}

#[test]
fn identity_policies() {
    let req = request(USER, "s3:GetObject", "arn:aws:s3:::b/k");
    let a = [policy(&allow("s3:Get*", "arn:aws:s3:::b/*"))];
    assert_eq!(
        decide(
            PolicySet {
                identity: &a,
                ..Default::default()
            },
            &req
        )
        .0,
        Decision::Allow
    );
    let none: [Arc<NamedPolicy>; 0] = [];
    assert_eq!(
        decide(
            PolicySet {
                identity: &none,
                ..Default::default()
            },
            &req
        ),
        (Decision::ImplicitDeny, Reason::NoIdentityAllow)
    );
    let ad = [policy(&allow("*", "*")), policy(&deny("s3:*", "*"))];
    assert_eq!(
        decide(
            PolicySet {
                identity: &ad,
                ..Default::default()
            },
            &req
        ),
        (Decision::ExplicitDeny, Reason::ExplicitDeny)
    );
    let case = [policy(&allow("S3:getobject", "arn:aws:s3:::b/*"))];
    assert_eq!(
        decide(
            PolicySet {
                identity: &case,
                ..Default::default()
            },
            &req
        )
        .0,
        Decision::Allow,
        "actions are case-insensitive"
    );
    let rcase = [policy(&allow("s3:*", "arn:aws:s3:::B/*"))];
    assert_eq!(
        decide(
            PolicySet {
                identity: &rcase,
                ..Default::default()
            },
            &req
        )
        .0,
        Decision::ImplicitDeny,
        "resources are case-sensitive"
    );
}

#[test]
fn boundaries_and_session_policies_only_narrow() {
    let req = request(USER, "s3:GetObject", "arn:aws:s3:::b/k");
    let admin = [policy(&allow("*", "*"))];
    let b = policy(&allow("s3:*", "*"));
    let narrow = policy(&allow("ec2:*", "*"));
    let with = PolicySet {
        identity: &admin,
        boundary: Some(&b),
        ..Default::default()
    };
    assert_eq!(decide(with, &req).0, Decision::Allow);
    let with = PolicySet {
        identity: &admin,
        boundary: Some(&narrow),
        ..Default::default()
    };
    assert_eq!(
        decide(with, &req),
        (Decision::ImplicitDeny, Reason::BoundaryDoesNotAllow)
    );
    // A boundary grants nothing by itself.
    let none: [Arc<NamedPolicy>; 0] = [];
    let set = PolicySet {
        identity: &none,
        boundary: Some(&b),
        ..Default::default()
    };
    assert_eq!(
        decide(set, &req),
        (Decision::ImplicitDeny, Reason::NoIdentityAllow)
    );
    let sessions = [narrow.clone()];
    let set = PolicySet {
        identity: &admin,
        session: &sessions,
        ..Default::default()
    };
    assert_eq!(
        decide(set, &req),
        (Decision::ImplicitDeny, Reason::SessionPolicyDoesNotAllow)
    );
    let sessions = [narrow, b];
    let set = PolicySet {
        identity: &admin,
        session: &sessions,
        ..Default::default()
    };
    assert_eq!(
        decide(set, &req).0,
        Decision::Allow,
        "session policies are a union"
    );
}

#[test]
fn same_account_resource_policies() {
    let bucket = "arn:aws:s3:::b";
    let none: [Arc<NamedPolicy>; 0] = [];
    let grant = |principal: &str| {
        resource_policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"s3:ListBucket","Resource":"{bucket}"}}]}}"#
        ))
    };
    let narrow = policy(&allow("ec2:*", "*"));
    // A grant naming the user is enough, even past the boundary's implicit deny.
    let req = request(USER, "s3:ListBucket", bucket);
    let r = grant(USER);
    let set = PolicySet {
        identity: &none,
        boundary: Some(&narrow),
        resource: Some(&r),
        ..Default::default()
    };
    assert_eq!(
        decide(set, &req),
        (Decision::Allow, Reason::AllowedByResourcePolicy)
    );
    // A grant naming the account delegates to identity policies.
    let r = grant("111122223333");
    let set = PolicySet {
        identity: &none,
        resource: Some(&r),
        ..Default::default()
    };
    assert_eq!(
        decide(set, &req),
        (Decision::ImplicitDeny, Reason::NoIdentityAllow)
    );
    // A grant naming the role is limited by the role's boundary; naming the session is not.
    let session_req = request(SESSION, "s3:ListBucket", bucket);
    let r = grant("arn:aws:iam::111122223333:role/app");
    let set = PolicySet {
        identity: &none,
        boundary: Some(&narrow),
        resource: Some(&r),
        ..Default::default()
    };
    assert_eq!(decide(set, &session_req).0, Decision::ImplicitDeny);
    let set = PolicySet {
        identity: &none,
        resource: Some(&r),
        ..Default::default()
    };
    assert_eq!(decide(set, &session_req).0, Decision::Allow);
    let r = grant(SESSION);
    let set = PolicySet {
        identity: &none,
        boundary: Some(&narrow),
        resource: Some(&r),
        ..Default::default()
    };
    assert_eq!(decide(set, &session_req).0, Decision::Allow);
    // A grant to someone else does nothing.
    let r = grant("arn:aws:iam::111122223333:user/bob");
    let set = PolicySet {
        identity: &none,
        resource: Some(&r),
        ..Default::default()
    };
    assert_eq!(decide(set, &req).0, Decision::ImplicitDeny);
}

#[test]
fn cross_account_needs_both() {
    let bucket = "arn:aws:s3:::other";
    let mut req = request(USER, "s3:ListBucket", bucket);
    req.resource_account = Some("444455556666".into());
    let id = [policy(&allow("s3:*", "*"))];
    let none: [Arc<NamedPolicy>; 0] = [];
    let r = resource_policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"s3:ListBucket","Resource":"{bucket}"}}]}}"#
    ));
    assert_eq!(
        decide(
            PolicySet {
                identity: &id,
                ..Default::default()
            },
            &req
        ),
        (Decision::ImplicitDeny, Reason::NoResourcePolicyAllow)
    );
    assert_eq!(
        decide(
            PolicySet {
                identity: &none,
                resource: Some(&r),
                ..Default::default()
            },
            &req
        ),
        (Decision::ImplicitDeny, Reason::NoIdentityAllow)
    );
    assert_eq!(
        decide(
            PolicySet {
                identity: &id,
                resource: Some(&r),
                ..Default::default()
            },
            &req
        )
        .0,
        Decision::Allow
    );
}

#[test]
fn not_principal_deny_and_root() {
    let bucket = "arn:aws:s3:::b";
    let r = resource_policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","NotPrincipal":{{"AWS":"arn:aws:iam::111122223333:user/bob"}},"Action":"s3:*","Resource":"{bucket}"}}]}}"#
    ));
    let admin = [policy(&allow("*", "*"))];
    let req = request(USER, "s3:ListBucket", bucket);
    assert_eq!(
        decide(
            PolicySet {
                identity: &admin,
                resource: Some(&r),
                ..Default::default()
            },
            &req
        )
        .0,
        Decision::ExplicitDeny
    );
    let bob = request(
        "arn:aws:iam::111122223333:user/bob",
        "s3:ListBucket",
        bucket,
    );
    assert_eq!(
        decide(
            PolicySet {
                identity: &admin,
                resource: Some(&r),
                ..Default::default()
            },
            &bob
        )
        .0,
        Decision::Allow
    );
    let none: [Arc<NamedPolicy>; 0] = [];
    let root = request(
        "arn:aws:iam::111122223333:root",
        "iam:CreateUser",
        "arn:aws:iam::111122223333:user/x",
    );
    assert_eq!(
        decide(
            PolicySet {
                identity: &none,
                ..Default::default()
            },
            &root
        ),
        (Decision::Allow, Reason::RootUser)
    );
}

#[test]
fn not_action_and_not_resource() {
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","NotAction":"iam:Get*","NotResource":"arn:aws:iam::*:user/${aws:username}"}]}"#;
    let p = [policy(doc)];
    let set = PolicySet {
        identity: &p,
        ..Default::default()
    };
    let own = "arn:aws:iam::111122223333:user/alice";
    let other = "arn:aws:iam::111122223333:user/bob";
    assert_eq!(
        decide(set, &request(USER, "iam:DeleteUser", own)).0,
        Decision::Allow
    );
    assert_eq!(
        decide(set, &request(USER, "iam:DeleteUser", other)).0,
        Decision::ExplicitDeny
    );
    assert_eq!(
        decide(set, &request(USER, "iam:GetUser", other)).0,
        Decision::Allow
    );
    // Without aws:username (a role session), the NotResource entry matches nothing, so the
    // deny covers every resource.
    assert_eq!(
        decide(set, &request(SESSION, "iam:DeleteUser", own)).0,
        Decision::ExplicitDeny
    );
}

#[test]
fn explanation_json_has_decision() {
    let p = [policy(&deny("s3:*", "*"))];
    let set = PolicySet {
        identity: &p,
        ..Default::default()
    };
    let e = crate::explain(&set, &request(USER, "s3:ListBucket", "arn:aws:s3:::b"));
    let json = e.to_json();
    assert_eq!(json["decision"], "ExplicitDeny");
    assert_eq!(json["deciding"]["policy"], "p");
    assert_eq!(json["deciding"]["index"], 0);
    assert!(
        e.summary
            .contains("denies s3:ListBucket on arn:aws:s3:::b without conditions"),
        "{}",
        e.summary
    );
}
