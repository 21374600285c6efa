//! CloudTrail's LookupEvents through the official AWS SDK for Rust's CloudTrail client against
//! a real `iamd serve`: the SDK parses the events (times, resources, the record string), pages
//! with its paginator, and maps CloudTrail's exceptions to its modelled errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use support::{Server, REGION, ROOT_KEY_ID, ROOT_SECRET};

fn cloudtrail(server: &Server, key_id: &str, secret: &str) -> aws_sdk_cloudtrail::Client {
    let config = aws_sdk_cloudtrail::config::Builder::new()
        .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtrail::config::Region::new(REGION))
        .endpoint_url(&server.endpoint)
        .credentials_provider(Credentials::new(key_id, secret, None, None, "iamd-test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_cloudtrail::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_cloudtrail::Client::from_conf(config)
}

fn by(key: LookupAttributeKey, value: &str) -> LookupAttribute {
    LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_sdk_reads_pages_and_errors_of_lookup_events() {
    let server = Server::start();
    let iam = server.iam();
    let (bob_key, bob_secret) = server.user_with_key("bob").await;
    for _ in 0..60 {
        iam.get_user().user_name("bob").send().await.unwrap();
    }
    let trail = cloudtrail(&server, ROOT_KEY_ID, ROOT_SECRET);

    // Reads reach the database within a few seconds; the paginator follows NextToken.
    let deadline = Instant::now() + Duration::from_secs(30);
    let events = loop {
        let pages: Vec<_> = trail
            .lookup_events()
            .lookup_attributes(by(LookupAttributeKey::EventName, "GetUser"))
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .unwrap();
        let events: Vec<_> = pages
            .into_iter()
            .flat_map(|page| page.events.unwrap_or_default())
            .collect();
        if events.len() >= 60 || Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(events.len(), 60);
    let event = &events[0];
    assert_eq!(event.event_source(), Some("iam.amazonaws.com"));
    assert_eq!(event.read_only(), Some("true"));
    assert_eq!(event.username(), Some("root"));
    assert_eq!(event.access_key_id(), Some(ROOT_KEY_ID));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let age = now - event.event_time().unwrap().secs();
    assert!((0..300).contains(&age), "EventTime is now: {age} s ago");
    let resource = &event.resources()[0];
    assert_eq!(resource.resource_type(), Some("AWS::IAM::User"));
    assert_eq!(resource.resource_name(), Some("bob"));
    let record: serde_json::Value =
        serde_json::from_str(event.cloud_trail_event().unwrap()).unwrap();
    assert_eq!(record["eventID"], event.event_id().unwrap());

    // CloudTrail's exceptions are the SDK's modelled errors.
    let err = trail
        .lookup_events()
        .max_results(51)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_max_results_exception(), "{err:?}");
    let err = trail
        .lookup_events()
        .lookup_attributes(by(LookupAttributeKey::EventName, "GetUser"))
        .lookup_attributes(by(LookupAttributeKey::Username, "bob"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_lookup_attributes_exception(), "{err:?}");
    let err = trail
        .lookup_events()
        .next_token("forged")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_next_token_exception(), "{err:?}");

    // Bob may not look.
    let err = cloudtrail(&server, &bob_key, &bob_secret)
        .lookup_events()
        .send()
        .await
        .unwrap_err();
    use aws_sdk_cloudtrail::error::ProvideErrorMetadata;
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");
}
