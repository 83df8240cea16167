//! The password example end to end: the real app on a random port, a real DynamoDB API,
//! and HTTP clients that behave like browsers.

mod accessibility;
mod account;
mod attacks;
mod calls;
mod cookies;
mod csrf;
mod field_errors;
mod fresh_proof;
mod helpers;
mod internals;
mod limits;
mod pages;
mod sessions;
