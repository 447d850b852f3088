//! `saifu-server`: run the reference wallet service, seed its demo data, print merchant codes.

use std::net::SocketAddr;
use std::process::ExitCode;

use saifu_server::{Service, Store, demo};

const USAGE: &str = "\
usage:
  saifu-server serve [--db URL] [--addr HOST:PORT] [--console DIR]
                                                     run the service (default 127.0.0.1:8787),
                                                     with the shop's console from DIR (default
                                                     merchant/dist) at /merchant/
  saifu-server seed-demo [--db URL]                  add the demo merchants and promotions
                                                     (idempotent)
  saifu-server merchant-qr MERCHANT [--amount X] [--png FILE] [--db URL]
                                                     print a merchant's EMV payment code
                                                     (static, or dynamic with --amount) and
                                                     draw it to FILE (default MERCHANT.png)
  saifu-server shop-codes DIR [--db URL]            draw every shop's static code to
                                                     DIR/MERCHANT.png, to scan in the app
  saifu-server invite MERCHANT [--staff] [--db URL]  print a one-time code that makes a
                                                     browser a till of the shop (an owner's
                                                     till, or with --staff a staff one)

--db: sqlite://FILE (default sqlite://saifu-server.db, created and migrated on first use)
      or postgres://USER@HOST/DB
";

const DEFAULT_DB: &str = "sqlite://saifu-server.db";
const DEFAULT_ADDR: &str = "127.0.0.1:8787";
/// Where `cargo xtask` builds the shop's console, from the workspace root.
const DEFAULT_CONSOLE: &str = "merchant/dist";

struct Options {
    command: String,
    positional: Vec<String>,
    db: String,
    addr: String,
    amount: Option<String>,
    png: Option<String>,
    staff: bool,
    console: String,
}

fn parse_args(args: Vec<String>) -> Result<Options, String> {
    let mut args = args.into_iter();
    let command = args.next().ok_or("no command given")?;
    let mut options = Options {
        command,
        positional: Vec::new(),
        db: DEFAULT_DB.into(),
        addr: DEFAULT_ADDR.into(),
        amount: None,
        png: None,
        staff: false,
        console: DEFAULT_CONSOLE.into(),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--db" => options.db = value("--db")?,
            "--addr" => options.addr = value("--addr")?,
            "--amount" => options.amount = Some(value("--amount")?),
            "--png" => options.png = Some(value("--png")?),
            "--staff" => options.staff = true,
            "--console" => options.console = value("--console")?,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => options.positional.push(arg),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    // The log goes to stderr: stdout carries what a command prints (a code, an invite).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "saifu_server=info".into()),
        )
        .init();
    let options = match parse_args(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(problem) => {
            eprint!("saifu-server: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("saifu-server: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    let db = || async {
        Store::connect(&options.db)
            .await
            .map_err(|error| format!("cannot open {}: {error}", options.db))
    };
    match (options.command.as_str(), options.positional.as_slice()) {
        ("serve", []) => {
            let addr: SocketAddr = options
                .addr
                .parse()
                .map_err(|_| format!("{} is not HOST:PORT", options.addr))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|error| format!("cannot listen on {addr}: {error}"))?;
            let console = std::path::PathBuf::from(&options.console);
            let console = if console.join("index.html").is_file() {
                tracing::info!(%addr, console = %console.display(), "serving, the shop's console at /merchant/");
                Some(console)
            } else {
                tracing::warn!(%addr, console = %console.display(), "serving, without the shop's console: it is not built there");
                None
            };
            let shutdown = shutdown_signal();
            saifu_server::serve_with(listener, Service::new(db().await?), shutdown, |router| {
                match console {
                    Some(dir) => saifu_server::http::with_console(router, dir),
                    None => router,
                }
            })
            .await
            .map_err(|error| error.to_string())
        }
        ("seed-demo", []) => {
            let db = db().await?;
            let now = saifu_server::unix_now();
            let merchants = demo::seed(&db, now)
                .await
                .map_err(|error| error.to_string())?;
            let promotions = demo::seed_promotions(&db, now)
                .await
                .map_err(|error| error.to_string())?;
            println!(
                "{merchants} demo merchants and {promotions} demo promotions are in {}",
                options.db
            );
            Ok(())
        }
        ("merchant-qr", [merchant_id]) => {
            let merchant = db()
                .await?
                .merchant(merchant_id)
                .await
                .map_err(|error| error.to_string())?
                .ok_or_else(|| {
                    format!("no merchant {merchant_id} (run seed-demo for the demo ones)")
                })?;
            let code = demo::merchant_code(&merchant, options.amount.as_deref())
                .map_err(|error| error.to_string())?;
            let payload = code.encode().map_err(|error| error.to_string())?;
            let png = options.png.unwrap_or_else(|| format!("{merchant_id}.png"));
            demo::write_qr_png(&payload, std::path::Path::new(&png))
                .map_err(|error| error.to_string())?;
            println!("{payload}");
            eprintln!("drawn to {png}");
            Ok(())
        }
        ("shop-codes", [dir]) => {
            let dir = std::path::Path::new(dir);
            std::fs::create_dir_all(dir)
                .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
            let merchants = db()
                .await?
                .merchants()
                .await
                .map_err(|error| error.to_string())?;
            for merchant in merchants {
                let payload = demo::merchant_code(&merchant, None)
                    .map_err(|error| error.to_string())?
                    .encode()
                    .map_err(|error| error.to_string())?;
                let png = dir.join(format!("{}.png", merchant.merchant_id));
                demo::write_qr_png(&payload, &png).map_err(|error| error.to_string())?;
                println!("{}  {} ({})", png.display(), merchant.name, merchant.city);
            }
            Ok(())
        }
        ("invite", [merchant_id]) => {
            let role = if options.staff {
                saifu_api::TillRole::Staff
            } else {
                saifu_api::TillRole::Owner
            };
            let invite = Service::new(db().await?)
                .issue_invite(merchant_id, role)
                .await
                .map_err(|error| match error {
                    saifu_server::ServiceError::UnknownMerchant => {
                        format!("no merchant {merchant_id} (run seed-demo for the demo ones)")
                    }
                    other => other.to_string(),
                })?;
            println!("{}", invite.code);
            Ok(())
        }
        _ => Err(format!("unexpected arguments\n\n{USAGE}")),
    }
}

/// Ctrl-C, or SIGTERM from a service manager: finish the requests under way, then stop.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
}
