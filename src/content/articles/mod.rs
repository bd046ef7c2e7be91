//! Articles: the newsroom's stories, with their bylines, category, tags,
//! rendered body and publication state.

pub mod backfill;
pub mod featured;
pub mod go_live;
pub mod inline_images;
pub mod input;
pub mod lifecycle;
pub mod list_params;
pub mod queries;
pub mod renderings;
pub mod routes;
pub mod rows;
pub mod totals;
pub mod use_cases;
pub mod views;
