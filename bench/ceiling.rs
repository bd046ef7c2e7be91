//! The machine's ceiling for the benchmark: a bare actix-web server that
//! returns a fixed JSON body (the list page the CMS served) from memory.
//! Same framework, same response size, no work: CMS figures are quoted as a
//! ratio of what this reaches in the same run.
//!
//! `cargo run --release --example bench-ceiling -- 127.0.0.1:18090 bench/out/list.json`

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    let path = args
        .next()
        .unwrap_or_else(|| "bench/out/list.json".to_owned());
    let body = web::Bytes::from(std::fs::read(&path)?);
    let workers = std::env::var("CMS_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(2);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }
        }))
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
