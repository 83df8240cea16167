//! A form extractor that refuses what it cannot read exactly, with a page a user understands.
//!
//! `application/x-www-form-urlencoded` decoders usually replace what is not UTF-8 with U+FFFD.
//! For a password that is a quiet disaster: `%FF%FE` and `%FE%FF` would both decode to the same
//! `��` and sign in as each other. So a body is checked first: every `%` must start a
//! two-digit hex escape, and every field must decode to valid UTF-8. Anything else is a 400
//! page that says so, before a handler sees a single field.

use crate::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// `axum::Form`, strict about its encoding, with oversized bodies answered 413 and malformed
/// ones 400, as error pages. Give form structs `#[serde(default)]` so a missing field reaches
/// the handler's own checks.
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                _ => unreadable(),
            })?;
        check_encoding(&bytes)?;
        let request = Request::from_parts(parts, Body::from(bytes));
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

fn map_rejection(rejection: FormRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge;
    }
    unreadable()
}

fn unreadable() -> AppError {
    AppError::BadRequest("The form could not be read. Please fill it in again.".into())
}

/// Every field of a urlencoded body decodes exactly: well-formed escapes, valid UTF-8.
fn check_encoding(body: &[u8]) -> Result<(), AppError> {
    for part in body.split(|&b| b == b'&' || b == b'=') {
        let decoded = percent_decode_strict(part).ok_or_else(|| {
            AppError::BadRequest(
                "The form was not sent as valid percent-encoding, so it was not read. \
                 Please fill it in again."
                    .into(),
            )
        })?;
        if std::str::from_utf8(&decoded).is_err() {
            return Err(AppError::BadRequest(
                "The form contains text that is not valid UTF-8, so it was not read. \
                 Please type it again."
                    .into(),
            ));
        }
    }
    Ok(())
}

/// Decodes `+` and `%XX`; `None` for a `%` not followed by two hex digits.
fn percent_decode_strict(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'%' => {
                let high = hex(*bytes.next()?)?;
                let low = hex(*bytes.next()?)?;
                out.push(high << 4 | low);
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
    }
    Some(out)
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::check_encoding;

    #[test]
    fn well_formed_forms_pass() {
        for ok in [
            &b"email=ada%40example.com&password=correct+horse"[..],
            b"name=%E2%9C%93",
            b"",
            b"flag",
        ] {
            assert!(check_encoding(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn bad_escapes_and_invalid_utf8_are_refused() {
        for bad in [
            &b"password=%FF%FE"[..],
            b"password=%zz",
            b"password=%F",
            b"password=abc%",
            b"password=\xff\xfe",
            b"%FF=1",
        ] {
            assert!(check_encoding(bad).is_err(), "{bad:?}");
        }
    }
}
