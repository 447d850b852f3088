//! Points and projective maps for the detector in [`crate::detect`]: a code's module grid
//! (u, v in modules) is mapped onto the image (x, y in pixels) by a homography fixed by
//! four point pairs.

/// A point in pixels (or, for a homography's source, in modules).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub(crate) const fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    pub(crate) fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    pub(crate) fn minus(self, other: Point) -> Point {
        Point::new(self.x - other.x, self.y - other.y)
    }

    pub(crate) fn plus(self, other: Point) -> Point {
        Point::new(self.x + other.x, self.y + other.y)
    }

    pub(crate) fn times(self, factor: f64) -> Point {
        Point::new(self.x * factor, self.y * factor)
    }

    /// The z component of the cross product: positive when `other` is clockwise of `self`
    /// in image coordinates (y down).
    pub(crate) fn cross(self, other: Point) -> f64 {
        self.x * other.y - self.y * other.x
    }

    pub(crate) fn dot(self, other: Point) -> f64 {
        self.x * other.x + self.y * other.y
    }

    pub(crate) fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// A projective map: `[x y w]ᵀ = m · [u v 1]ᵀ`, row-major.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Homography([f64; 9]);

impl Homography {
    /// The map taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to `quad`'s.
    fn square_to_quad(quad: [Point; 4]) -> Option<Self> {
        let [p0, p1, p2, p3] = quad;
        let dx3 = p0.x - p1.x + p2.x - p3.x;
        let dy3 = p0.y - p1.y + p2.y - p3.y;
        let (dx1, dx2) = (p1.x - p2.x, p3.x - p2.x);
        let (dy1, dy2) = (p1.y - p2.y, p3.y - p2.y);
        let denominator = dx1 * dy2 - dx2 * dy1;
        if denominator.abs() < 1e-12 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / denominator;
        let h = (dx1 * dy3 - dx3 * dy1) / denominator;
        let map = Homography([
            p1.x - p0.x + g * p1.x,
            p3.x - p0.x + h * p3.x,
            p0.x,
            p1.y - p0.y + g * p1.y,
            p3.y - p0.y + h * p3.y,
            p0.y,
            g,
            h,
            1.0,
        ]);
        map.0.iter().all(|v| v.is_finite()).then_some(map)
    }

    /// The adjugate: the inverse up to a scale factor, which a projective map ignores.
    fn adjugate(&self) -> Self {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        Homography([
            e * i - f * h,
            c * h - b * i,
            b * f - c * e,
            f * g - d * i,
            a * i - c * g,
            c * d - a * f,
            d * h - e * g,
            b * g - a * h,
            a * e - b * d,
        ])
    }

    /// `self` after `first`.
    fn after(&self, first: &Homography) -> Self {
        let (a, b) = (&self.0, &first.0);
        let mut m = [0.0; 9];
        for row in 0..3 {
            for column in 0..3 {
                m[row * 3 + column] = (0..3).map(|k| a[row * 3 + k] * b[k * 3 + column]).sum();
            }
        }
        Homography(m)
    }

    /// The map taking each corner of `from` to the same corner of `to`; `None` when either
    /// quadrilateral is degenerate.
    pub(crate) fn between(from: [Point; 4], to: [Point; 4]) -> Option<Self> {
        let from_square = Homography::square_to_quad(from)?.adjugate();
        let map = Homography::square_to_quad(to)?.after(&from_square);
        map.0.iter().all(|v| v.is_finite()).then_some(map)
    }

    pub(crate) fn map(&self, u: f64, v: f64) -> Point {
        let m = &self.0;
        let w = m[6] * u + m[7] * v + m[8];
        Point::new(
            (m[0] * u + m[1] * v + m[2]) / w,
            (m[3] * u + m[4] * v + m[5]) / w,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        a.distance(b) < 1e-6
    }

    #[test]
    fn a_homography_maps_each_corner_onto_its_pair() {
        let from = [
            Point::new(3.5, 3.5),
            Point::new(21.5, 3.5),
            Point::new(18.5, 18.5),
            Point::new(3.5, 21.5),
        ];
        let to = [
            Point::new(100.0, 80.0),
            Point::new(260.0, 95.0),
            Point::new(240.0, 230.0),
            Point::new(90.0, 250.0),
        ];
        let map = Homography::between(from, to).expect("two proper quadrilaterals");
        for (f, t) in from.iter().zip(to) {
            assert!(
                close(map.map(f.x, f.y), t),
                "{f:?} -> {:?}",
                map.map(f.x, f.y)
            );
        }
    }

    #[test]
    fn an_affine_pair_keeps_midpoints() {
        let square = [
            Point::new(0.0, 0.0),
            Point::new(2.0, 0.0),
            Point::new(2.0, 2.0),
            Point::new(0.0, 2.0),
        ];
        let rotated = [
            Point::new(10.0, 10.0),
            Point::new(10.0, 30.0),
            Point::new(-10.0, 30.0),
            Point::new(-10.0, 10.0),
        ];
        let map = Homography::between(square, rotated).expect("proper quadrilaterals");
        assert!(close(map.map(1.0, 1.0), Point::new(0.0, 20.0)));
    }

    #[test]
    fn degenerate_quadrilaterals_have_no_map() {
        let line = [Point::new(0.0, 0.0); 4];
        let square = [
            Point::new(0.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(1.0, 1.0),
            Point::new(0.0, 1.0),
        ];
        assert!(Homography::between(square, line).is_none());
        assert!(Homography::between(line, square).is_none());
    }
}
