//! The two-factor example end to end: the real app on a random port, a real DynamoDB API,
//! HTTP clients that behave like browsers, authenticators of the tests' own (totp-rs for
//! apps, webauthn-authenticator-rs for keys), and headless Chromium.

mod bad_input;
mod browser;
mod calls;
mod gate;
mod helpers;
mod manage;
mod qr;
mod recovery;
mod reset;
mod security_keys;
mod startup;
mod totp;
