//! `cognate` (= `cognate serve`): runs the server with the layered settings.

use clap::{Parser, Subcommand};
use cognate::{Application, Config};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "cognate",
    version,
    about = "A self-hosted Cognito User Pools server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hosted UI, the OAuth 2.0 endpoints and the Cognito API (default).
    Serve,
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {}
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cognate: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let app = match Application::build(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cognate: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(url = %app.public_url(), "cognate is listening");
    match app.run_until_stopped().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cognate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
