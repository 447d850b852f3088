//! Codes drawn as SVG, crisp at any size: a QR code, and a Code 128 barcode for tills
//! whose scanners read only one-dimensional codes.

use qrcode::{Color, EcLevel, QrCode};

/// Quiet modules around a QR code, as scanners expect.
const QUIET: usize = 4;
/// Quiet modules either side of a barcode: ten, as Code 128 asks.
const BARCODE_QUIET: usize = 10;

/// Text safe inside an SVG attribute.
fn attribute(label: &str) -> String {
    label
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"'))
        .collect()
}

/// `payload` as an SVG QR code (error correction M, as printed payment codes are), labelled
/// `label` for screen readers; `None` when it does not fit in a QR code.
pub fn qr_svg(payload: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let side = width + 2 * QUIET;
    let mut path = String::new();
    for (index, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (index % width + QUIET, index / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let label = attribute(label);
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" role="img" aria-label="{label}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// `digits` (an even number of them) as a Code 128 barcode in code set C, two digits a
/// symbol; `None` for anything else.
pub fn code128_svg(digits: &str, label: &str) -> Option<String> {
    if digits.is_empty()
        || !digits.len().is_multiple_of(2)
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let modules = barcoders::sym::code128::Code128::new(format!("\u{0106}{digits}"))
        .ok()?
        .encode();
    let width = modules.len() + 2 * BARCODE_QUIET;
    let height = 40;
    let mut path = String::new();
    let mut x = 0;
    while x < modules.len() {
        if modules[x] == 1 {
            let start = x;
            while x < modules.len() && modules[x] == 1 {
                x += 1;
            }
            let bar = x - start;
            path.push_str(&format!(
                "M{} 0h{bar}v{height}h-{bar}z",
                start + BARCODE_QUIET
            ));
        } else {
            x += 1;
        }
    }
    let label = attribute(label);
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img" aria-label="{label}" shape-rendering="crispEdges"><rect width="{width}" height="{height}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_is_a_square_of_modules_in_its_quiet_zone() {
        let svg = super::qr_svg("00020101021226", "code").expect("fits");
        assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 29 29\""));
        assert!(super::qr_svg(&"x".repeat(3_000), "code").is_none());
    }

    /// 18 digits in set C: start, nine symbols, check and stop, 11 modules each but the
    /// stop's 13: 134 modules, and ten quiet ones either side.
    #[test]
    fn a_pay_code_is_a_code_128_of_nine_digit_pairs() {
        let svg = super::code128_svg("281234567846843110", "pay code").expect("digits");
        assert!(svg.contains("viewBox=\"0 0 154 40\""), "{svg}");
        // Start C is 11010011100: bars of 2, 1 and 3 modules after the quiet zone.
        assert!(
            svg.contains("M10 0h2v40h-2zM13 0h1v40h-1zM16 0h3v40h-3z"),
            "{svg}"
        );
        assert!(super::code128_svg("123", "odd").is_none());
        assert!(super::code128_svg("12a4", "letters").is_none());
    }
}
