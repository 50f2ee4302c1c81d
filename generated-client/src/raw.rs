//! The escape hatch: send any JSON body through the same hooks as the typed call.

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue, encode_path};
use reqwest::header::{ACCEPT, HeaderValue};

use crate::error::GeneratedError;
use crate::types::{CreateConnectorResp, ErrorBody};
use crate::{Client, Error, PathSegment};

impl Client {
    /// Sends `body` as it is to `POST /v2/{project_id}/instances/{instance_id}/connector`,
    /// skipping the typed body and its checks (for a field or a value the spec does not know
    /// yet). The request still goes through the same hooks (signing or token, size limit),
    /// and the reply is read as in [`Client::enable_smart_connect`].
    pub async fn create_connector_raw(
        &self,
        project_id: &str,
        instance_id: &str,
        body: &serde_json::Value,
    ) -> Result<ResponseValue<CreateConnectorResp>, Error> {
        self.create_connector_raw_inner(project_id, instance_id, body)
            .await
            .map_err(Error::from)
    }

    async fn create_connector_raw_inner(
        &self,
        project_id: &str,
        instance_id: &str,
        body: &serde_json::Value,
    ) -> Result<ResponseValue<CreateConnectorResp>, GeneratedError> {
        let segment =
            |name: &str, value: &str| PathSegment::new(value).map_err(|e| format!("{name}: {e}"));
        let (project_id, instance_id) = segment("project_id", project_id)
            .and_then(|p| Ok((p, segment("instance_id", instance_id)?)))
            .map_err(GeneratedError::InvalidRequest)?;
        let url = format!(
            "{}/v2/{}/instances/{}/connector",
            self.baseurl,
            encode_path(project_id.as_str()),
            encode_path(instance_id.as_str()),
        );
        let mut request = self
            .client
            .post(url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .json(body)
            .build()?;
        let info = OperationInfo {
            operation_id: "create_connector_raw",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200 => ResponseValue::from_response(response).await,
            400..=599 => Err(GeneratedError::ErrorResponse(
                ResponseValue::<ErrorBody>::from_response(response).await?,
            )),
            _ => Err(GeneratedError::UnexpectedResponse(response)),
        }
    }
}
