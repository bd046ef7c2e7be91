//! The diesel tables, shared by both backends: only portable column types
//! (BigInt, Integer, Text, Bool, Timestamp) so one query compiles for both.

diesel::table! {
    authors (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        links -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        name_key -> Binary,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        author_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        name_key -> Binary,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        excerpt -> Text,
        body -> Text,
        body_format -> Text,
        body_html -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        language -> Text,
        category_id -> BigInt,
        featured_image -> Nullable<Text>,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        seo_canonical_url -> Nullable<Text>,
        featured -> Bool,
        sponsored -> Bool,
        comments_enabled -> Bool,
        reading_time_minutes -> Integer,
        word_count -> Integer,
        search_text -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        featured_image_id -> Nullable<BigInt>,
        comment_count -> Integer,
        comments_close_at -> Nullable<Timestamp>,
        title_key -> Binary,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        author_name -> Text,
        author_email -> Nullable<Text>,
        author_url -> Nullable<Text>,
        body -> Text,
        body_html -> Text,
        status -> Text,
        hold_reason -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        address_hash -> Nullable<Text>,
        edit_note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    comment_challenges_used (challenge) {
        challenge -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    comment_rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> BigInt,
        author_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_prefix -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_throttles (key) {
        key -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        pending -> Integer,
    }
}

diesel::table! {
    content_events (id) {
        id -> BigInt,
        resource -> Text,
        resource_id -> BigInt,
        action -> Text,
        actor_user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        credential -> Nullable<Text>,
        payload -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        last_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_renderings (article_id) {
        article_id -> BigInt,
        shape -> Integer,
        list_item -> Binary,
    }
}

diesel::table! {
    media (id) {
        id -> BigInt,
        content_hash -> Text,
        storage_key -> Text,
        file_name -> Text,
        mime_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        title -> Nullable<Text>,
        placeholder -> Text,
        dominant_color -> Text,
        renditions -> Text,
        search_text -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    application_passwords (id) {
        id -> BigInt,
        uuid -> Text,
        user_id -> BigInt,
        name -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        last_ip -> Nullable<Text>,
        kind -> Text,
        sealed_secret -> Nullable<Text>,
        scopes -> Nullable<Text>,
    }
}

diesel::table! {
    indieauth_codes (id) {
        id -> BigInt,
        code_hash -> Text,
        user_id -> BigInt,
        client_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        code_challenge -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    site_settings (id) {
        id -> Integer,
        title -> Nullable<Text>,
        description -> Nullable<Text>,
        frontend_url -> Nullable<Text>,
        timezone -> Nullable<Text>,
        language -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
        version -> Integer,
    }
}

diesel::joinable!(users -> authors (author_id));
diesel::joinable!(application_passwords -> users (user_id));
diesel::joinable!(indieauth_codes -> users (user_id));
diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(article_renderings -> articles (article_id));
diesel::joinable!(comments -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    authors,
    users,
    categories,
    tags,
    articles,
    article_authors,
    article_tags,
    article_renderings,
    comments,
    comment_challenges_used,
    comment_rate_limits,
    refresh_tokens,
    api_tokens,
    application_passwords,
    indieauth_codes,
    site_settings,
    login_throttles,
    content_events,
    jobs,
    media,
);
