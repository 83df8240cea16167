//! The provider's HTML pages, in the same look as the apps: the apps' stylesheet
//! (`auth_web::view::STYLESHEET`), served here at the same path, since pages on this origin
//! cannot load it from the app's.

use auth_web::view::{STYLESHEET, STYLESHEET_PATH};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

/// A whole page; the viewport tag lets phones show it at their width rather than zoomed out.
pub(super) fn html(status: StatusCode, body: impl IntoView + 'static) -> Response {
    let document = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"Local dev provider"</title>
                <link rel="stylesheet" href=STYLESHEET_PATH/>
            </head>
            <body>
                <main>
                    <h1>"Local dev provider"</h1>
                    {body}
                </main>
            </body>
        </html>
    };
    (
        status,
        Html(format!("<!DOCTYPE html>{}", document.to_html())),
    )
        .into_response()
}

/// A request this provider will not serve: shown here, never redirected anywhere.
pub(super) fn error_page(message: &'static str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        view! { <p class="alert" role="alert">{message}</p> },
    )
}

pub(super) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}
