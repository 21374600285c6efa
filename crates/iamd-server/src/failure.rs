//! An error on its way to the caller, before a front door encodes it in its protocol. The
//! one place where the layers' errors (SigV4, wire, operations) become the caller's code,
//! HTTP status and text.

use iamd_core::IamError;
use iamd_sigv4::SigV4Error;
use iamd_wire::Service;

/// An error on its way to the caller.
pub(crate) struct Failure {
    pub(crate) service: Service,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) status: u16,
    /// The operation the request named, when its input was refused (the call is then
    /// recorded in the audit log under that operation).
    pub(crate) operation: Option<String>,
}

impl Failure {
    pub(crate) fn new(
        service: Service,
        code: impl Into<String>,
        message: impl Into<String>,
        status: u16,
    ) -> Self {
        Failure {
            service,
            code: code.into(),
            message: message.into(),
            status,
            operation: None,
        }
    }

    /// This failure, for a request to `operation`.
    pub(crate) fn of_operation(mut self, operation: &str) -> Self {
        self.operation = Some(operation.to_string());
        self
    }

    pub(crate) fn sigv4(service: Service, e: &SigV4Error) -> Self {
        Failure::new(service, e.code(), e.message(), e.status())
    }

    pub(crate) fn iam(service: Service, e: IamError) -> Self {
        Failure::new(service, e.code, e.message, e.status)
    }

    pub(crate) fn wire(service: Service, e: iamd_wire::WireError) -> Self {
        Failure::new(service, e.code, e.message, e.status)
    }
}
