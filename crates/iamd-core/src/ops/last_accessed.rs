//! Last-accessed data (access advisor): GenerateServiceLastAccessedDetails,
//! GetServiceLastAccessedDetails and GetServiceLastAccessedDetailsWithEntities.
//!
//! A job is computed when it is generated, from the audit trail: every call (allowed or not,
//! as AWS counts attempts) that a user, or a session of a role, made to a service iamd serves
//! (IAM, STS) in AWS's tracking period of the last 400 days. It is stored finished
//! (`COMPLETED`), so a Get answers at once and the same on every node; the last 1,000 jobs are
//! kept. The services listed are
//! those the entity's policies allow (`service_access`); services other than IAM and STS are
//! listed without a last access, since their calls never reach iamd. `ACTION_LEVEL` jobs also
//! list, for IAM (a service AWS tracks actions of), each IAM action the policies allow with
//! its last access. GenerateOrganizationsAccessReport does not apply: an iamd account belongs
//! to no organization.

use std::collections::{BTreeMap, HashMap, HashSet};

use iamd_policy::Effect;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::service_access::{
    allowed_services, held_policies, report_entities, target, target_arn, HeldPolicy,
    RECORDED_SERVICES,
};
use super::support::{input, paginate};
use super::{iam_op as op, OpContext, Operation};
use crate::entities::access_jobs::{AccessJob, JobEntity, LastAccess, ServiceAccess};
use crate::entities::Kind;
use crate::error::IamError;
use crate::store::AuditQuery;

pub(super) static OPS: &[Operation] = &[
    op("GenerateServiceLastAccessedDetails", generate, false),
    op("GetServiceLastAccessedDetails", get, true),
    op(
        "GetServiceLastAccessedDetailsWithEntities",
        get_with_entities,
        true,
    ),
];

/// AWS's tracking period for last-accessed information.
const TRACKING_PERIOD: i64 = 400 * 24 * 3600;
/// Audit records read per page while a job scans the trail.
const SCAN_PAGE: usize = 2000;
/// Finished jobs kept; generating one more drops the oldest.
const MAX_JOBS: usize = 1000;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateInput {
    arn: String,
    granularity: Option<String>,
}

fn generate(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GenerateInput = input(value)?;
    ctx.authorize("iam:GenerateServiceLastAccessedDetails", &input.arn)?;
    let target = target(&ctx.state, &input.arn, true)?;
    let granularity = input
        .granularity
        .unwrap_or_else(|| "SERVICE_LEVEL".to_string());
    let policies = held_policies(&ctx.state, &target);
    let entities = report_entities(&ctx.state, &target);
    let recorded = scan(ctx, &entities)?;
    let services = allowed_services(&policies)
        .into_iter()
        .map(|namespace| {
            service_access(
                &namespace,
                &recorded,
                &policies,
                &granularity == "ACTION_LEVEL",
            )
        })
        .collect();
    let id = crate::crypto::request_id().map_err(|_| IamError::service_failure())?;
    let mut job = AccessJob {
        id: id.clone(),
        seq: 0,
        arn: target_arn(&target).to_string(),
        granularity,
        created: ctx.now,
        completed: ctx.now,
        entities,
        services,
    };
    ctx.write(|txn| {
        while txn.state.access_jobs.len() >= MAX_JOBS {
            let oldest = txn
                .state
                .access_jobs
                .values()
                .min_by_key(|j| j.seq)
                .map(|j| j.id.clone());
            let Some(oldest) = oldest else { break };
            txn.delete(Kind::AccessJob, &oldest);
            txn.state.access_jobs.remove(&oldest);
        }
        job.seq = txn
            .state
            .access_jobs
            .values()
            .map(|j| j.seq + 1)
            .max()
            .unwrap_or(0);
        txn.put(Kind::AccessJob, &job.id, &job)?;
        txn.state
            .access_jobs
            .insert(job.id.clone(), std::sync::Arc::new(job));
        Ok(())
    })?;
    Ok(json!({ "JobId": id }))
}

