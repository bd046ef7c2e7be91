//! The `cms` command: serve the API (default), migrate, create an admin,
//! seed the demo, print the OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cms::{Application, Config};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", cms::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    cms::telemetry::init();
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
        let app = Application::build(config).map_err(|e| e.to_string())?;
        tracing::info!(port = app.port(), "listening");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}
