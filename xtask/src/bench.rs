//! `cargo xtask bench server`: the wallet service's signed payments per second and their
//! latency, next to the database's own rate of durable commits, on SQLite and on a throwaway
//! PostgreSQL cluster with the server's default durability (the test cluster turns fsync
//! off; this one must not). The benchmark is crates/saifu-server/benches/payments.rs, built
//! in release mode by `cargo bench`.

use std::path::PathBuf;

use crate::postgres::{Cluster, Durability};
use crate::setup;
use crate::step::{Failure, Step};

pub fn command(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("server") => server(&args[1..]),
        _ => Err(Failure::new(
            "usage: cargo xtask bench server [--seconds N]",
        )),
    }
}

fn server(args: &[String]) -> Result<(), Failure> {
    let mut seconds = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args
                    .next()
                    .filter(|n| n.parse::<u32>().is_ok_and(|n| (1..=45).contains(&n)))
                    .ok_or_else(|| Failure::new("--seconds takes a whole number from 1 to 45"))?;
                seconds = Some(value.clone());
            }
            other => return Err(Failure::new(format!("bench server: unexpected {other}"))),
        }
    }
    setup::ensure_system_packages(&["postgresql"])?;

    let reports = crate::root().join("target/bench");
    let scratch = std::env::temp_dir().join(format!("saifu-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|error| Failure::new(format!("create {}: {error}", scratch.display())))?;
    let sqlite_url = format!("sqlite://{}", scratch.join("wallet.db").display());
    let sqlite = bench_on("SQLite", &sqlite_url, &reports, seconds.as_deref());
    let _ = std::fs::remove_dir_all(&scratch);
    let sqlite = sqlite?;

    let cluster = Cluster::start_with(Durability::Durable)?;
    let postgres = bench_on("PostgreSQL", &cluster.url, &reports, seconds.as_deref());
    drop(cluster);
    let postgres = postgres?;

    for (database, report) in [("SQLite", sqlite), ("PostgreSQL", postgres)] {
        let table = std::fs::read_to_string(&report)
            .map_err(|error| Failure::new(format!("read {}: {error}", report.display())))?;
        println!("\n==> {database}\n\n{table}");
    }
    Ok(())
}

/// Runs the benchmark against `url`; its table lands in the returned file.
fn bench_on(
    database: &str,
    url: &str,
    reports: &std::path::Path,
    seconds: Option<&str>,
) -> Result<PathBuf, Failure> {
    let report = reports.join(format!("server-{}.md", database.to_lowercase()));
    let _ = std::fs::remove_file(&report);
    let mut step = Step::cargo(
        format!("benchmark signed payments on {database} (release build)"),
        ["bench", "-p", "saifu-server", "--bench", "payments"],
    )
    .env("SAIFU_BENCH_DATABASE_URL", url)
    .env("SAIFU_BENCH_REPORT", &report);
    if let Some(seconds) = seconds {
        step = step.env("SAIFU_BENCH_SECONDS", seconds);
    }
    step.run()?;
    Ok(report)
}
