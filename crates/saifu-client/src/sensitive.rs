//! A wrapper for secrets: its Debug prints `<redacted>` and it has no Serialize, so a secret
//! cannot reach a log or a file by accident.

use std::fmt;

/// A secret value. Read it with [`Sensitive::expose`], at the one place that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(secret: T) -> Self {
        Sensitive(secret)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(secret: T) -> Self {
        Sensitive(secret)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let pin = Sensitive::new(String::from("246810"));
        assert_eq!(format!("{pin:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&pin)), "Some(<redacted>)");
    }
}