/// What the trail holds for the job's entities: each (entity, service) and
/// (entity, service, action)'s last access, newest first.
#[derive(Default)]
struct Recorded {
    services: HashMap<(String, String), (i64, String)>,
    actions: HashMap<(String, String, String), (i64, String)>,
}

/// Reads the audit records of IAM and STS calls of the last 400 days, newest first, and
/// keeps the last access of each of `entities` (users by ARN; roles through their sessions'
/// issuer).
fn scan(ctx: &OpContext<'_>, entities: &[JobEntity]) -> Result<Recorded, IamError> {
    let wanted: HashSet<&str> = entities.iter().map(|e| e.arn.as_str()).collect();
    let mut recorded = Recorded::default();
    if wanted.is_empty() {
        return Ok(recorded);
    }
    // Reads and failed calls wait in memory: write them first.
    ctx.account.flush_deferred()?;
    for (namespace, _, source) in RECORDED_SERVICES {
        let mut query = AuditQuery {
            event_source: Some(source.to_string()),
            start: Some(ctx.now - TRACKING_PERIOD),
            limit: SCAN_PAGE,
            ..Default::default()
        };
        loop {
            let page = ctx.account.audit_lookup(&query)?;
            for (_, record) in &page {
                let Ok(body) = serde_json::from_str::<Value>(&record.body) else {
                    continue;
                };
                let identity = &body["userIdentity"];
                let entity = match identity["type"].as_str() {
                    Some("IAMUser") => identity["arn"].as_str(),
                    Some("AssumedRole") => {
                        identity["sessionContext"]["sessionIssuer"]["arn"].as_str()
                    }
                    _ => None,
                };
                let Some(entity) = entity.filter(|e| wanted.contains(e)) else {
                    continue;
                };
                let region = body["awsRegion"]
                    .as_str()
                    .unwrap_or("us-east-1")
                    .to_string();
                let at = (record.event_time, region);
                recorded
                    .services
                    .entry((entity.to_string(), namespace.to_string()))
                    .or_insert_with(|| at.clone());
                let action = (
                    entity.to_string(),
                    namespace.to_string(),
                    record.event_name.clone(),
                );
                recorded.actions.entry(action).or_insert(at);
            }
            match page.last() {
                Some((position, last)) if page.len() == SCAN_PAGE => {
                    query.before = Some((last.event_time, *position));
                }
                _ => break,
            }
        }
    }
    Ok(recorded)
}

/// The newest of `accesses` (entity, time, region).
fn newest<'a>(accesses: impl Iterator<Item = (&'a str, &'a (i64, String))>) -> Option<LastAccess> {
    accesses
        .max_by_key(|(_, (time, _))| *time)
        .map(|(entity, (time, region))| LastAccess {
            time: *time,
            region: region.clone(),
            entity: entity.to_string(),
        })
}

fn service_access(
    namespace: &str,
    recorded: &Recorded,
    policies: &[HeldPolicy],
    action_level: bool,
) -> ServiceAccess {
    let of_service = recorded
        .services
        .iter()
        .filter(|((_, ns), _)| ns == namespace);
    let by_entity: BTreeMap<String, i64> = of_service
        .clone()
        .map(|((entity, _), (time, _))| (entity.clone(), *time))
        .collect();
    let last = newest(of_service.map(|((entity, _), at)| (entity.as_str(), at)));
    let actions = (action_level && namespace == "iam").then(|| {
        super::all()
            .filter(|op| op.service.signing_name == "iam")
            .filter(|op| allows_action(policies, &format!("iam:{}", op.name)))
            .map(|op| {
                let last = newest(
                    recorded
                        .actions
                        .iter()
                        .filter(|((_, ns, action), _)| ns == namespace && action == op.name)
                        .map(|((entity, _, _), at)| (entity.as_str(), at)),
                );
                (op.name.to_string(), last)
            })
            .collect()
    });
    ServiceAccess {
        namespace: namespace.to_string(),
        last,
        by_entity,
        actions,
    }
}

