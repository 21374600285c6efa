//! The audit log's allow-list of request parameters against the AWS models: every input
//! member of every IAM and STS operation (and of CloudTrail's LookupEvents) is either recorded or deliberately not, and no
//! member of a shape the model marks sensitive is ever recorded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use iamd_core::audit::{RECORDED_PARAMETERS, UNRECORDED_PARAMETERS};
use iamd_wire::{Service, ServiceModel, ShapeKind};

/// Every (member name, sensitive?) reachable from the input shapes of the operations
/// `served` accepts.
fn input_members(model: &ServiceModel, served: impl Fn(&str) -> bool) -> BTreeSet<(String, bool)> {
    let mut found = BTreeSet::new();
    let mut todo: Vec<String> = model
        .operation_names()
        .filter(|name| served(name))
        .filter_map(|name| model.operation(name)?.input.clone())
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(shape_name) = todo.pop() {
        if !seen.insert(shape_name.clone()) {
            continue;
        }
        let shape = model.shape(&shape_name).expect("shape in model");
        match &shape.kind {
            ShapeKind::Structure { members, .. } => {
                for member in members {
                    let target = model.shape(&member.shape).expect("member shape");
                    found.insert((member.name.clone(), target.sensitive));
                    todo.push(member.shape.clone());
                }
            }
            ShapeKind::List { member, .. } => todo.push(member.shape.clone()),
            ShapeKind::Map { key, value, .. } => {
                todo.push(key.shape.clone());
                todo.push(value.shape.clone());
            }
            _ => {}
        }
    }
    found
}

#[test]
fn every_input_member_is_either_recorded_or_not_and_sensitive_ones_never_are() {
    for service in Service::ALL {
        let model = ServiceModel::get(service);
        // Every operation of IAM and STS; of CloudTrail, the ones iamd serves (LookupEvents).
        let served = |name: &str| {
            service != Service::CloudTrail
                || iamd_core::ops::find(&model.signing_name, name).is_some()
        };
        for (name, sensitive) in input_members(model, served) {
            let recorded = RECORDED_PARAMETERS.contains(&name.as_str());
            let unrecorded = UNRECORDED_PARAMETERS.contains(&name.as_str());
            assert!(
                recorded != unrecorded,
                "{service:?} member {name}: put it in exactly one of RECORDED_PARAMETERS and UNRECORDED_PARAMETERS"
            );
            assert!(
                !(sensitive && recorded),
                "{service:?} member {name} is sensitive in the model but recorded"
            );
        }
    }
}

#[test]
fn the_hardware_token_file_is_never_recorded() {
    assert!(!RECORDED_PARAMETERS.contains(&"Body"));
}
