//! The synchronizer token: a secret kept in the session, handed to pages masked, checked in
//! constant time.
//!
//! The secret is 32 bytes from the operating system's generator, stored in the session as
//! base64url under [`CsrfToken::SESSION_KEY`], so that it lives and dies with the session:
//! [`Session::regenerate`] at login drops it, and the next token is made from a new one.
//!
//! What a page gets is masked: 32 fresh random bytes, then those bytes XOR the secret,
//! base64url. Every page shows a different string, all of them valid, so that a compressed
//! HTTPS response that reflects attacker input beside the token does not leak it byte by byte
//! through its length (BREACH), as Django and Rails mask theirs.

use std::borrow::Cow;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::TryRngCore as _;
use subtle::ConstantTimeEq as _;

use crate::codec::Codec;
use crate::error::CsrfError;
use crate::session::Session;

/// Bytes of the secret.
const SECRET_LEN: usize = 32;
/// Characters of a masked token: base64url of the mask and the masked secret.
const TOKEN_CHARS: usize = (2 * SECRET_LEN * 4).div_ceil(3);

/// A CSRF token for the session of a request, to embed in the page's forms (the
/// [`FIELD`](Self::FIELD) field, [`hidden_input`](Self::hidden_input)) or send from scripts in
/// the [`HEADER`](Self::HEADER) header.
///
/// With axum or actix-web it is an extractor (features `axum`, `actix`; it needs the CSRF
/// layer, `CsrfLayer` or `actix::CsrfMiddleware`). Without, make one with
/// [`for_session`](Self::for_session) and check one with [`verify`](Self::verify). Each token
/// is masked differently; every one of them is valid for as long as the session keeps its
/// secret. `Debug` does not show it.
///
/// # Example
/// ```
/// use sealed_session::{CsrfToken, Session};
///
/// let session: Session = Session::default();
/// let token = CsrfToken::for_session(&session)?;
/// assert!(CsrfToken::verify(&session, token.as_str().as_bytes()));
/// // Another page of the same session gets another string for the same secret.
/// let again = CsrfToken::for_session(&session)?;
/// assert_ne!(token.as_str(), again.as_str());
/// assert!(CsrfToken::verify(&session, again.as_str().as_bytes()));
/// // A login begins a new session: the old tokens stop working.
/// session.regenerate(&[]);
/// assert!(!CsrfToken::verify(&session, token.as_str().as_bytes()));
/// # Ok::<(), sealed_session::CsrfError>(())
/// ```
#[derive(Clone)]
pub struct CsrfToken {
    value: String,
}

impl CsrfToken {
    /// The form field a token is read from: `csrf_token`.
    pub const FIELD: &'static str = "csrf_token";
    /// The request header a token is read from: `x-csrf-token`.
    pub const HEADER: &'static str = "x-csrf-token";
    /// The session entry the secret is kept under: `__csrf`. Reserved: an application that
    /// stores something else there gets a new secret the next time a token is made.
    pub const SESSION_KEY: &'static str = "__csrf";

    /// A token for `session`, making the session's secret first if it has none (the session
    /// is then changed, and its cookie sent with the response).
    ///
    /// After [`Session::regenerate`] in a request, take the token again: one taken before it
    /// is for the secret the regeneration dropped.
    pub fn for_session<C: Codec>(session: &Session<C>) -> Result<Self, CsrfError> {
        let secret = match secret_of(session) {
            Some(secret) => secret,
            None => {
                let secret = random::<SECRET_LEN>()?;
                session
                    .insert(Self::SESSION_KEY, URL_SAFE_NO_PAD.encode(secret))
                    .map_err(CsrfError::Session)?;
                secret
            }
        };
        let mask = random::<SECRET_LEN>()?;
        let mut token = [0u8; 2 * SECRET_LEN];
        let (front, back) = token.split_at_mut(SECRET_LEN);
        front.copy_from_slice(&mask);
        for ((out, m), s) in back.iter_mut().zip(mask).zip(secret) {
            *out = m ^ s;
        }
        Ok(Self {
            value: URL_SAFE_NO_PAD.encode(token),
        })
    }

