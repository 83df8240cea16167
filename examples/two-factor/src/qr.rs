//! QR codes drawn on the server as inline SVG: no JavaScript, no image request, nothing the
//! Content-Security-Policy has to allow.

use qrcode::QrCode;
use qrcode::render::svg;

/// An `<svg>` element showing `text` as a QR code, at least `size` pixels wide.
pub fn svg(text: &str, size: u32) -> String {
    let code = QrCode::new(text.as_bytes()).expect("an otpauth URI fits in a QR code");
    let image = code
        .render::<svg::Color>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build();
    // The renderer starts with an XML declaration, which has no place inside HTML.
    match image.find("<svg") {
        Some(start) => image[start..].to_owned(),
        None => image,
    }
}
