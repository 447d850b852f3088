//! A payment code drawn as SVG, crisp at any size on a till's screen.

use qrcode::{Color, EcLevel, QrCode};

/// Quiet modules around the code, as scanners expect.
const QUIET: usize = 4;

/// `payload` as an SVG QR code (error correction M, as printed payment codes are), labelled
/// `label` for screen readers; `None` when it does not fit in a QR code.
pub fn svg(payload: &str, label: &str) -> Option<String> {
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
    let label: String = label
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"'))
        .collect();
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" role="img" aria-label="{label}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_is_a_square_of_modules_in_its_quiet_zone() {
        let svg = super::svg("00020101021226", "code").expect("fits");
        assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 29 29\""));
        assert!(super::svg(&"x".repeat(3_000), "code").is_none());
    }
}
