//! The `cms` command: serve the API (default), migrate, create an admin,
//! seed the demo, print the OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cms::{Application, Config};

/// jemalloc, set to give freed memory back: glibc's malloc kept 16 MB of
/// freed pages under load (one arena per thread, each trimmed only from its
/// top), a quarter of the server's RSS. Two arenas (one per core), pages
/// returned a second after they fall free, by jemalloc's own background
/// threads rather than inside a request.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Read by jemalloc before `main`; `_RJEM_MALLOC_CONF` in the environment
/// overrides it option by option.
#[unsafe(export_name = "_rjem_malloc_conf")]
static ALLOCATOR_CONF: &[u8; 70] =
    b"narenas:2,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

#[derive(Parser)]
#[command(
    name = "cms",
    version,
    about = "Headless CMS for French-language newsrooms"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): migrate, seed the demo on a new database, listen.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an administrator account; prints a generated password once.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// Display name (defaults to the part of the email before '@').
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Load the French demo content (categories, authors, tags, articles).
    SeedDemo,
    /// Print the OpenAPI document (the content of openapi/openapi.json).
    Openapi,
    /// The media store.
    #[command(subcommand)]
    Media(MediaCommand),
}

#[derive(Subcommand)]
enum MediaCommand {
    /// Settle what a crash left: staged uploads older than an hour are made
    /// visible (their row committed) or dropped; unused files are removed.
    Gc,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", cms::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    let log_format = match cms::telemetry::LogFormat::from_env() {
        Ok(format) => format,
        Err(err) => {
            eprintln!("error: invalid configuration: {err}");
            return ExitCode::from(2);
        }
    };
    cms::telemetry::init(log_format);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: invalid configuration: {err}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => cms::cli::migrate(&config),
        Command::CreateAdmin {
            email,
            name,
            password_stdin,
        } => cms::cli::create_admin(&config, &email, name.as_deref(), password_stdin),
        Command::SeedDemo => cms::cli::seed_demo(&config),
        Command::Media(MediaCommand::Gc) => cms::cli::media_gc(&config),
        Command::Openapi => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let bind = config.bind;
        let app = Application::build(config).map_err(|e| e.to_string())?;
        let base = cms::cli::base_url(bind, app.port());
        tracing::info!("listening on {base}/ (API documentation at {base}/docs)");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use tikv_jemalloc_ctl::{opt, raw};

    #[test]
    fn the_allocator_runs_with_its_configuration() {
        assert_eq!(opt::narenas::read().unwrap(), 2);
        assert!(opt::background_thread::read().unwrap());
        let decay = unsafe { raw::read::<isize>(b"opt.dirty_decay_ms\0") }.unwrap();
        assert_eq!(decay, 1000);
    }
}
