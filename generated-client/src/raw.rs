//! The escape hatch: send any JSON body through the same hooks as the typed call.

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue, encode_path};
use reqwest::header::{ACCEPT, HeaderValue};

use crate::types::{CreateConnectorResp, ErrorBody};
use crate::{Client, Error, PathSegment};

impl Client {
    /// Sends `body` as it is to `POST /v2/{project_id}/instances/{instance_id}/connector`,
    /// skipping the typed body and its checks (for a field or a value the spec does not know
    /// yet). The request still goes through [`crate::hooks`], and the reply is read as in
    /// [`Client::create_connector`].
    pub async fn create_connector_raw(
        &self,
        project_id: &str,
        instance_id: &str,
        body: &serde_json::Value,
    ) -> Result<ResponseValue<CreateConnectorResp>, Error<ErrorBody>> {
        let segment =
            |name: &str, value: &str| PathSegment::new(value).map_err(|e| format!("{name}: {e}"));
        let (project_id, instance_id) = segment("project_id", project_id)
            .and_then(|p| Ok((p, segment("instance_id", instance_id)?)))
            .map_err(Error::InvalidRequest)?;
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
            400..=599 => Err(Error::ErrorResponse(
                ResponseValue::from_response(response).await?,
            )),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
