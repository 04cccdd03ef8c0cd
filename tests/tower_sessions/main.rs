//! axum-login over sealed cookies (filled in by the next commit).
