//! The passkeys example over HTTP, with software authenticators, and in a real browser.

mod accessibility;
mod browser;
mod calls;
mod ceremonies;
mod fresh_proof;
mod helpers;
mod instances;
mod malformed;
mod pages;
mod refused;