    /// Whether `presented` (as the request carried it) is a token of `session`'s secret.
    /// Compared in constant time; a session without a secret accepts nothing, and neither an
    /// empty token nor the bare secret is accepted.
    pub fn verify<C: Codec>(session: &Session<C>, presented: &[u8]) -> bool {
        let Some(secret) = secret_of(session) else {
            return false;
        };
        let mut token = [0u8; 2 * SECRET_LEN];
        // The length is public (every token has it); only the bytes are compared in secret.
        if presented.len() != TOKEN_CHARS
            || !matches!(URL_SAFE_NO_PAD.decode_slice(presented, &mut token), Ok(n) if n == token.len())
        {
            return false;
        }
        let (mask, masked) = token.split_at(SECRET_LEN);
        let mut unmasked = [0u8; SECRET_LEN];
        for ((out, m), x) in unmasked.iter_mut().zip(mask).zip(masked) {
            *out = m ^ x;
        }
        unmasked.ct_eq(&secret).into()
    }

    /// The value of the [`FIELD`](Self::FIELD) field in a URL-encoded form body
    /// (`a=1&csrf_token=...`), decoded; `None` if it is not there, or there more than once.
    pub fn find_in_form(body: &[u8]) -> Option<Cow<'_, [u8]>> {
        let mut found = None;
        for pair in body.split(|&b| b == b'&') {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &b""[..]),
            };
            if *form_decode(name) == *Self::FIELD.as_bytes() {
                if found.is_some() {
                    return None;
                }
                found = Some(form_decode(value));
            }
        }
        found
    }

    /// The token, base64url: put it in a form field or a header as it is (it needs no
    /// escaping in HTML or URLs).
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// A hidden form field that carries the token:
    /// `<input type="hidden" name="csrf_token" value="...">`.
    pub fn hidden_input(&self) -> String {
        format!(
            r#"<input type="hidden" name="{}" value="{}">"#,
            Self::FIELD,
            self.value
        )
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken(..)")
    }
}

/// The session's secret, if it holds a valid one (an entry of another type, or not 32 bytes of
/// base64url, empty included, is none).
fn secret_of<C: Codec>(session: &Session<C>) -> Option<[u8; SECRET_LEN]> {
    let stored = session.get::<String>(CsrfToken::SESSION_KEY).ok()??;
    let mut secret = [0u8; SECRET_LEN];
    // One byte of room: a longer value does not fit exactly and is refused.
    let mut decoded = [0u8; SECRET_LEN + 1];
    match URL_SAFE_NO_PAD.decode_slice(stored.as_bytes(), &mut decoded) {
        Ok(SECRET_LEN) => {
            secret.copy_from_slice(&decoded[..SECRET_LEN]);
            Some(secret)
        }
        _ => None,
    }
}

fn random<const N: usize>() -> Result<[u8; N], CsrfError> {
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| CsrfError::Random)?;
    Ok(bytes)
}

