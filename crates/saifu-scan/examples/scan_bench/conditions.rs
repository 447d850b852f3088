//! Photos of payment codes at a counter, generated from a seed, one distortion each, so the
//! benchmark says under which condition a decoder fails: a code printed on a card, on a desk,
//! at 2 to 8 pixels a module, then turned, tilted, shaded, blurred, noisy, compressed, washed
//! out, glared or bent. Which seeds are tuned on and which are reported on is the caller's
//! choice (`--seed`); the same seed always gives the same photo.

use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

pub const CONDITIONS: [&str; 12] = [
    "clean",
    "rotation",
    "perspective",
    "shadow edge",
    "uneven light",
    "gaussian blur",
    "motion blur",
    "sensor noise",
    "jpeg",
    "low contrast",
    "glare",
    "curved paper",
];

pub struct Generated {
    pub payload: String,
    pub image: GrayImage,
}

/// SplitMix64: small, fast, and the same everywhere.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// A standard normal draw (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The kinds of payload a wallet meets: shop codes in yuan and yen, UPI, links, and text in
/// Chinese and Japanese.
fn payload(random: &mut Random) -> String {
    let amount = format!("{}.{:02}", 1 + random.next() % 5000, random.next() % 100);
    let serial = random.next() % 1_000_000;
    match random.next() % 6 {
        0 | 1 => {
            let (currency, country, city) = if random.next().is_multiple_of(2) {
                ("156", "CN", "SHANGHAI")
            } else {
                ("392", "JP", "TOKYO")
            };
            let body = format!(
                "000201010212264000101saifu.example0116shop{serial:06}540{}{amount}5303{currency}5802{country}5914SAIFU DEMO SHOP60{:02}{city}6304",
                amount.len(),
                city.len()
            );
            format!("{body}{:04X}", crate::crc16(body.as_bytes()))
        }
        2 => format!("upi://pay?pa=shop{serial}@okbank&pn=Corner%20Store&am={amount}&cu=INR"),
        3 => format!("https://pay.example.com/s/{serial:06}?amount={amount}"),
        4 => format!("兰心面馆 {serial} 号桌 付款 ¥{amount}"),
        _ => format!("たこ焼き 道頓堀 注文{serial} お会計 {amount}円"),
    }
}

/// A projective map from the image to the card, `[h0..h7]` with h8 = 1.
#[derive(Clone, Copy)]
struct Homography([f64; 8]);

