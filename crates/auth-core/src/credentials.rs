//! Checking an email and password, the same way in every example: at sign-in, and wherever
//! a signed-in user must prove it is them (changing the password, a fresh proof).
//!
//! 1. The email must parse ([`Error::InvalidInput`]). A place in the hashing queue is reserved
//!    before anything else ([`Error::Busy`] when it is full: nothing is read or written).
//! 2. One round trip, two calls in parallel: the client address takes its place in the
//!    caller's per-address limit (sign-in passes it here so that it runs beside the lookup),
//!    and the account is looked up: the user a device cookie names, or the email's claim.
//! 3. The attempt is *taken* ([`crate::throttle`]): one conditional write, before any hashing.
//!    A running wait is [`Error::RateLimited`]. Taking it on the user item also reads the user.
//! 4. The password is verified against the stored hash, or a dummy hash when there is no such
//!    account, so the answer and the time it takes are the same ([`Error::WrongCredentials`]).
//! 5. Wrong: the next attempt's wait is written. Right: [`Verified`] carries the writes that
//!    clear the throttle (and a new device, see [`crate::device`]); the caller commits them with
//!    its own write, the new session at sign-in.

use crate::device::{self, DeviceToken};
use crate::email::EmailAddress;
use crate::hasher::Hasher;
use crate::password::Password;
use crate::rate_limit::RateLimit;
use crate::throttle::{self, Taken, Target};
use crate::transaction::TxItem;
use crate::user::{User, get_user, user_from_item};
use crate::{Error, Result, Table};

/// What a sign-in form (or a proof step) sent, and what the browser carries.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
    /// A per-client limit and the client's key, to take beside the lookup; `None` when the
    /// caller already took it.
    pub per_client: Option<(&'a RateLimit, &'a str)>,
}

/// Email and password matched.
#[derive(Debug)]
pub struct Verified {
    pub user: User,
    /// A device cookie to give the browser, when it did not send a valid one.
    pub new_device: Option<DeviceToken>,
    /// Writes that belong with the caller's own: the throttle cleared, the new device stored.
    pub writes: Vec<TxItem>,
}

/// Who an attempt is for, found in step 2.
enum Owner {
    /// A valid-looking device cookie for this very email: its user, read by id.
    Device(DeviceToken, User),
    /// The email's claim names this user.
    Claimed(String),
    /// No account has this email.
    Nobody,
}

/// Steps 1–5 above.
#[tracing::instrument(skip_all)]
pub async fn verify_credentials(
    table: &Table,
    hasher: &Hasher,
    credentials: Credentials<'_>,
) -> Result<Verified> {
    let email = EmailAddress::parse(credentials.email)?;
    let slot = hasher.reserve()?;
    let device = credentials.device.and_then(DeviceToken::parse);
    let per_client = async {
        match credentials.per_client {
            Some((limit, key)) => limit.take(table, key).await,
            None => Ok(()),
        }
    };
    let ((), owner) = tokio::try_join!(per_client, find_owner(table, &email, device))?;
    let (taken, user) = take_attempt(table, &email, owner).await?;
    let user = user.filter(|u| u.email == email);
    let matches = match Password::parse(credentials.password) {
        Ok(password) => {
            let hash = user.as_ref().and_then(|u| u.password_hash.as_ref());
            slot.verify(hash, &password).await?
        }
        // No stored password breaks the policy, so this one cannot match.
        Err(_) => false,
    };
    match user.filter(|_| matches) {
        Some(user) => Ok(verified(table, taken, user, &email)),
        None => {
            taken.failed(table).await?;
            Err(Error::WrongCredentials)
        }
    }
}

/// Step 2's lookup: the device cookie's user when it is this email's account, else the claim.
async fn find_owner(
    table: &Table,
    email: &EmailAddress,
    device: Option<DeviceToken>,
) -> Result<Owner> {
    if let Some(device) = device
        && let Some(user) = get_user(table, &device.user_id).await?
        && user.email == *email
    {
        return Ok(Owner::Device(device, user));
    }
    Ok(
        match crate::user::find_user_id_by_email(table, email).await? {
            Some(user_id) => Owner::Claimed(user_id),
            None => Owner::Nobody,
        },
    )
}

/// Step 3: the attempt taken on the device, the user, or the address with no account.
async fn take_attempt(
    table: &Table,
    email: &EmailAddress,
    owner: Owner,
) -> Result<(Taken, Option<User>)> {
    let user_id = match owner {
        Owner::Device(device, user) => {
            let target = Target::Device {
                user_id: user.id.clone(),
                device_sk: device.sort_key(),
                email: email.clone(),
            };
            match throttle::take(table, target).await {
                Ok(taken) => return Ok((taken, Some(user))),
                // Not a device of this account after all (forged, expired): the account's own.
                Err(Error::NotFound) => user.id,
                Err(e) => return Err(e),
            }
        }
        Owner::Claimed(user_id) => user_id,
        Owner::Nobody => return take_for_nobody(table, email).await,
    };
    match throttle::take(table, Target::User { user_id }).await {
        Ok(taken) => {
            let user = taken.before.clone().map(user_from_item).transpose()?;
            Ok((taken, user))
        }
        // The account was deleted since its claim was read.
        Err(Error::NotFound) => take_for_nobody(table, email).await,
        Err(e) => Err(e),
    }
}

async fn take_for_nobody(table: &Table, email: &EmailAddress) -> Result<(Taken, Option<User>)> {
    let target = Target::NoAccount {
        email: email.clone(),
    };
    Ok((throttle::take(table, target).await?, None))
}

/// Step 5, right password: the writes to commit, and a new device unless one was used.
fn verified(table: &Table, taken: Taken, user: User, email: &EmailAddress) -> Verified {
    let mut writes = vec![taken.cleared(table)];
    let new_device = (!taken.is_device()).then(|| {
        let (token, write) = device::new_device(table, &user.id, email);
        writes.push(write);
        token
    });
    Verified {
        user,
        new_device,
        writes,
    }
}
