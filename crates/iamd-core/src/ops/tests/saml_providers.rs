//! The SAMLProvider family.

use serde_json::{json, Value};

use crate::saml_metadata::UNPARSABLE;
use crate::testing::{account, call, root, user};
use crate::Account;

const ARN: &str = "arn:aws:iam::111122223333:saml-provider/corp";
const PEM: &str = include_str!("../../../../../fixtures/credentials/signing-cert1.pem");

fn metadata(valid_until: &str) -> String {
    let cert: String = PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml" {valid_until}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn iam(acct: &Account, action: &str, input: Value) -> Result<Value, crate::IamError> {
    call(acct, &root(), "iam", action, input)
}

#[test]
fn create_get_list_update_delete() {
    let (acct, _) = account();
    let created = iam(
        &acct,
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": metadata(""),
            "Tags": [{"Key": "team", "Value": "id"}]}),
    )
    .unwrap();
    assert_eq!(created["SAMLProviderArn"], ARN);
    assert_eq!(created["Tags"][0]["Key"], "team");
    let got = iam(&acct, "GetSAMLProvider", json!({"SAMLProviderArn": ARN})).unwrap();
    assert_eq!(got["SAMLMetadataDocument"], metadata(""));
    assert_eq!(got["CreateDate"], acct.now());
    assert!(got["ValidUntil"].as_i64().unwrap() > acct.now() + 99 * 365 * 86_400);
    assert_eq!(got["SAMLProviderUUID"].as_str().unwrap().len(), 32);
    let listed = iam(&acct, "ListSAMLProviders", json!({})).unwrap();
    assert_eq!(listed["SAMLProviderList"][0]["Arn"], ARN);

    let again = iam(
        &acct,
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": metadata("")}),
    );
    assert_eq!(again.unwrap_err().code, "EntityAlreadyExists");

    let later = metadata(r#"validUntil="2030-01-01T00:00:00Z""#);
    iam(
        &acct,
        "UpdateSAMLProvider",
        json!({"SAMLProviderArn": ARN, "SAMLMetadataDocument": later}),
    )
    .unwrap();
    let got = iam(&acct, "GetSAMLProvider", json!({"SAMLProviderArn": ARN})).unwrap();
    assert_eq!(got["ValidUntil"], 1_893_456_000);

    iam(
        &acct,
        "TagSAMLProvider",
        json!({"SAMLProviderArn": ARN, "Tags": [{"Key": "env", "Value": "prod"}]}),
    )
    .unwrap();
    iam(
        &acct,
        "UntagSAMLProvider",
        json!({"SAMLProviderArn": ARN, "TagKeys": ["team"]}),
    )
    .unwrap();
    let tags = iam(
        &acct,
        "ListSAMLProviderTags",
        json!({"SAMLProviderArn": ARN}),
    )
    .unwrap();
    assert_eq!(tags["Tags"], json!([{"Key": "env", "Value": "prod"}]));

    iam(&acct, "DeleteSAMLProvider", json!({"SAMLProviderArn": ARN})).unwrap();
    for action in [
        "GetSAMLProvider",
        "DeleteSAMLProvider",
        "ListSAMLProviderTags",
    ] {
        let e = iam(&acct, action, json!({"SAMLProviderArn": ARN})).unwrap_err();
        assert_eq!(e.code, "NoSuchEntity", "{action}");
    }
    let e = iam(
        &acct,
        "UpdateSAMLProvider",
        json!({"SAMLProviderArn": ARN, "SAMLMetadataDocument": metadata("")}),
    );
    assert_eq!(e.unwrap_err().code, "NoSuchEntity");
}

#[test]
fn bad_metadata_is_invalid_input_and_nothing_is_stored() {
    let (acct, _) = account();
    let bad = metadata("").replace("IDPSSODescriptor", "SPSSODescriptor");
    let e = iam(
        &acct,
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": bad}),
    )
    .unwrap_err();
    assert_eq!((e.code, e.message.as_str()), ("InvalidInput", UNPARSABLE));
    assert!(acct.snapshot().saml_providers.is_empty());
    iam(
        &acct,
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": metadata("")}),
    )
    .unwrap();
    let e = iam(
        &acct,
        "UpdateSAMLProvider",
        json!({"SAMLProviderArn": ARN, "SAMLMetadataDocument": "<x/>"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidInput");
    let e = iam(
        &acct,
        "UpdateSAMLProvider",
        json!({"SAMLProviderArn": ARN, "AddPrivateKey": "key"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidInput");
}

#[test]
fn every_operation_is_authorized_on_the_provider() {
    let (acct, _) = account();
    iam(&acct, "CreateUser", json!({"UserName": "eve"})).unwrap();
    let eve = user(&acct, "eve", None);
    let e = call(
        &acct,
        &eve,
        "iam",
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": metadata("")}),
    )
    .unwrap_err();
    assert!(
        e.message.contains(
            "iam:CreateSAMLProvider on resource: arn:aws:iam::111122223333:saml-provider/corp"
        ),
        "{}",
        e.message
    );
    iam(
        &acct,
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": metadata("")}),
    )
    .unwrap();
    let e = call(
        &acct,
        &eve,
        "iam",
        "GetSAMLProvider",
        json!({"SAMLProviderArn": ARN}),
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    let e = call(&acct, &eve, "iam", "ListSAMLProviders", json!({})).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
}