impl Homography {
    /// The map taking each of `from` to the matching one of `to`.
    fn between(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Homography {
        let mut rows = [[0.0; 9]; 8];
        for (index, ((x, y), (u, v))) in from.into_iter().zip(to).enumerate() {
            rows[2 * index] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            rows[2 * index + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        // Gaussian elimination with partial pivoting.
        for column in 0..8 {
            let pivot = (column..8)
                .max_by(|a, b| rows[*a][column].abs().total_cmp(&rows[*b][column].abs()))
                .unwrap_or(column);
            rows.swap(column, pivot);
            let pivot_row = rows[column];
            for (index, row) in rows.iter_mut().enumerate() {
                if index != column {
                    let factor = row[column] / pivot_row[column];
                    for (value, pivot) in row.iter_mut().zip(pivot_row).skip(column) {
                        *value -= factor * pivot;
                    }
                }
            }
        }
        let mut h = [0.0; 8];
        for (index, value) in h.iter_mut().enumerate() {
            *value = rows[index][8] / rows[index][index];
        }
        Homography(h)
    }

    fn apply(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + 1.0;
        (
            (h[0] * x + h[1] * y + h[2]) / w,
            (h[3] * x + h[4] * y + h[5]) / w,
        )
    }
}

/// The photo of `CONDITIONS[condition]` for `seed`, `width` by `height` pixels.
pub fn generate(condition: usize, seed: u64, (width, height): (u32, u32)) -> Generated {
    let mut random = Random(seed.wrapping_mul(1_000_003).wrapping_add(condition as u64));
    let name = CONDITIONS[condition];
    let payload = payload(&mut random);
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .expect("payloads fit a QR code");
    let modules = code.width() as f64;
    let colors = code.to_colors();
    // The card: the symbol, its 4-module quiet zone and a 2-module paper edge.
    let card = modules + 12.0;
    let largest = 0.85 * f64::from(height.min(width)) / card;
    let module = random.between(2.0, 8.0).min(largest);
    let side = card * module;
    let angle = match name {
        "rotation" => random.between(0.0, std::f64::consts::TAU),
        _ => random.between(-6.0, 6.0).to_radians(),
    };
    let centre = (
        random.between(side / 2.0 + 10.0, f64::from(width) - side / 2.0 - 10.0),
        random.between(side / 2.0 + 10.0, f64::from(height) - side / 2.0 - 10.0),
    );
    let (sin, cos) = angle.sin_cos();
    let corner = |u: f64, v: f64| {
        let (dx, dy) = ((u - 0.5) * side, (v - 0.5) * side);
        (
            centre.0 + cos * dx - sin * dy,
            centre.1 + sin * dx + cos * dy,
        )
    };
    let mut corners = [
        corner(0.0, 0.0),
        corner(1.0, 0.0),
        corner(1.0, 1.0),
        corner(0.0, 1.0),
    ];
    if name == "perspective" {
        // A card tilted away from the lens, up to about 35 degrees: its far edge shorter.
        let shrink = random.between(0.12, 0.3);
        let far = (random.next() % 4) as usize;
        let (a, b) = (far, (far + 1) % 4);
        let middle = (
            (corners[a].0 + corners[b].0) / 2.0,
            (corners[a].1 + corners[b].1) / 2.0,
        );
        for index in [a, b] {
            corners[index].0 += (middle.0 - corners[index].0) * shrink;
            corners[index].1 += (middle.1 - corners[index].1) * shrink;
        }
    }
    let to_card = Homography::between(
        corners,
        [(0.0, 0.0), (card, 0.0), (card, card), (0.0, card)],
    );
    let (paper, ink) = (random.between(190.0, 240.0), random.between(15.0, 60.0));
    let desk = random.between(70.0, 150.0);
    let texture = random.between(0.0, 100.0);
    let bend = (name == "curved paper").then(|| {
        (
            random.between(1.0, 3.0) * module,
            random.between(1.0, 2.0) * side,
            random.between(0.0, std::f64::consts::TAU),
        )
    });
    let sample = |x: f64, y: f64| -> f64 {
        let y = match bend {
            Some((amplitude, period, phase)) => {
                y + amplitude * (std::f64::consts::TAU * x / period + phase).sin()
            }
            None => y,
        };
        let (u, v) = to_card.apply((x, y));
        if (0.0..card).contains(&u) && (0.0..card).contains(&v) {
            let (column, row) = ((u - 6.0).floor(), (v - 6.0).floor());
            let dark = column >= 0.0
                && row >= 0.0
                && column < modules
                && row < modules
                && colors[row as usize * code.width() + column as usize] == Color::Dark;
            if dark { ink } else { paper }
        } else {
            desk + 25.0 * ((x / 53.0 + texture).sin() * (y / 41.0).cos() + (x + y) / 300.0 % 1.0)
        }
    };
    // Two by two samples a pixel: edges as a lens draws them.
    let mut image = GrayImage::from_fn(width, height, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let value = (sample(x + 0.25, y + 0.25)
            + sample(x + 0.75, y + 0.25)
            + sample(x + 0.25, y + 0.75)
            + sample(x + 0.75, y + 0.75))
            / 4.0;
        Luma([value.clamp(0.0, 255.0) as u8])
    });
    distort(name, &mut image, &mut random, module, side, centre);
    Generated { payload, image }
}

fn each(image: &mut GrayImage, mut change: impl FnMut(f64, f64, f64) -> f64) {
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let value = change(f64::from(x), f64::from(y), f64::from(pixel[0]));
        pixel[0] = value.round().clamp(0.0, 255.0) as u8;
    }
}

fn distort(
    name: &str,
    image: &mut GrayImage,
    random: &mut Random,
    module: f64,
    side: f64,
    centre: (f64, f64),
) {
    match name {
        "shadow edge" => {
            // A phone held over the counter: a hard edge through the code, half in shade.
            let depth = random.between(0.3, 0.6);
            let angle = random.between(0.0, std::f64::consts::TAU);
            let (nx, ny) = (angle.cos(), angle.sin());
            let offset = random.between(-0.25, 0.25) * side;
            each(image, |x, y, value| {
                let distance = (x - centre.0) * nx + (y - centre.1) * ny - offset;
                // A penumbra of a pixel or two.
                let shade = (distance / 1.5).clamp(-1.0, 1.0) * 0.5 + 0.5;
                value * (depth + (1.0 - depth) * shade)
            });
        }
        "uneven light" => {
            let low = random.between(0.35, 0.6);
            let angle = random.between(0.0, std::f64::consts::TAU);
            let (nx, ny) = (angle.cos(), angle.sin());
            let span = f64::from(image.width()).hypot(f64::from(image.height()));
            each(image, |x, y, value| {
                let along = ((x - centre.0) * nx + (y - centre.1) * ny) / span + 0.5;
                value * (low + (1.0 - low) * along.clamp(0.0, 1.0))
            });
        }
        "gaussian blur" => {
            let sigma = module * random.between(0.35, 0.7);
            *image = image::imageops::blur(image, sigma as f32);
        }
        "motion blur" => {
            let length = (module * random.between(0.8, 2.0)).max(2.0);
            let angle = random.between(0.0, std::f64::consts::PI);
            let (dx, dy) = (angle.cos(), angle.sin());
            let source = image.clone();
            let steps = length.ceil() as i32;
            let (width, height) = (i64::from(image.width()) - 1, i64::from(image.height()) - 1);
            each(image, |x, y, _| {
                let mut sum = 0.0;
                for step in 0..=steps {
                    let t = f64::from(step) / f64::from(steps) - 0.5;
                    let sx = ((x + t * length * dx).round() as i64).clamp(0, width) as u32;
                    let sy = ((y + t * length * dy).round() as i64).clamp(0, height) as u32;
                    sum += f64::from(source.get_pixel(sx, sy)[0]);
                }
                sum / f64::from(steps + 1)
            });
        }
        "sensor noise" => {
            let sigma = random.between(12.0, 30.0);
            each(image, |_, _, value| value + sigma * random.normal());
        }
        "jpeg" => {
            let quality = random.between(5.0, 20.0) as u8;
            let mut bytes = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
                .encode_image(&*image)
                .expect("encode JPEG");
            *image = image::load_from_memory(&bytes)
                .expect("decode JPEG")
                .into_luma8();
        }
        "low contrast" => {
            let low = random.between(90.0, 125.0);
            let high = low + random.between(30.0, 55.0);
            each(image, |_, _, value| low + value * (high - low) / 255.0);
        }
        "glare" => {
            let strength = random.between(0.7, 0.95);
            let radius = side * random.between(0.12, 0.3);
            let spot = (
                centre.0 + random.between(-0.3, 0.3) * side,
                centre.1 + random.between(-0.3, 0.3) * side,
            );
            each(image, |x, y, value| {
                let r2 = ((x - spot.0).powi(2) + (y - spot.1).powi(2)) / radius.powi(2);
                value + (255.0 - value) * strength * (-r2).exp()
            });
        }
        _ => {}
    }
}
