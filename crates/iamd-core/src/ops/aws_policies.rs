//! What an account may not do to AWS managed policies (`arn:aws:iam::aws:policy/...`):
//! they belong to AWS, so new versions, a new default version, deletion and tags are refused.
//! Reading, listing and attaching them work as for customer managed policies (the policies
//! themselves are loaded by [`crate::aws_policies`]).
//!
//! AWS answers such a change with AccessDenied, the resource being in another account (the
//! `aws` one). The exact wording is not documented: iamd uses AWS's cross-account denial
//! text ("... on resource: policy ARN because no resource-based policy allows ..."). The
//! check runs after the caller's own authorization, so a caller without the permission sees
//! the usual denial first.
