//! The reference wallet service in this process, over a fresh SQLite file, with the demo
//! shops and promotions: what the client and the app talk to in the full-stack tests. Every
//! answer it gives is checked against its OpenAPI document.

use reqwest::Method;
use saifu_api::{Challenge, Device, DeviceRegistration, Refund, Wallet, paths};
use saifu_client::{
    Api, ClientError, DeviceIdentity, Sensitive, device_registration, new_device_key,
};
use saifu_core::auth::DeviceSigningKey;
pub use saifu_server::testing::{TestApp as LocalService, TestDevice, temp_dir};
use serde::de::DeserializeOwned;

/// The service with the demo shops and promotions, on a port of its own.
pub async fn start() -> LocalService {
    saifu_server::testing::spawn_demo_app().await
}

/// A device of the wallet other than the one under test (a tablet, a watch), speaking to
/// the service directly with its own key.
pub struct OtherDevice {
    api: Api,
    identity: DeviceIdentity,
}

impl OtherDevice {
    /// A new device, and its signed registration for a device of the wallet to approve.
    pub async fn new(base: &str, device_id: &str, name: &str) -> (OtherDevice, DeviceRegistration) {
        let api = Api::new(base).expect("a client of the service");
        let challenge: Challenge = api
            .public(Method::POST, paths::CHALLENGES, None::<&()>)
            .await
            .expect("a challenge");
        let key = new_device_key().expect("a device key");
        let registration =
            device_registration(&challenge, device_id, name, &key).expect("a registration");
        let identity = DeviceIdentity {
            device_id: device_id.to_owned(),
            key: Sensitive::new(key),
        };
        (OtherDevice { api, identity }, registration)
    }

    /// A device already in the wallet, with the key it keeps.
    pub fn enrolled(base: &str, device_id: &str, key: DeviceSigningKey) -> OtherDevice {
        OtherDevice {
            api: Api::new(base).expect("a client of the service"),
            identity: DeviceIdentity {
                device_id: device_id.to_owned(),
                key: Sensitive::new(key),
            },
        }
    }

    pub async fn approve(&self, registration: &DeviceRegistration) -> Result<Device, ClientError> {
        self.send(Method::POST, paths::DEVICES, Some(registration))
            .await
    }

    pub async fn lock(&self, device_id: &str) -> Result<Device, ClientError> {
        self.send(Method::POST, &paths::device_lock(device_id), None)
            .await
    }

    pub async fn wallet(&self) -> Result<Wallet, ClientError> {
        self.send(Method::GET, paths::WALLET, None).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&DeviceRegistration>,
    ) -> Result<T, ClientError> {
        self.api
            .signed(&self.identity, method, path, body, None)
            .await
    }
}

/// The owner's till gives back `amount` of payment `payment_id`.
pub async fn refund(
    service: &LocalService,
    till: &TestDevice,
    payment_id: &str,
    amount: &str,
) -> Refund {
    let body = serde_json::json!({ "payment_id": payment_id, "amount": amount }).to_string();
    let response = till
        .signed(service, Method::POST, paths::REFUNDS, &body)
        .header(
            paths::IDEMPOTENCY_KEY,
            saifu_server::testing::unique("refund-key"),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), reqwest::StatusCode::OK, "refund");
    response.json().await.expect("a refund")
}