/// A form name or value decoded as `application/x-www-form-urlencoded` is: `+` is a space,
/// then percent-decoding. Borrowed when there is nothing to decode.
fn form_decode(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.iter().any(|&b| b == b'+' || b == b'%') {
        return Cow::Borrowed(bytes);
    }
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    Cow::Owned(percent_encoding::percent_decode(&spaced).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_86_base64url_characters_and_verifies() {
        let session: Session = Session::default();
        let token = CsrfToken::for_session(&session).unwrap();
        assert_eq!(token.as_str().len(), TOKEN_CHARS);
        assert_eq!(TOKEN_CHARS, 86);
        assert!(token
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(CsrfToken::verify(&session, token.as_str().as_bytes()));
        assert!(session.is_changed(), "the secret was stored");
    }

    #[test]
    fn a_changed_byte_or_another_sessions_token_does_not_verify() {
        let session: Session = Session::default();
        let token = CsrfToken::for_session(&session).unwrap();
        let bytes = token.as_str().as_bytes();
        for at in 0..bytes.len() {
            let mut edited = bytes.to_vec();
            edited[at] = if edited[at] == b'A' { b'B' } else { b'A' };
            assert!(!CsrfToken::verify(&session, &edited), "edited at {at}");
        }
        assert!(!CsrfToken::verify(&session, &bytes[1..]));
        assert!(!CsrfToken::verify(&session, &[bytes, b"A"].concat()));
        let other: Session = Session::default();
        let other_token = CsrfToken::for_session(&other).unwrap();
        assert!(!CsrfToken::verify(
            &session,
            other_token.as_str().as_bytes()
        ));
    }

    #[test]
    fn nothing_verifies_without_a_secret_and_an_empty_or_bare_secret_never_does() {
        let session: Session = Session::default();
        assert!(!CsrfToken::verify(&session, b""));
        assert!(!CsrfToken::verify(&session, &[b'A'; TOKEN_CHARS]));
        session.insert(CsrfToken::SESSION_KEY, "").unwrap();
        assert!(!CsrfToken::verify(&session, b""));
        assert!(!CsrfToken::verify(&session, &[b'A'; TOKEN_CHARS]));
        // An empty stored secret is replaced, not used.
        let token = CsrfToken::for_session(&session).unwrap();
        let stored: String = session.get(CsrfToken::SESSION_KEY).unwrap().unwrap();
        assert_eq!(stored.len(), 43);
        assert!(CsrfToken::verify(&session, token.as_str().as_bytes()));
        // The secret itself (what the session holds) is not a token.
        assert!(!CsrfToken::verify(&session, stored.as_bytes()));
        // An all-zero mask over the secret is a token; the secret with any other framing is not.
        let secret = URL_SAFE_NO_PAD.decode(&stored).unwrap();
        let zero_masked = URL_SAFE_NO_PAD.encode([vec![0u8; 32], secret].concat());
        assert!(CsrfToken::verify(&session, zero_masked.as_bytes()));
    }

    #[test]
    fn a_secret_of_another_type_is_replaced() {
        let session: Session = Session::default();
        session.insert(CsrfToken::SESSION_KEY, 7u32).unwrap();
        let token = CsrfToken::for_session(&session).unwrap();
        assert!(CsrfToken::verify(&session, token.as_str().as_bytes()));
    }

    #[test]
    fn the_form_field_is_found_decoded_once_and_only_once() {
        let find = |body: &str| CsrfToken::find_in_form(body.as_bytes()).map(|v| v.into_owned());
        assert_eq!(find("csrf_token=abc"), Some(b"abc".to_vec()));
        assert_eq!(find("a=1&csrf_token=a%2Db_c&b=2"), Some(b"a-b_c".to_vec()));
        assert_eq!(find("csrf%5Ftoken=x+y"), Some(b"x y".to_vec()));
        assert_eq!(find("csrf_token"), Some(Vec::new()));
        assert_eq!(find("a=1&b=2"), None);
        assert_eq!(find(""), None);
        assert_eq!(find("csrf_token=a&csrf_token=a"), None);
        assert_eq!(find("xcsrf_token=a&csrf_tokenx=b&csrf_token =c"), None);
        assert_eq!(find("a=1;csrf_token=abc"), None);
        assert_eq!(
            CsrfToken::find_in_form(b"\xff=\xfe&csrf_token=%ff").as_deref(),
            Some(&b"\xff"[..])
        );
    }

    #[test]
    fn the_hidden_input_names_the_field_and_holds_the_token() {
        let session: Session = Session::default();
        let token = CsrfToken::for_session(&session).unwrap();
        assert_eq!(
            token.hidden_input(),
            format!(
                r#"<input type="hidden" name="csrf_token" value="{}">"#,
                token.as_str()
            )
        );
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let session: Session = Session::default();
        let token = CsrfToken::for_session(&session).unwrap();
        assert_eq!(format!("{token:?}"), "CsrfToken(..)");
    }
}