/// Whether an `Allow` statement of the policies names `action`.
fn allows_action(policies: &[HeldPolicy], action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    policies.iter().any(|p| {
        p.compiled
            .policy
            .statements()
            .iter()
            .any(|s| s.effect == Effect::Allow && s.matches_action(&action))
    })
}

fn service_name(namespace: &str) -> &str {
    RECORDED_SERVICES
        .iter()
        .find(|(ns, _, _)| *ns == namespace)
        .map_or(namespace, |(_, name, _)| name)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetInput {
    job_id: String,
    service_namespace: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

fn find_job<'a>(
    ctx: &'a OpContext<'_>,
    id: &str,
) -> Result<&'a std::sync::Arc<AccessJob>, IamError> {
    ctx.state
        .access_jobs
        .get(id)
        .ok_or_else(|| IamError::no_such_entity(format!("The job with id {id} cannot be found.")))
}

fn job_header(job: &AccessJob) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("JobStatus".into(), json!("COMPLETED"));
    out.insert("JobCreationDate".into(), json!(job.created));
    out.insert("JobCompletionDate".into(), json!(job.completed));
    out
}

fn get(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetInput = input(value)?;
    ctx.authorize("iam:GetServiceLastAccessedDetails", "*")?;
    let job = find_job(ctx, &input.job_id)?;
    let services = job.services.iter().enumerate().map(|(i, s)| {
        let mut entry = json!({
            "ServiceName": service_name(&s.namespace),
            "ServiceNamespace": s.namespace,
            "TotalAuthenticatedEntities": s.by_entity.len(),
        });
        if let Some(last) = &s.last {
            entry["LastAuthenticated"] = json!(last.time);
            entry["LastAuthenticatedEntity"] = json!(last.entity);
            entry["LastAuthenticatedRegion"] = json!(last.region);
        }
        if let Some(actions) = &s.actions {
            let tracked: Vec<Value> = actions
                .iter()
                .map(|(name, last)| {
                    let mut action = json!({ "ActionName": name });
                    if let Some(last) = last {
                        action["LastAccessedEntity"] = json!(last.entity);
                        action["LastAccessedTime"] = json!(last.time);
                        action["LastAccessedRegion"] = json!(last.region);
                    }
                    action
                })
                .collect();
            entry["TrackedActionsLastAccessed"] = json!(tracked);
        }
        (format!("{i:08}"), entry)
    });
    let mut out = job_header(job);
    out.insert("JobType".into(), json!(job.granularity));
    paginate(services, input.marker.as_deref(), input.max_items)?
        .finish(out, "ServicesLastAccessed")
}

fn get_with_entities(ctx: &OpContext<'_>, value: &Value) -> Result<Value, IamError> {
    let input: GetInput = input(value)?;
    ctx.authorize("iam:GetServiceLastAccessedDetailsWithEntities", "*")?;
    let job = find_job(ctx, &input.job_id)?;
    let namespace = input.service_namespace.unwrap_or_default();
    let service = job.services.iter().find(|s| s.namespace == namespace);
    let entities = job.entities.iter().enumerate().map(|(i, e)| {
        let mut entry = json!({"EntityInfo": {
            "Arn": e.arn, "Name": e.name, "Type": e.kind, "Id": e.id, "Path": e.path,
        }});
        if let Some(time) = service.and_then(|s| s.by_entity.get(&e.arn)) {
            entry["LastAuthenticated"] = json!(time);
        }
        (format!("{i:08}"), entry)
    });
    paginate(entities, input.marker.as_deref(), input.max_items)?
        .finish(job_header(job), "EntityDetailsList")
}
