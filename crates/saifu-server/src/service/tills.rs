//! A shop's tills: one-time invites, enrolment, and what an owner's till may do that a
//! staff till may not (invite, list and lock tills).

use saifu_api::{CreateInvite, EnrolTill, Invite, Shop, Till, TillList};

use super::wallets::merchant_view;
use super::{Service, ServiceError, SignedTillRequest, codes};
use crate::store::{StoreError, TillRole, TillRow};

/// How long an invite may be used.
pub const INVITE_SECONDS: i64 = 7 * 24 * 60 * 60;

/// Twelve symbols of Crockford's base32: 60 bits, shown in groups of four.
const INVITE_LENGTH: usize = 12;

fn role_of(role: saifu_api::TillRole) -> TillRole {
    match role {
        saifu_api::TillRole::Owner => TillRole::Owner,
        saifu_api::TillRole::Staff => TillRole::Staff,
    }
}

fn role_view(role: TillRole) -> saifu_api::TillRole {
    match role {
        TillRole::Owner => saifu_api::TillRole::Owner,
        TillRole::Staff => saifu_api::TillRole::Staff,
    }
}

fn till_view(row: TillRow, asking_till: &str) -> Till {
    Till {
        this_till: row.till_id == asking_till,
        till_id: row.till_id,
        till_name: row.till_name,
        role: role_view(row.role),
        enrolled_at: row.enrolled_at,
        locked_at: row.locked_at,
    }
}

impl SignedTillRequest {
    /// The till, if it is its shop's owner's.
    pub(super) fn owner(&self) -> Result<&TillRow, ServiceError> {
        match self.till.role {
            TillRole::Owner => Ok(&self.till),
            TillRole::Staff => Err(ServiceError::Forbidden("only the shop's owner may do this")),
        }
    }
}

impl Service {
    /// A one-time invite for a till of `merchant_id` (the command line's, or an owner's).
    pub async fn issue_invite(
        &self,
        merchant_id: &str,
        role: saifu_api::TillRole,
    ) -> Result<Invite, ServiceError> {
        if self.store.merchant(merchant_id).await?.is_none() {
            return Err(ServiceError::UnknownMerchant);
        }
        let code = codes::new_code(INVITE_LENGTH)?;
        let now = self.now();
        let expires_at = now + INVITE_SECONDS;
        let hash = codes::code_hash(&code, INVITE_LENGTH)
            .ok_or_else(|| ServiceError::internal("invite", "a new invite does not read back"))?;
        let merchant = merchant_id.to_owned();
        self.store
            .write(move |mut tx| {
                Box::pin(async move {
                    tx.insert_invite(&hash, &merchant, role_of(role), now, expires_at)
                        .await
                })
            })
            .await
            .map_err(ServiceError::from)?;
        tracing::info!(merchant_id, ?role, "till invite issued");
        Ok(Invite {
            code,
            role,
            expires_at,
        })
    }

    /// Makes a browser a till of the shop whose invite it carries: the invite and the
    /// registration's challenge are used up with the till's row, all or nothing.
    pub async fn enrol_till(&self, enrol: EnrolTill) -> Result<Shop, ServiceError> {
        let hash = codes::code_hash(&enrol.invite_code, INVITE_LENGTH)
            .ok_or(ServiceError::InvalidInvite)?;
        // A till proves its key as a device does; it belongs to no wallet.
        let key = self.verify_registration(&enrol.till, "")?;
        let now = key.registered_at;
        let challenge = enrol.till.challenge.clone();
        let till = self
            .store
            .write(move |mut tx| {
                Box::pin(async move {
                    super::wallets::take_challenge(&mut tx, &challenge, now).await?;
                    let (merchant_id, role) =
                        tx.take_invite(&hash, now)
                            .await
                            .map_err(|error| match error {
                                StoreError::NotFound => ServiceError::InvalidInvite,
                                other => other.into(),
                            })?;
                    let till = TillRow {
                        till_id: key.device_id,
                        merchant_id,
                        role,
                        till_name: key.device_name,
                        public_key: key.public_key,
                        enrolled_at: now,
                        locked_at: None,
                    };
                    tx.add_till(&till).await.map_err(|error| match error {
                        StoreError::Duplicate => {
                            ServiceError::Conflict("this till id or key is registered already")
                        }
                        other => other.into(),
                    })?;
                    Ok::<_, ServiceError>(till)
                })
            })
            .await?;
        tracing::info!(
            merchant_id = till.merchant_id,
            till_id = till.till_id,
            role = till.role.as_str(),
            "till enrolled"
        );
        self.shop_of(till).await
    }

    /// The shop the asking till works for.
    pub async fn shop(&self, request: SignedTillRequest) -> Result<Shop, ServiceError> {
        self.shop_of(request.till).await
    }

    async fn shop_of(&self, till: TillRow) -> Result<Shop, ServiceError> {
        let merchant = self
            .store
            .merchant(&till.merchant_id)
            .await?
            .ok_or(ServiceError::UnknownMerchant)?;
        let till_id = till.till_id.clone();
        Ok(Shop {
            merchant: merchant_view(merchant),
            till: till_view(till, &till_id),
        })
    }

    /// An invite for another till of the asking owner's shop.
    pub async fn invite(&self, request: SignedTillRequest) -> Result<Invite, ServiceError> {
        let CreateInvite { role } = request.json()?;
        let owner = request.owner()?;
        self.issue_invite(&owner.merchant_id, role).await
    }

    pub async fn list_tills(&self, request: SignedTillRequest) -> Result<TillList, ServiceError> {
        let owner = request.owner()?;
        let rows = self.store.merchant_tills(&owner.merchant_id).await?;
        Ok(TillList {
            tills: rows
                .into_iter()
                .map(|row| till_view(row, &owner.till_id))
                .collect(),
        })
    }

    /// Locks a lost or retired till of the owner's shop: refused from its next request on.
    pub async fn lock_till(
        &self,
        request: SignedTillRequest,
        till_id: String,
    ) -> Result<Till, ServiceError> {
        let owner = request.owner()?;
        let not_found = || ServiceError::NotFound("the shop has no such till");
        let target = self.store.till(&till_id).await?.ok_or_else(not_found)?;
        // Another shop's tills are as good as absent: nothing about them is revealed.
        if target.merchant_id != owner.merchant_id {
            return Err(not_found());
        }
        if target.till_id == owner.till_id {
            return Err(ServiceError::Conflict(
                "a till cannot lock itself; lock it from another owner's till",
            ));
        }
        let (locked, by, now) = (target.till_id.clone(), owner.till_id.clone(), self.now());
        self.store
            .write(move |mut tx| Box::pin(async move { tx.lock_till(&locked, &by, now).await }))
            .await
            .map_err(ServiceError::from)?;
        tracing::info!(
            merchant_id = target.merchant_id,
            till_id = target.till_id,
            "till locked"
        );
        let locked = self.store.till(&till_id).await?.ok_or_else(not_found)?;
        Ok(till_view(locked, &owner.till_id))
    }
}
