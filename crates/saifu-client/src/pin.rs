//! The app PIN that confirms payments: an argon2id hash, never the PIN itself, and a pause
//! that grows with every wrong try once a few have failed.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use serde::{Deserialize, Serialize};

use crate::Sensitive;

/// PINs are this many digits.
pub const PIN_DIGITS: usize = 6;
/// Wrong tries allowed before the first pause.
pub const FREE_TRIES: u32 = 3;
/// The first pause; each further wrong try doubles it, up to [`MAX_PAUSE_SECONDS`].
pub const FIRST_PAUSE_SECONDS: i64 = 30;
pub const MAX_PAUSE_SECONDS: i64 = 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("A PIN is {PIN_DIGITS} digits.")]
    BadFormat,
    #[error("PINs with every digit the same or in a run (123456) are too easy to guess.")]
    TooSimple,
    #[error("Wrong PIN.")]
    Wrong {
        /// Tries left before a pause; 0 means the next wrong try pauses.
        tries_left: u32,
        /// When a pause has just begun, its length.
        paused_for: Option<i64>,
    },
    #[error("Too many wrong PINs: try again in {seconds} s.")]
    Paused { seconds: i64 },
    #[error("The PIN could not be checked: {0}")]
    Hash(String),
}

/// What the device keeps about its PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinRecord {
    /// PHC string of the argon2id hash, salt included.
    hash: String,
    failures: u32,
    /// Unix seconds before which no try is accepted.
    paused_until: i64,
}

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the shape of a new PIN.
pub fn check_new_pin(pin: &str) -> Result<(), PinError> {
    let digits = pin.as_bytes();
    if digits.len() != PIN_DIGITS || !digits.iter().all(u8::is_ascii_digit) {
        return Err(PinError::BadFormat);
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|pair| i16::from(pair[1]) - i16::from(pair[0]))
        .collect();
    let monotone = |step: i16| steps.iter().all(|&s| s == step);
    if monotone(0) || monotone(1) || monotone(-1) {
        return Err(PinError::TooSimple);
    }
    Ok(())
}

impl PinRecord {
    /// Hashes a new PIN with a fresh salt.
    pub fn new(pin: &Sensitive<String>) -> Result<PinRecord, PinError> {
        check_new_pin(pin.expose())?;
        let hash: PasswordHash = argon2()
            .hash_password(pin.expose().as_bytes())
            .map_err(|error| PinError::Hash(error.to_string()))?;
        Ok(PinRecord {
            hash: hash.to_string(),
            failures: 0,
            paused_until: 0,
        })
    }

    /// Checks `pin` at `now`. Every outcome changes the record (failures counted, a pause
    /// begun, or reset on success): the caller saves it before answering.
    pub fn verify(&mut self, pin: &Sensitive<String>, now: i64) -> Result<(), PinError> {
        if now < self.paused_until {
            return Err(PinError::Paused {
                seconds: self.paused_until - now,
            });
        }
        let hash =
            PasswordHash::new(&self.hash).map_err(|error| PinError::Hash(error.to_string()))?;
        if argon2()
            .verify_password(pin.expose().as_bytes(), &hash)
            .is_ok()
        {
            self.failures = 0;
            self.paused_until = 0;
            return Ok(());
        }
        self.failures = self.failures.saturating_add(1);
        let paused_for = self.failures.checked_sub(FREE_TRIES).map(|over| {
            let doublings = over.min(16);
            (FIRST_PAUSE_SECONDS << doublings).min(MAX_PAUSE_SECONDS)
        });
        if let Some(seconds) = paused_for {
            self.paused_until = now + seconds;
        }
        Err(PinError::Wrong {
            tries_left: FREE_TRIES.saturating_sub(self.failures),
            paused_for,
        })
    }

    /// Seconds left of the current pause, if one runs at `now`.
    pub fn paused_for(&self, now: i64) -> Option<i64> {
        (now < self.paused_until).then(|| self.paused_until - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(text: &str) -> Sensitive<String> {
        Sensitive::new(text.to_owned())
    }

    #[test]
    fn the_hash_is_argon2id_and_never_the_pin() {
        let record = PinRecord::new(&pin("482913")).expect("valid PIN");
        assert!(record.hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!serde_json::to_string(&record).unwrap().contains("482913"));
    }

    #[test]
    fn weak_or_malformed_pins_are_refused() {
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert_eq!(check_new_pin(bad), Err(PinError::BadFormat), "{bad}");
        }
        for easy in ["000000", "123456", "987654", "555555"] {
            assert_eq!(check_new_pin(easy), Err(PinError::TooSimple), "{easy}");
        }
        assert_eq!(check_new_pin("482913"), Ok(()));
    }

    #[test]
    fn wrong_tries_pause_longer_each_time_and_the_right_pin_resets() {
        let mut record = PinRecord::new(&pin("482913")).expect("valid PIN");
        let mut now = 1_000;
        for tries_left in (0..FREE_TRIES).rev() {
            let paused_for = (tries_left == 0).then_some(FIRST_PAUSE_SECONDS);
            assert_eq!(
                record.verify(&pin("111112"), now),
                Err(PinError::Wrong {
                    tries_left,
                    paused_for
                })
            );
        }
        // While paused even the right PIN is not looked at.
        assert_eq!(
            record.verify(&pin("482913"), now + 1),
            Err(PinError::Paused { seconds: 29 })
        );
        now += FIRST_PAUSE_SECONDS;
        assert_eq!(
            record.verify(&pin("111112"), now),
            Err(PinError::Wrong {
                tries_left: 0,
                paused_for: Some(60)
            })
        );
        now += 60;
        assert_eq!(record.verify(&pin("482913"), now), Ok(()));
        assert_eq!(record.failures, 0);
        assert_eq!(record.paused_for(now), None);
    }

    #[test]
    fn the_pause_stops_growing_at_an_hour() {
        let mut record = PinRecord::new(&pin("482913")).expect("valid PIN");
        record.failures = 40;
        let outcome = record.verify(&pin("000001"), 0);
        assert_eq!(
            outcome,
            Err(PinError::Wrong {
                tries_left: 0,
                paused_for: Some(MAX_PAUSE_SECONDS)
            })
        );
    }
}
