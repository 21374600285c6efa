//! Last-accessed jobs (GenerateServiceLastAccessedDetails): what the job found, kept by its
//! id so that GetServiceLastAccessedDetails(+WithEntities) answer from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One entity a job reports on (a user or role; a group's users; a policy's users and roles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEntity {
    pub arn: String,
    pub name: String,
    /// `USER` or `ROLE`.
    pub kind: String,
    pub id: String,
    pub path: String,
}

/// The last access of a service or action: when, in which region, by which entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastAccess {
    pub time: i64,
    pub region: String,
    pub entity: String,
}

/// One service the entity's policies allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccess {
    pub namespace: String,
    pub last: Option<LastAccess>,
    /// When each entity (by ARN) last accessed the service.
    pub by_entity: BTreeMap<String, i64>,
    /// `ACTION_LEVEL` jobs, for tracked services: each allowed action's last access.
    pub actions: Option<Vec<(String, Option<LastAccess>)>>,
}

/// A finished job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessJob {
    pub id: String,
    /// The order jobs were generated in (the oldest is dropped first).
    #[serde(default)]
    pub seq: u64,
    /// The user, group, role or policy reported on.
    pub arn: String,
    /// `SERVICE_LEVEL` or `ACTION_LEVEL`.
    pub granularity: String,
    pub created: i64,
    pub completed: i64,
    pub entities: Vec<JobEntity>,
    pub services: Vec<ServiceAccess>,
}
