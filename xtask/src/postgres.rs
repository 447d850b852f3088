//! A throwaway PostgreSQL cluster for the conformance run of the service's tests (and, with
//! default durability, for the benchmark): made in a temporary directory on a free port,
//! removed when dropped. Uses Debian's server binaries (package postgresql), run as the
//! `postgres` user when xtask runs as root, since initdb refuses root.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::step::{Failure, Step, output_of};

#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    pub url: String,
}

/// Whether commits reach the disk before they are acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// fsync and synchronous_commit off: fast tests, data lost on a crash.
    Throwaway,
    /// The server's defaults (fsync, synchronous_commit on): what a benchmark must measure.
    Durable,
}

impl Cluster {
    /// A cluster for tests: [`Durability::Throwaway`].
    pub fn start() -> Result<Cluster, Failure> {
        Self::start_with(Durability::Throwaway)
    }

    pub fn start_with(durability: Durability) -> Result<Cluster, Failure> {
        let bin = server_bin_dir()?;
        let as_postgres = output_of("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
        let dir = std::env::temp_dir().join(format!("saifu-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|error| Failure::new(format!("create {}: {error}", dir.display())))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| Failure::new(format!("find a free port: {error}")))?
            .port();
        let cluster = Cluster {
            url: format!("postgres://saifu@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            as_postgres,
        };
        if as_postgres {
            Step::new("hand the cluster directory to the postgres user", "chown")
                .args(["postgres"])
                .arg(&cluster.dir)
                .run()?;
        }
        let data = cluster.dir.join("data");
        cluster
            .pg("create a throwaway PostgreSQL cluster", "initdb")
            .args(["--auth=trust", "--username=saifu", "--no-sync", "-D"])
            .arg(&data)
            .run()?;
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1",
            cluster.dir.display()
        );
        if durability == Durability::Throwaway {
            options.push_str(" -c fsync=off -c synchronous_commit=off");
        }
        cluster
            .pg("start it", "pg_ctl")
            .args(["-w", "-D"])
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(cluster.dir.join("server.log"))
            .arg("start")
            .run()?;
        Ok(cluster)
    }

    fn pg(&self, title: &str, program: &str) -> Step {
        let program = self.bin.join(program);
        if self.as_postgres {
            Step::new(title, "runuser")
                .args(["-u", "postgres", "--"])
                .arg(program)
        } else {
            Step::new(title, program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stop = self
            .pg("stop the throwaway PostgreSQL cluster", "pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .run();
        if let Err(failure) = stop {
            eprintln!("xtask: {failure}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest server version Debian installed under /usr/lib/postgresql.
fn server_bin_dir() -> Result<PathBuf, Failure> {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|version| root.join(version.to_string()).join("bin/initdb").exists())
        .max();
    newest
        .map(|version| root.join(version.to_string()).join("bin"))
        .ok_or_else(|| {
            Failure::new(
                "no PostgreSQL server under /usr/lib/postgresql (Debian package postgresql)",
            )
        })
}
