//! The device key's real home, the OS keyring.

use saifu_client::{KeyStore, Sensitive};

fn secret(text: &str) -> Sensitive<String> {
    Sensitive::new(text.to_owned())
}

/// The real OS keyring. Needs a Secret Service (GNOME Keyring, KWallet): `cargo xtask test`
/// starts one in a private session bus.
#[cfg(feature = "keyring")]
#[test]
#[ignore = "needs a Secret Service; cargo xtask test provides one"]
fn the_os_keyring_keeps_loads_and_forgets_a_secret() {
    let keyring = saifu_client::keys::OsKeyring::connect().expect("a Secret Service");
    let account = format!("test/{}", std::process::id());
    assert!(keyring.load(&account).unwrap().is_none());
    keyring.save(&account, &secret("s3cret-value")).unwrap();
    assert_eq!(
        keyring.load(&account).unwrap(),
        Some(secret("s3cret-value"))
    );
    keyring.delete(&account).unwrap();
    assert!(keyring.load(&account).unwrap().is_none());
    keyring
        .delete(&account)
        .expect("deleting what is not there is fine");
}
