//! Reading the setup page's QR code back, with a decoder independent of the app's encoder:
//! the SVG's squares are drawn into a greyscale image and rqrr finds and decodes the code.

use crate::helpers::between;

/// Pixels per module in the drawn image.
const SCALE: usize = 4;

/// The text of the QR code in the page's inline SVG.
pub fn decode(page: &str) -> String {
    let svg = between(page, "<svg", "</svg>").expect("an inline SVG");
    let size: usize = between(svg, "width=\"", "\"").unwrap().parse().unwrap();
    let path = between(svg, " d=\"", "\"").expect("the dark squares' path");
    let mut dark = vec![false; size * size];
    // The renderer draws each square as `M{left} {top}h{width}v{height}H{left}V{top}`.
    for square in path.split('M').filter(|s| !s.is_empty()) {
        let numbers: Vec<usize> = square
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let (left, top, width, height) = (numbers[0], numbers[1], numbers[2], numbers[3]);
        for y in top..top + height {
            for x in left..left + width {
                dark[y * size + x] = true;
            }
        }
    }
    let pixels = size * SCALE;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark[(y / SCALE) * size + x / SCALE] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, text) = grids[0].decode().expect("the QR code decodes");
    text
}
