//! `saifu-server` run as an operator runs it: seed the demo, draw a merchant's code, and the
//! demo shops' codes kept under assets/ are theirs.

use std::process::Command;

fn saifu_server(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_saifu-server"))
        .args(args)
        .output()
        .expect("run saifu-server")
}

#[test]
fn merchant_codes_are_printed_and_drawn_so_a_scanner_reads_them() {
    let dir = std::env::temp_dir().join(format!("saifu-server-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}", dir.join("demo.db").display());
    let seeded = saifu_server(&["seed-demo", "--db", &db]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    for amount in [None, Some("1280")] {
        let png = dir.join("sushi.png");
        let mut args = vec![
            "merchant-qr",
            "tyo-ginza-sushi",
            "--db",
            &db,
            "--png",
            png.to_str().expect("UTF-8 path"),
        ];
        args.extend(amount.iter().flat_map(|amount| ["--amount", amount]));
        let drawn = saifu_server(&args);
        assert!(
            drawn.status.success(),
            "{}",
            String::from_utf8_lossy(&drawn.stderr)
        );
        let payload = String::from_utf8(drawn.stdout)
            .expect("UTF-8")
            .trim()
            .to_owned();

        let summary = saifu_core::qr::parse(&payload)
            .expect("an EMV code")
            .summary();
        assert_eq!(summary.amount.as_deref(), amount);
        let scanned =
            saifu_scan::decode_bytes(&std::fs::read(&png).expect("PNG written")).expect("an image");
        assert_eq!(scanned.len(), 1);
        assert_eq!(
            scanned[0].text, payload,
            "the drawn code holds the printed payload"
        );
    }

    // Every shop's static code at once, as `cargo xtask run` draws them for the demo.
    let codes = dir.join("codes");
    let drawn = saifu_server(&[
        "shop-codes",
        codes.to_str().expect("UTF-8 path"),
        "--db",
        &db,
    ]);
    assert!(
        drawn.status.success(),
        "{}",
        String::from_utf8_lossy(&drawn.stderr)
    );
    let listed = String::from_utf8(drawn.stdout).expect("UTF-8");
    assert_eq!(listed.lines().count(), 6, "{listed}");
    for shop in ["sh-lanxin-noodles", "osa-dotonbori-takoyaki"] {
        let png = std::fs::read(codes.join(format!("{shop}.png"))).expect("a code per shop");
        let scanned = saifu_scan::decode_bytes(&png).expect("an image");
        let code = saifu_core::qr::parse(&scanned[0].text).expect("an EMV code");
        assert_eq!(
            code.summary().amount,
            None,
            "{shop}: static, the payer types the amount"
        );
        assert!(scanned[0].text.contains(shop), "{shop}");
    }
    // The copies the app and the README offer a newcomer are these same codes.
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-codes");
    let names = |dir: &std::path::Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("list the codes")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&assets),
        names(&codes),
        "assets/demo-codes: one per demo shop"
    );
    let read = |png: std::path::PathBuf| {
        saifu_scan::decode_bytes(&std::fs::read(&png).expect("read the code"))
            .expect("an image")
            .remove(0)
            .text
    };
    for name in names(&codes) {
        assert_eq!(
            read(assets.join(&name)),
            read(codes.join(&name)),
            "assets/demo-codes/{} is out of date: `saifu-server shop-codes assets/demo-codes` after `seed-demo` draws it again",
            name.display()
        );
    }

    let unknown = saifu_server(&["merchant-qr", "nowhere", "--db", &db]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no merchant nowhere"));
    let usage = saifu_server(&["merchant-qr"]);
    assert!(!usage.status.success());
}

#[test]
fn an_invite_is_printed_for_a_known_shop_only() {
    let dir = std::env::temp_dir().join(format!("saifu-server-invite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}", dir.join("demo.db").display());
    assert!(saifu_server(&["seed-demo", "--db", &db]).status.success());

    for extra in [&[][..], &["--staff"][..]] {
        let mut args = vec!["invite", "osa-dotonbori-takoyaki", "--db", &db];
        args.extend(extra);
        let printed = saifu_server(&args);
        assert!(
            printed.status.success(),
            "{}",
            String::from_utf8_lossy(&printed.stderr)
        );
        let code = String::from_utf8(printed.stdout).expect("UTF-8");
        let groups: Vec<&str> = code.trim().split('-').collect();
        assert!(
            groups.len() == 3
                && groups.iter().all(|group| group.len() == 4
                    && group
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())),
            "{code}"
        );
    }

    let unknown = saifu_server(&["invite", "no-such-shop", "--db", &db]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no merchant no-such-shop"));
}
