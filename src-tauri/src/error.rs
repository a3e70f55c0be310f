use serde::Serialize;
use stationdesk_core::domain::DomainError;
use stationdesk_core::remote::RemoteError;
use stationdesk_core::store::StoreError;
use stationdesk_core::sync::SyncError;

/// What the UI gets when a command fails: `message` is shown as it is, `code` is for branching.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct UiError {
    pub code: &'static str,
    pub message: String,
}

impl From<StoreError> for UiError {
    fn from(error: StoreError) -> Self {
        UiError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<RemoteError> for UiError {
    fn from(error: RemoteError) -> Self {
        StoreError::from(error).into()
    }
}

impl From<SyncError> for UiError {
    fn from(error: SyncError) -> Self {
        let code = match &error {
            SyncError::Store(inner) => inner.code(),
            SyncError::Secrets(_) => "keyring",
            SyncError::Refused { .. } => "refused",
            SyncError::TwoFactorRequired(_) => "two_factor_required",
            SyncError::AccessEnded { .. } => "access_ended",
            _ => "sync",
        };
        UiError {
            code,
            message: error.to_string(),
        }
    }
}

impl From<DomainError> for UiError {
    fn from(error: DomainError) -> Self {
        StoreError::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_code_and_message() {
        let error = UiError::from(DomainError::StationCountOutOfRange { given: 0, max: 500 });
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"code": "rule", "message": "the advisor needs between 1 and 500 stations, not 0"})
        );
        let error = UiError::from(StoreError::DiskFull);
        assert_eq!(error.code, "disk_full");
    }
}
